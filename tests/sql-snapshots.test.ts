import { readFileSync } from 'node:fs';
import t from 'tap';
import { COMMAND, sqlSnapshots } from '../scripts/sql-snapshots.ts';

// The SQL of the key queries (the submission insert, the report's aggregate
// queries) is committed beside its repository: a query change must show in
// the diff, so a stale file fails here.

for (const snapshot of sqlSnapshots()) {
  t.test(`${snapshot.file} is what the queries compile to`, async (t) => {
    let committed: string;
    try {
      committed = readFileSync(snapshot.path, 'utf8');
    } catch {
      t.fail(`${snapshot.file} is missing: run ${COMMAND}`);
      return;
    }
    t.equal(snapshot.text, committed, `${snapshot.file} is stale: run ${COMMAND} and commit the change`);
  });
}
