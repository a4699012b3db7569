import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../tests/helpers/process.ts';
import { type Scenario, type ScenarioResult, stopServer } from './scenario.ts';

// A scripted ballot-stuffing attack on one poster (the same answers 200
// times, far faster than the "200 posts in 2 minutes", which the
// checks' 10-minute windows cannot tell apart) and a normal-paced control
// group of 50, through a real server. Flagged responses must still be stored
// and thanked; the shares are the figures. Uses the anti-stuffing helpers of
// tests/helpers/stuffing-attack.ts; without the anti-stuffing service the
// figure is "not available".

const SERVICE = path.join(ROOT, 'server/services/stuffing-service.ts');
const HELPERS = path.join(ROOT, 'tests/helpers/stuffing-attack.ts');
const FORM = { access: '4', procedure: '5', staff: '5', result: '4', feedback: 'na', overall: '5', trips: '1' };

export const stuffing: Scenario = {
  name: 'stuffing attack',
  async run(ctx, say): Promise<ScenarioResult> {
    const target = 'attack ≥ 95% flagged and all stored; control group ≤ 5% flagged';
    if (!existsSync(SERVICE) || !existsSync(HELPERS)) {
      return {
        name: this.name,
        target,
        figures: { attackFlaggedPct: 'not available', controlFalseFlagPct: 'not available' },
        pass: null,
        notes: ['server/services/stuffing-service.ts is not there yet'],
      };
    }
    const { httpSender, normalControl, stuffingAttack } = (await import(
      HELPERS
    )) as typeof import('../tests/helpers/stuffing-attack.ts');
    const [poster, other] = [await ctx.desk(), await ctx.desk()];
    const server = await ctx.startServer();
    try {
      const send = httpSender(server.url);
      const t0 = performance.now();
      const attack = await stuffingAttack(send, ctx.db, { deskCode: poster.code, posts: 200, answers: FORM });
      const attackSeconds = (performance.now() - t0) / 1000;
      say(
        `  attack: ${attack.flagged}/${attack.stored} flagged in ${attackSeconds.toFixed(1)} s, ${JSON.stringify(attack.reasons)}`,
      );
      const control = await normalControl(send, ctx.db, { deskCode: other.code, deskId: other.id, people: 50 });
      say(`  control: ${control.flagged}/${control.stored} flagged, ${JSON.stringify(control.reasons)}`);
      const pct = (x: number) => Math.round(x * 1000) / 10;
      return {
        name: this.name,
        target,
        figures: {
          attackPosts: attack.posts,
          attackSeconds: Math.round(attackSeconds * 10) / 10,
          attackStored: attack.stored,
          attackThanked: attack.thanked,
          attackFlaggedPct: pct(attack.share),
          controlPeople: control.posts,
          controlStored: control.stored,
          controlFalseFlagPct: pct(control.share),
        },
        pass:
          attack.stored === attack.posts &&
          attack.thanked === attack.posts &&
          attack.share >= 0.95 &&
          control.stored === control.posts &&
          control.share <= 0.05,
        notes: [
          `attack reasons ${JSON.stringify(attack.reasons)}`,
          `control reasons ${JSON.stringify(control.reasons)}`,
        ],
      };
    } finally {
      await stopServer(server.child);
    }
  },
};
