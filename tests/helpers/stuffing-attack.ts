import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../../server/platform/db/connect.ts';

// Scripted ballot-stuffing attacks and honest citizens at one poster,
// through the citizen's own form, for tests/stuffing-traffic.test.ts and the
// fault suite. Both work over app.inject() (injectSender) or a real server
// (httpSender, which binds each client to its own 127.x.y.z address); the
// flags are read from the database, since the citizen's page never tells.

export interface SentRequest {
  method: 'GET' | 'POST';
  url: string;
  form?: Record<string, string>;
  /** The client address: a loopback address (127.x.y.z) so that a real server sees it too. */
  address?: string;
}
export type Sender = (req: SentRequest) => Promise<{ statusCode: number; body: string }>;

export function injectSender(app: FastifyInstance): Sender {
  return async ({ method, url, form, address }) => {
    const res = await app.inject({
      method,
      url,
      remoteAddress: address,
      ...(form
        ? {
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            payload: new URLSearchParams(form).toString(),
          }
        : {}),
    });
    return { statusCode: res.statusCode, body: res.body };
  };
}

/** Requests to a real server on loopback, each from its client's own source address. */
export function httpSender(baseUrl: string): Sender {
  const base = new URL(baseUrl);
  return ({ method, url, form, address }) =>
    new Promise((resolve, reject) => {
      const body = form ? new URLSearchParams(form).toString() : undefined;
      const req = http.request(
        {
          host: base.hostname,
          port: base.port,
          method,
          path: url,
          localAddress: address,
          timeout: 30_000,
          headers: body
            ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) }
            : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(body);
    });
}

/**
 * As if `seconds` had passed for one desk: its responses move back in time.
 * The checks count their windows from the database's now(), so this is how
 * a test spreads sixty citizens over hours without waiting for them.
 */
export async function letTimePass(db: Db, deskId: number, seconds: number): Promise<void> {
  await sql`update response set submitted_at = submitted_at - make_interval(secs => ${seconds})
             where desk_id = ${deskId}`.execute(db);
}

/** The hidden fields of a freshly rendered survey page. */
export async function openForm(send: Sender, deskCode: string, address?: string) {
  const page = await send({ method: 'GET', url: `/q/${deskCode}`, address });
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page.body)?.[1] ?? '';
  return { renderToken: field('renderToken'), serviceArea: field('serviceArea') };
}

export interface Figures {
  posts: number;
  /** Answered with the thank-you page. */
  thanked: number;
  stored: number;
  flagged: number;
  share: number;
  reasons: Record<string, number>;
}

export async function figures(db: Db, submissionIds: string[], thanked: number): Promise<Figures> {
  const rows = submissionIds.length
    ? await db
        .selectFrom('response')
        .select(['suspect', 'suspect_reason'])
        .where('submission_id', 'in', submissionIds)
        .execute()
    : [];
  const reasons: Record<string, number> = {};
  for (const r of rows) {
    if (!r.suspect) continue;
    for (const code of r.suspect_reason?.split(',') ?? []) reasons[code] = (reasons[code] ?? 0) + 1;
  }
  const flagged = rows.filter((r) => r.suspect).length;
  return { posts: submissionIds.length, thanked, stored: rows.length, flagged, share: flagged / rows.length, reasons };
}

const THANKS = /Cảm ơn Ông\/Bà/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The answers every post of an attack carries. */
export const ATTACK_ANSWERS = {
  access: '5',
  procedure: '5',
  staff: '5',
  result: '5',
  feedback: 'na',
  overall: '5',
  trips: '1',
};

/**
 * `posts` identical posts at one poster from `clients` addresses
 * (127.66.0.1, …), as a script does. `replay`: the script loads the page
 * once per client and posts its fields again and again. Otherwise it is the
 * careful script: it loads a fresh page for every post, waits out the
 * minimum time on the page (`waitSeconds`, all pages at once), then posts
 * client after client.
 */
export async function stuffingAttack(
  send: Sender,
  db: Db,
  opts: {
    deskCode: string;
    posts?: number;
    clients?: number;
    replay?: boolean;
    waitSeconds?: number;
    answers?: Record<string, string>;
    /** Called every `every` posts, e.g. to let honest citizens post in between. */
    between?: { every: number; run: () => Promise<void> };
  },
): Promise<Figures> {
  const posts = opts.posts ?? 200;
  const clients = opts.clients ?? 1;
  const address = (c: number) => `127.66.${c >> 8}.${(c & 255) + 1}`;
  const plan = Array.from({ length: posts }, (_, i) => Math.floor((i * clients) / posts));
  const pages: { renderToken: string; serviceArea: string }[] = [];
  const replayed = new Map<number, { renderToken: string; serviceArea: string }>();
  for (const c of plan) {
    if (!opts.replay) pages.push(await openForm(send, opts.deskCode, address(c)));
    else {
      if (!replayed.has(c)) replayed.set(c, await openForm(send, opts.deskCode, address(c)));
      pages.push(replayed.get(c)!);
    }
  }
  if (opts.waitSeconds) await sleep(opts.waitSeconds * 1000);
  const ids: string[] = [];
  let thanked = 0;
  for (const [i, c] of plan.entries()) {
    if (opts.between && i > 0 && i % opts.between.every === 0) await opts.between.run();
    const submissionId = randomUUID();
    ids.push(submissionId);
    const res = await send({
      method: 'POST',
      url: `/q/${opts.deskCode}`,
      address: address(c),
      form: { ...(opts.answers ?? ATTACK_ANSWERS), ...pages[i], submissionId, website: '' },
    });
    if (res.statusCode === 200 && THANKS.test(res.body)) thanked += 1;
  }
  return figures(db, ids, thanked);
}

