import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { feedbackCounts } from '../server/features/feedback/feedback-repository.ts';
import { insertResponsesBulk } from '../server/features/submission/response-repository.ts';
import { latestVersion } from '../server/features/surveys/survey-version-repository.ts';
import { httpSender, stuffingAttack } from '../tests/helpers/stuffing-attack.ts';
import { type Scenario, type ScenarioResult, stopServer } from './scenario.ts';

// Feedback untouched by suspects (issue 11, items 6 and 9). A centre has a
// few honest feedback items, half of them answered; then a script floods its
// poster with 300 angry posts with a comment, one page replayed from one
// client, through a real server and the citizen's form. Before the fix,
// 3,000 such posts opened 3,009 items and the inbox fell to 0% handled. The
// flood must open no item that the inbox shows or counts, and the handled
// share must read the same after it as before.

const POSTS = 300;
const HONEST = 4;
const ANGRY = {
  access: '2',
  procedure: '1',
  staff: '1',
  result: '2',
  feedback: 'na',
  overall: '1',
  trips: '2',
  comment: 'Cán bộ quầy này gây khó dễ, đề nghị xử lý.',
};

export const feedbackSuspects: Scenario = {
  name: 'feedback untouched by suspects',
  async run(ctx, say): Promise<ScenarioResult> {
    const target = 'no inbox item from a flagged response; the inbox handled share unchanged by the flood';
    const poster = await ctx.desk();
    const where = await ctx.db
      .selectFrom('desk as d')
      .innerJoin('unit as u', 'u.id', 'd.unit_id')
      .select(['u.id as unitId', 'u.path'])
      .where('d.id', '=', poster.id)
      .executeTakeFirstOrThrow();
    const version = (await latestVersion(ctx.db, 'sipas-quick'))!;

    // The honest baseline, stored yesterday as imports store responses: four
    // items, two of them answered (50% handled).
    const honestIds = Array.from({ length: HONEST }, () => randomUUID());
    await insertResponsesBulk(
      ctx.db,
      honestIds.map((submissionId, i) => ({
        submissionId,
        payloadHash: 'x',
        surveyVersionId: version.id,
        unitId: where.unitId,
        deskId: poster.id,
        serviceArea: 'dat-dai',
        channel: 'paper' as const,
        locale: 'vi' as const,
        answers: [
          { key: 'overall', kind: 'scale' as const, value: 2 },
          { key: 'comment', kind: 'text' as const, value: `Góp ý thật số ${i + 1}.` },
        ],
        submittedAt: new Date(Date.now() - 86_400_000),
      })),
    );
    await sql`update feedback_item f set status = 'answered', public_answer = 'UBND đã tiếp thu.', answered_at = now()
                from response r
               where r.id = f.response_id and r.submission_id = any(${honestIds.slice(0, 2)}::uuid[])`.execute(ctx.db);
    const before = await feedbackCounts(ctx.db, where.path, new Date());
    say(`  before: ${before.handled}/${before.total} handled`);

    const server = await ctx.startServer();
    let attack: Awaited<ReturnType<typeof stuffingAttack>>;
    const t0 = performance.now();
    try {
      attack = await stuffingAttack(httpSender(server.url), ctx.db, {
        deskCode: poster.code,
        posts: POSTS,
        answers: ANGRY,
      });
    } finally {
      await stopServer(server.child);
    }
    const seconds = Math.round((performance.now() - t0) / 100) / 10;
    say(`  flood: ${attack.flagged}/${attack.stored} flagged in ${seconds} s, ${JSON.stringify(attack.reasons)}`);

    // Every item of the flood's responses, by whether the response is flagged
    // and whether the item is in the inbox (not withheld).
    const { rows } = await sql<{ suspect: boolean; shown: boolean; n: number }>`
      select r.suspect, f.withheld is null as shown, count(*)::int as n
        from feedback_item f join response r on r.id = f.response_id
       where r.desk_id = ${poster.id} and not (r.submission_id = any(${honestIds}::uuid[]))
       group by 1, 2`.execute(ctx.db);
    const items = (suspect: boolean, shown: boolean) =>
      rows.find((r) => r.suspect === suspect && r.shown === shown)?.n ?? 0;
    const after = await feedbackCounts(ctx.db, where.path, new Date());
    const share = (c: { handled: number; total: number }) =>
      c.total ? Math.round((c.handled / c.total) * 1000) / 10 : null;
    const shownFromFlagged = items(true, true);
    const unflagged = attack.stored - attack.flagged;
    say(`  after: ${after.handled}/${after.total} handled; inbox items from flagged posts: ${shownFromFlagged}`);

    const notes: string[] = [`flood reasons ${JSON.stringify(attack.reasons)}`];
    if (unflagged) {
      notes.push(
        `${unflagged} flood posts were not flagged: each opened an item as any citizen's post does, so the ` +
          'handled share moved. That is the flood checks letting them in, not feedback ignoring a flag.',
      );
    }
    return {
      name: this.name,
      target,
      figures: {
        floodPosts: attack.posts,
        floodSeconds: seconds,
        floodStored: attack.stored,
        floodFlagged: attack.flagged,
        inboxItemsFromFlagged: shownFromFlagged,
        withheldItemsFromFlagged: items(true, false),
        itemsFromUnflagged: items(false, true) + items(false, false),
        inboxTotalBefore: before.total,
        inboxTotalAfter: after.total,
        handledPctBefore: share(before),
        handledPctAfter: share(after),
        overdueAfter: after.overdue,
      },
      pass:
        attack.stored === attack.posts &&
        shownFromFlagged === 0 &&
        after.total === before.total &&
        share(after) === share(before),
      notes,
    };
  },
};
