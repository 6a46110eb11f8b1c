#!/usr/bin/env python3
"""Runs the release suite's unittest modules (test_*.py here) and prints
`release: N passed, N failed`. A failing subTest counts once per subTest;
an error counts as a failure. Exit status 1 when anything failed or
nothing ran. usage: python3 tests/release/runner.py [PATTERN...]"""
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
    found = unittest.TestLoader().discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    selected = unittest.TestSuite(t for t in iter_tests(found)
                                  if not argv or any(p in t.id() for p in argv))
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(selected)
    bad = result.failures + result.errors
    bad_tests = {getattr(t, "test_case", t).id() for t, _tb in bad}
    failed = len(bad) + len(result.unexpectedSuccesses)
    passed = max(0, result.testsRun - len(bad_tests) - len(result.skipped))
    for test, _tb in bad:
        print("FAIL %s" % test.id())
    if result.testsRun == 0:
        print("release: nothing ran")
        failed += 1
    print("release: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