/** A small deterministic generator, so that a failing run can be repeated. */
export function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What citizens of a good centre answer: 45% very satisfied on every item
 * (all 5, the pattern a burst check must not mistake for stuffing), 15% all
 * 4, the rest mixed; the feedback item is mostly "not applicable".
 */
export function citizenAnswers(rand: () => number): Record<string, string> {
  const roll = rand();
  const item = () => (roll < 0.45 ? '5' : roll < 0.6 ? '4' : String(2 + Math.floor(rand() * 4)));
  const answers: Record<string, string> = {
    access: item(),
    procedure: item(),
    staff: item(),
    result: item(),
    feedback: roll < 0.6 || rand() < 0.7 ? 'na' : item(),
    overall: item(),
    trips: rand() < 0.8 ? '1' : '2',
  };
  if (rand() < 0.15) answers.comment = 'Cán bộ hướng dẫn tận tình.';
  return answers;
}

export interface Citizen {
  address: string;
  answers: Record<string, string>;
  /** Seconds after the previous citizen (spread with letTimePass). */
  gapSeconds: number;
}

/**
 * The realistic control group of issue 11: `people` citizens at one desk
 * over `hours`, each on their own phone (address 127.<block>.x.y).
 */
export function realisticCitizens(opts: { people?: number; hours?: number; seed?: number; block?: number }) {
  const people = opts.people ?? 60;
  const rand = prng(opts.seed ?? 20261205);
  const mean = ((opts.hours ?? 3) * 3600) / people;
  return Array.from(
    { length: people },
    (_, i): Citizen => ({
      address: `127.${opts.block ?? 1}.${i >> 8}.${(i & 255) + 1}`,
      answers: citizenAnswers(rand),
      gapSeconds: Math.round(mean * (0.2 + 1.6 * rand())),
    }),
  );
}

/**
 * Citizens who have opened the desk's page on their own phones, at least
 * `thinkSeconds` ago by the time the first of them posts; post(i) sends the
 * i-th one's answers once, from her own address.
 */
async function citizensWithPages(
  send: Sender,
  db: Db,
  opts: { deskCode: string; citizens: Citizen[]; thinkSeconds: number },
) {
  const forms: Awaited<ReturnType<typeof openForm>>[] = [];
  for (const c of opts.citizens) forms.push(await openForm(send, opts.deskCode, c.address));
  await sleep(opts.thinkSeconds * 1000);
  const ids: string[] = [];
  let thanked = 0;
  return {
    async post(i: number) {
      const c = opts.citizens[i];
      if (!c) return;
      const submissionId = randomUUID();
      ids.push(submissionId);
      const res = await send({
        method: 'POST',
        url: `/q/${opts.deskCode}`,
        address: c.address,
        form: { ...c.answers, ...forms[i], submissionId, website: '' },
      });
      if (res.statusCode === 200 && THANKS.test(res.body)) thanked += 1;
    },
    figures: () => figures(db, ids, thanked),
  };
}

/**
 * Honest citizens (issue 11's 20–120 s on the page: all pages are opened
 * first, then the wait, so every post comes at least `thinkSeconds` after
 * its page), each posting once. `spread`: the time between them is made to
 * pass (letTimePass); without it they post within the same window.
 */
export async function honestCitizens(
  send: Sender,
  db: Db,
  opts: { deskCode: string; deskId: number; citizens: Citizen[]; thinkSeconds: number; spread: boolean },
): Promise<Figures> {
  const people = await citizensWithPages(send, db, opts);
  for (const [i, c] of opts.citizens.entries()) {
    if (opts.spread) await letTimePass(db, opts.deskId, c.gapSeconds);
    await people.post(i);
  }
  return people.figures();
}

/**
 * A flood at one desk with honest citizens posting in between: the citizens
 * open their pages first (at least `thinkSeconds` before they post), then 20
 * attacking clients post `posts` identical answers, and after every fourth
 * the next citizen posts hers; whoever is left posts right after the flood.
 */
export async function floodWithCitizens(
  send: Sender,
  db: Db,
  opts: { deskCode: string; citizens: Citizen[]; posts: number; thinkSeconds: number },
): Promise<{ flood: Figures; honest: Figures }> {
  const people = await citizensWithPages(send, db, opts);
  let next = 0;
  const postNext = () => people.post(next++);
  const flood = await stuffingAttack(send, db, {
    deskCode: opts.deskCode,
    posts: opts.posts,
    clients: 20,
    waitSeconds: 5,
    between: { every: 4, run: postNext },
  });
  while (next < opts.citizens.length) await postNext();
  return { flood, honest: await people.figures() };
}
