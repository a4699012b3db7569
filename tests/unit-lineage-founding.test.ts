import t from 'tap';
import { CLI_ACTOR } from '../server/features/access/account-service.ts';
import { lineageNotes, unitTreeAt } from '../server/features/organisation/unit-lineage-service.ts';
import { findUnitId } from '../server/features/organisation/unit-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { lineageCli as cli } from './helpers/lineage-cli.ts';

// A merge into a unit that does not exist yet (issue 17): the CLI founds it
// under the parent named, in the same transaction, and the tree at a date
// before the merge does not show it.

const id = async (db: Db, code: string) => (await findUnitId(db, code))!;

t.test('a merge into a new unit creates it first', async (t) => {
  const { db } = await testApp(t);
  const a = await createCentre(db, 'Xã Đông');
  const b = await createCentre(db, 'Xã Tây');
  const from = `${await unitCode(db, a.communeId)},${await unitCode(db, b.communeId)}`;
  const province = await unitCode(db, a.provinceId);
  const args = [
    'merge',
    '--into',
    'xa-dong-tay',
    '--from',
    from,
    '--on',
    '2025-07-01',
    '--new-name',
    'Xã Đông Tây',
    '--parent',
    province,
  ];
  const dry = await cli(db, [...args, '--dry-run']);
  t.equal(dry.code, 0, dry.err);
  t.match(dry.out, 'Thành lập “Xã Đông Tây”');
  t.notOk(await findUnitId(db, 'xa-dong-tay'), 'the dry run made nothing');
  const res = await cli(db, args);
  t.equal(res.code, 0, res.err);
  const c = await id(db, 'xa-dong-tay');
  const parents = await db
    .selectFrom('unit')
    .select('parent_id')
    .where('id', 'in', [a.communeId, b.communeId])
    .execute();
  t.ok(
    parents.every((p) => p.parent_id === c),
    'both sit under the new commune',
  );
  t.match(await lineageNotes(db, c), [/Gồm số liệu của Xã Đông, Xã Tây trước ngày 01\/07\/2025/]);
  const before = await unitTreeAt(db, CLI_ACTOR, '2025-06-30');
  t.notOk(
    before.some((u) => u.id === c),
    'the new commune is not in the tree before the merge',
  );
  const olds = before.filter((u) => u.id === a.communeId || u.id === b.communeId);
  t.same(
    olds.map((u) => u.active),
    [true, true],
    'its predecessors are, active',
  );
  const after = await unitTreeAt(db, CLI_ACTOR, '2025-07-01');
  t.ok(
    after.some((u) => u.id === c),
    'it is from the merge on',
  );
  t.equal((await cli(db, ['merge', '--into', 'x1', '--from', from, '--on', '2025-07-01', '--new-name', 'X'])).code, 2);
});
