import type { Test } from 'tap';

// For the tests of what the database itself refuses (triggers, constraints).

/** Resolves to the rejection reason, or fails the test if the promise resolves. */
export async function rejection(t: Test, promise: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    t.pass(`${what} is refused`);
    return err;
  }
  t.fail(`${what} should have been refused`);
  return undefined;
}

/** The message of a database error, including the trigger's own. */
export const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
