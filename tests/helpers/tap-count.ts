import { Parser } from 'tap-parser';

// How tests/run.ts reads tap's raw output for the closing line.

/**
 * Counts leaf assertions in the raw TAP stream. A subtest's own summary line
 * is not counted, except when it failed without any failing assertion inside
 * (a file that crashed before asserting anything). A skipped test (`# SKIP`)
 * counts as skipped, never as passed.
 */
export function countResults(tap: string): { passed: number; failed: number; skipped: number } {
  const acc = { passed: 0, failed: 0, skipped: 0 };
  const watch = (p: Parser) => {
    let failedBeforeChild: number | undefined;
    p.on('child', (child: Parser) => {
      failedBeforeChild = acc.failed;
      watch(child);
    });
    p.on('assert', (a: { ok: boolean; skip?: unknown; todo?: unknown }) => {
      if (failedBeforeChild !== undefined) {
        if (!a.ok && acc.failed === failedBeforeChild) acc.failed += 1;
        failedBeforeChild = undefined;
        return;
      }
      if (a.skip) acc.skipped += 1;
      else if (a.ok) acc.passed += 1;
      else if (!a.todo) acc.failed += 1;
    });
  };
  const parser = new Parser();
  watch(parser);
  parser.end(tap);
  return acc;
}

/**
 * The failing leaf tests, each as its path of subtest names ("file > test >
 * assertion"), for the run's closing lines: CI's log has no reporter output
 * to read them from.
 */
export function failedTests(tap: string): string[] {
  const failed: string[] = [];
  const watch = (p: Parser, path: string[]) => {
    let child: { path: string[]; failedBefore: number } | undefined;
    p.on('child', (c: Parser) => {
      child = { path: [...path, c.name], failedBefore: failed.length };
      watch(c, child.path);
    });
    p.on('assert', (a: { ok: boolean; name?: string; todo?: unknown }) => {
      if (child) {
        // A subtest's own line: a failure only when nothing inside it failed.
        if (!a.ok && failed.length === child.failedBefore) failed.push(child.path.join(' > '));
        child = undefined;
        return;
      }
      if (!a.ok && !a.todo) failed.push([...path, a.name ?? ''].join(' > '));
    });
  };
  const parser = new Parser();
  watch(parser, []);
  parser.end(tap);
  return failed;
}
