#!/usr/bin/env python3
"""Runs the e2e unittest modules and prints `e2e: N passed, N failed, N skipped`.

usage: python3 tests/e2e/runner.py [PATTERN...]
  PATTERN selects test ids containing it (e.g. test_validate, BadConfig).
An error (exception outside an assertion) counts as a failure; so does an
unexpected success. Exit status 1 when anything failed or nothing ran.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def iter_tests(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from iter_tests(t)
        else:
            yield t


def main(argv):
    sys.path.insert(0, HERE)
    loader = unittest.TestLoader()
    found = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    patterns = argv[1:]
    selected = unittest.TestSuite()
    for t in iter_tests(found):
        if not patterns or any(p in t.id() for p in patterns):
            selected.addTest(t)
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(selected)

    # A failing subTest is one failure each; a test with failing subtests is
    # not counted as passed.
    bad = result.failures + result.errors
    failed = len(bad) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    bad_tests = {getattr(t, "test_case", t).id() for t, _tb in bad}
    bad_tests |= {t.id() for t in result.unexpectedSuccesses}
    passed = max(0, result.testsRun - len(bad_tests) - skipped - len(result.expectedFailures))
    for test, reason in result.skipped:
        print("SKIP %s: %s" % (test.id(), reason))
    for test, _tb in result.failures + result.errors:
        print("FAIL %s" % test.id())
    if result.testsRun == 0:
        print("e2e: no test selected")
        failed += 1
    print("e2e: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
