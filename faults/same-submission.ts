import { randomUUID } from 'node:crypto';
import { submission } from './context.ts';
import { request } from './http.ts';
import { type Scenario, stopServer } from './scenario.ts';

// One phone resending the same answers 50 times at once (a flaky link and an
// impatient thumb): one row, one 201, the other answers harmless replays.

const COPIES = 50;

export const sameSubmission: Scenario = {
  name: 'one submissionId ×50',
  async run(ctx) {
    const desk = await ctx.desk();
    const server = await ctx.startServer();
    const id = randomUUID();
    const outcomes = await Promise.all(
      Array.from({ length: COPIES }, () => request(server.url, submission(desk.code, id))),
    );
    await stopServer(server.child);
    const statuses = outcomes.map((o) => o.reply?.status ?? 0);
    const count = (s: number) => statuses.filter((x) => x === s).length;
    const ids = new Set(outcomes.map((o) => (o.reply ? (JSON.parse(o.reply.body) as { id?: string }).id : undefined)));
    const stored = await ctx.stored(desk.id);
    return {
      name: this.name,
      target: '1 row',
      figures: {
        posted: COPIES,
        rows: stored.responses,
        '201': count(201),
        '200': count(200),
        other: COPIES - count(201) - count(200),
        sameIdInEveryAnswer: ids.size === 1,
      },
      pass:
        stored.responses === 1 &&
        stored.partial === 0 &&
        count(201) === 1 &&
        count(200) === COPIES - 1 &&
        ids.size === 1,
    };
  },
};
