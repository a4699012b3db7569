import t from 'tap';
import { countResults, failedTests } from './helpers/tap-count.ts';

// The closing line CI reads must tell skipped tests apart: a machine without
// Chromium once reported its browser tests as passed.

t.test('a skipped test is counted as skipped, never as passed', async (t) => {
  const tap = [
    'TAP version 14',
    '# Subtest: tests/a.test.ts',
    '    ok 1 - stored once',
    '    ok 2 - thanked',
    '    not ok 3 - flagged',
    '    1..3',
    'not ok 1 - tests/a.test.ts',
    '# Subtest: tests/e2e/citizen.test.ts',
    '    ok 1 - browser tests: no Chromium # SKIP',
    '    1..1',
    'ok 2 - tests/e2e/citizen.test.ts',
    'ok 3 - a whole file skipped # SKIP no database',
    '1..3',
    '',
  ].join('\n');
  t.same(countResults(tap), { passed: 2, failed: 1, skipped: 2 });
});

t.test('a file that crashed before asserting anything is one failure', async (t) => {
  const tap = [
    'TAP version 14',
    '# Subtest: tests/b.test.ts',
    '    1..0',
    'not ok 1 - tests/b.test.ts',
    '1..1',
    '',
  ].join('\n');
  t.same(countResults(tap), { passed: 0, failed: 1, skipped: 0 });
});

t.test('the failing tests are named by their path, for a log with no reporter output', async (t) => {
  const tap = [
    'TAP version 14',
    '# Subtest: tests/a.test.ts',
    '    # Subtest: a form is stored',
    '        ok 1 - stored once',
    '        not ok 2 - flagged',
    '        1..2',
    '    not ok 1 - a form is stored',
    '    1..1',
    'not ok 1 - tests/a.test.ts',
    '# Subtest: tests/b.test.ts',
    '    1..0',
    'not ok 2 - tests/b.test.ts',
    'ok 3 - tests/c.test.ts',
    '1..3',
    '',
  ].join('\n');
  t.same(failedTests(tap), ['tests/a.test.ts > a form is stored > flagged', 'tests/b.test.ts']);
});
