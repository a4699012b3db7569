import t, { type Test } from 'tap';
import { createDesk } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import {
  type Figures,
  floodWithCitizens,
  honestCitizens,
  injectSender,
  realisticCitizens,
  stuffingAttack,
} from './helpers/stuffing-attack.ts';

// Run time (for tests/run.ts): about 18 s.

// Whole attacks against honest traffic at one desk (issue 11): the checks
// must flag the flood and leave the honest citizens around it alone. The
// fault suite runs the same against a real server (faults/stuffing.ts).

// Each scenario has its own app and database, and waits out the minimum
// time on the page: side by side, the waits overlap.

const pct = (f: Figures) => `${f.flagged}/${f.stored} (${(f.share * 100).toFixed(1)}%) ${JSON.stringify(f.reasons)}`;

async function setup(t: Test) {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['ho-tich']);
  return { app, db, desk, send: injectSender(app) };
}

t.test('whole attacks against honest traffic at one desk', async (t) => {
  // Set on this test, not on tap's root: the file may share its process with others.
  t.jobs = 4;
  t.test('60 honest citizens over 3 hours, 45% answering all 5: at most 1% flagged', async (t) => {
    const { db, desk, send } = await setup(t);
    const citizens = realisticCitizens({ people: 60, hours: 3 });
    const fives = citizens.filter((c) => c.answers.overall === '5' && c.answers.access === '5').length;
    t.ok(fives >= 20, `${fives} of 60 answer all 5`);
    const control = await honestCitizens(send, db, {
      deskCode: desk.code,
      deskId: desk.deskId,
      citizens,
      thinkSeconds: 5,
      spread: true,
    });
    t.comment(`control: ${pct(control)}`);
    t.equal(control.thanked, 60);
    t.ok(control.share <= 0.01, `at most 1% flagged: ${pct(control)}`);
  });

  t.test('200 identical posts from one client: at least 95% flagged, all stored and thanked', async (t) => {
    const { db, desk, send } = await setup(t);
    const attack = await stuffingAttack(send, db, { deskCode: desk.code, posts: 200, clients: 1, waitSeconds: 5 });
    t.comment(`one client: ${pct(attack)}`);
    t.equal(attack.stored, 200, 'every post stored');
    t.equal(attack.thanked, 200, 'and thanked: the script learns nothing');
    t.ok(attack.share >= 0.95, `at least 95% flagged: ${pct(attack)}`);

    const replay = await createDesk(db, ['ho-tich']);
    const replayed = await stuffingAttack(send, db, { deskCode: replay.code, posts: 50, clients: 1, replay: true });
    t.comment(`one page replayed: ${pct(replayed)}`);
    t.equal(replayed.flagged, 50, 'one page replayed: every post');
    // The first post came too soon after its page (too_fast); every later one replays it.
    t.ok((replayed.reasons.token_reuse ?? 0) >= 49, 'as a replayed page');
  });

  t.test('200 identical posts from 20 clients: at least 95% flagged', async (t) => {
    const { db, desk, send } = await setup(t);
    const attack = await stuffingAttack(send, db, { deskCode: desk.code, posts: 200, clients: 20, waitSeconds: 5 });
    t.comment(`20 clients: ${pct(attack)}`);
    t.equal(attack.stored, 200);
    t.ok(attack.share >= 0.95, `at least 95% flagged: ${pct(attack)}`);
    const watch = await db.selectFrom('desk_watch').select(['desk_id', 'responses']).execute();
    t.equal(watch.length, 1, 'the desk was put under watch, for reviewers to see');
    t.equal(watch[0]?.desk_id, desk.deskId);
  });

  t.test('a flood does not knock out the honest citizens who post during it', async (t) => {
    const { db, desk, send } = await setup(t);
    const { flood, honest } = await floodWithCitizens(send, db, {
      deskCode: desk.code,
      citizens: realisticCitizens({ people: 60, seed: 7 }),
      posts: 240,
      thinkSeconds: 0,
    });
    t.comment(`flood: ${pct(flood)}; honest during it: ${pct(honest)}`);
    t.equal(honest.stored, 60, 'the honest citizens all stored');
    t.equal(honest.thanked, 60, 'and thanked');
    t.ok(honest.share <= 0.01, `at most 1% of the honest citizens flagged: ${pct(honest)}`);
    t.ok(flood.share >= 0.95, `the flood still at least 95% flagged: ${pct(flood)}`);
  });
});
