import { randomUUID } from 'node:crypto';
import {
  type Figures,
  floodWithCitizens,
  honestCitizens,
  httpSender,
  realisticCitizens,
  stuffingAttack,
} from '../tests/helpers/stuffing-attack.ts';
import { ANSWERS } from './context.ts';
import { json, request } from './http.ts';
import { type Scenario, type ScenarioResult, stopServer } from './scenario.ts';

// Ballot stuffing against a real server (issue 11), each client from its own
// loopback address: the API refuses whoever has no submit key; scripted
// floods are flagged (stored and thanked all the same); and the honest
// citizens at the same desk, in a realistic control group and during a
// flood, are not. Helpers in tests/helpers/stuffing-attack.ts.

const pct = (x: number) => Math.round(x * 1000) / 10;
const brief = (f: Figures) => `${f.flagged}/${f.stored} flagged ${JSON.stringify(f.reasons)}`;

export const unauthenticatedApi: Scenario = {
  name: 'API without a submit key',
  async run(ctx, say): Promise<ScenarioResult> {
    const desk = await ctx.desk();
    const server = await ctx.startServer();
    try {
      const body = (channel: string) =>
        json({ desk: desk.code, answers: ANSWERS, submissionId: randomUUID(), channel });
      const attempts = [];
      for (let i = 0; i < 60; i++) {
        const channel = ['paper', 'api', 'kiosk'][i % 3]!;
        const auth = [undefined, 'Bearer hl_forged-key-forged-key-forged', 'Basic YWRtaW46YWRtaW4='][i % 3];
        attempts.push(
          await request(server.url, {
            method: 'POST',
            path: '/api/v1/responses',
            ...body(channel),
            headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
          }),
        );
      }
      const refused = attempts.filter((o) => o.reply?.status === 401).length;
      const stored = (await ctx.stored(desk.id)).responses;
      say(`  ${refused}/${attempts.length} refused with 401, ${stored} stored`);
      return {
        name: this.name,
        target: 'every post without a valid submit key refused (401), none stored',
        figures: { posts: attempts.length, refused401: refused, stored },
        pass: refused === attempts.length && stored === 0,
      };
    } finally {
      await stopServer(server.child);
    }
  },
};

export const stuffing: Scenario = {
  name: 'stuffing attack',
  async run(ctx, say): Promise<ScenarioResult> {
    const [one, twenty, replay] = [await ctx.desk(), await ctx.desk(), await ctx.desk()];
    const server = await ctx.startServer();
    try {
      const send = httpSender(server.url);
      const t0 = performance.now();
      const single = await stuffingAttack(send, ctx.db, { deskCode: one.code, posts: 200, clients: 1, waitSeconds: 5 });
      const seconds = (performance.now() - t0) / 1000;
      say(`  1 client, a fresh page each post: ${brief(single)} in ${seconds.toFixed(1)} s`);
      const many = await stuffingAttack(send, ctx.db, {
        deskCode: twenty.code,
        posts: 200,
        clients: 20,
        waitSeconds: 5,
      });
      say(`  20 clients: ${brief(many)}`);
      const replayed = await stuffingAttack(send, ctx.db, { deskCode: replay.code, posts: 200, replay: true });
      say(`  1 client replaying one page: ${brief(replayed)}`);
      const all = [single, many, replayed];
      return {
        name: this.name,
        target: '200 identical posts, from 1 client and from 20: ≥ 95% flagged; all stored and thanked',
        figures: {
          oneClientFlaggedPct: pct(single.share),
          twentyClientsFlaggedPct: pct(many.share),
          replayedPageFlaggedPct: pct(replayed.share),
          attackSeconds: Math.round(seconds * 10) / 10,
          stored: all.reduce((n, f) => n + f.stored, 0),
          thanked: all.reduce((n, f) => n + f.thanked, 0),
        },
        pass: all.every((f) => f.stored === f.posts && f.thanked === f.posts && f.share >= 0.95),
        notes: all.map((f, i) => `${['1 client', '20 clients', 'replayed page'][i]}: ${JSON.stringify(f.reasons)}`),
      };
    } finally {
      await stopServer(server.child);
    }
  },
};

export const realisticControl: Scenario = {
  name: 'realistic control group',
  async run(ctx, say): Promise<ScenarioResult> {
    const desk = await ctx.desk();
    const server = await ctx.startServer();
    try {
      const citizens = realisticCitizens({ people: 60, hours: 3, seed: 11 });
      const allFive = citizens.filter((c) =>
        ['access', 'procedure', 'staff', 'result', 'overall'].every((k) => c.answers[k] === '5'),
      );
      const control = await honestCitizens(httpSender(server.url), ctx.db, {
        deskCode: desk.code,
        deskId: desk.id,
        citizens,
        thinkSeconds: 20,
        spread: true,
      });
      say(`  60 citizens over 3 hours (${allFive.length} all-5): ${brief(control)}`);
      return {
        name: this.name,
        target: '60 citizens over 3 hours, own addresses, 20+ s on the page, 45% all-5: ≤ 1% flagged',
        figures: {
          citizens: control.posts,
          allFive: allFive.length,
          stored: control.stored,
          thanked: control.thanked,
          flaggedPct: pct(control.share),
        },
        pass: control.stored === control.posts && control.thanked === control.posts && control.share <= 0.01,
        notes: [`reasons ${JSON.stringify(control.reasons)}`],
      };
    } finally {
      await stopServer(server.child);
    }
  },
};

export const floodThenHonest: Scenario = {
  name: 'flood and honest citizens',
  async run(ctx, say): Promise<ScenarioResult> {
    const desk = await ctx.desk();
    const server = await ctx.startServer();
    try {
      // The citizens' pages are opened 20 s before the flood starts.
      const { flood, honest } = await floodWithCitizens(httpSender(server.url), ctx.db, {
        deskCode: desk.code,
        citizens: realisticCitizens({ people: 60, seed: 12, block: 2 }),
        posts: 240,
        thinkSeconds: 15,
      });
      say(`  flood: ${brief(flood)}; honest citizens during it: ${brief(honest)}`);
      return {
        name: this.name,
        target: 'honest citizens posting during a flood at their desk: ≤ 1% flagged; the flood ≥ 95%',
        figures: {
          floodPosts: flood.posts,
          floodFlaggedPct: pct(flood.share),
          honestCitizens: honest.posts,
          honestStored: honest.stored,
          honestFlaggedPct: pct(honest.share),
        },
        pass: honest.stored === honest.posts && honest.share <= 0.01 && flood.share >= 0.95,
        notes: [`flood ${JSON.stringify(flood.reasons)}`, `honest ${JSON.stringify(honest.reasons)}`],
      };
    } finally {
      await stopServer(server.child);
    }
  },
};
