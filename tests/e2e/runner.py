#!/usr/bin/env python3
"""Runs the e2e unittest modules and prints `e2e: N passed, N failed, N skipped`.

usage: python3 tests/e2e/runner.py [PATTERN...]
  PATTERN selects test ids containing it (e.g. test_validate, BadConfig).
An error (exception outside an assertion) counts as a failure; so does an
unexpected success. Exit status 1 when anything failed or nothing ran.

E2E_SUITE_NAME replaces the `e2e` word of the summary (run_asan.sh: e2e-asan);
E2E_TEST_DIR discovers the modules of another folder (tests/release).
With E2E_SAN_LOG_DIR (see e2e_lib.py) a sanitizer report still lying in that
directory after a test fails that test, and one found after the last test
counts as one more failure.
"""
import os
import sys
import unittest

# E2E_TEST_DIR: run the test_*.py of another folder (tests/release uses this runner).
HERE = os.path.abspath(os.environ.get("E2E_TEST_DIR") or os.path.dirname(os.path.abspath(__file__)))


def iter_tests(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from iter_tests(t)
        else:
            yield t


def sanitizer_result_class():
    """A TextTestResult that fails a test when, after it, an unclaimed
    sanitizer report exists (one Workdir.tf did not already turn into a
    failure, e.g. written by a plugin that outlived its terraform)."""
    import e2e_lib as L

    class SanitizerCheckingResult(unittest.TextTestResult):
        def stopTest(self, test):
            reports = L.claim_sanitizer_reports()
            if reports:
                err = L.SanitizerError("sanitizer report(s) found after this test:\n" + reports)
                self.addFailure(test, (L.SanitizerError, err, None))
            super().stopTest(test)

    return SanitizerCheckingResult


def main(argv):
    sys.path.insert(0, HERE)
    name = os.environ.get("E2E_SUITE_NAME") or "e2e"
    san = bool(os.environ.get("E2E_SAN_LOG_DIR"))
    loader = unittest.TestLoader()
    found = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    patterns = argv[1:]
    selected = unittest.TestSuite()
    for t in iter_tests(found):
        if not patterns or any(p in t.id() for p in patterns):
            selected.addTest(t)
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2)
    if san:
        runner.resultclass = sanitizer_result_class()
    result = runner.run(selected)

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
    if san:
        import e2e_lib as L
        late = L.claim_sanitizer_reports()
        if late:
            print("%s: sanitizer report(s) after the last test:\n%s" % (name, late))
            failed += 1
    if result.testsRun == 0:
        print("%s: no test selected" % name)
        failed += 1
    print("%s: %d passed, %d failed, %d skipped" % (name, passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
