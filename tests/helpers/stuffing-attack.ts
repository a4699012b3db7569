import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../../server/db/connect.ts';

// A scripted ballot-stuffing attack on one poster and a normal-paced control
// group, through the citizen's own form, for tests/stuffing.test.ts and the
// fault suite. Both work over app.inject() (injectSender) or a real server
// (httpSender); the flags are read from the database, since the citizen's
// page never tells.

export interface SentRequest {
  method: 'GET' | 'POST';
  url: string;
  form?: Record<string, string>;
  /** The client address (inject only; a real socket has its own). */
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

export function httpSender(baseUrl: string): Sender {
  return async ({ method, url, form }) => {
    const res = await fetch(new URL(url, baseUrl), {
      method,
      ...(form
        ? {
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(form).toString(),
          }
        : {}),
    });
    return { statusCode: res.status, body: await res.text() };
  };
}

/**
 * As if `seconds` had passed for one desk: its responses move back in time.
 * The checks count their windows from the database's now(), so this is how
 * a test spreads fifty citizens over hours without waiting for them.
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

async function figures(db: Db, submissionIds: string[], thanked: number): Promise<Figures> {
  const rows = submissionIds.length
    ? await db
        .selectFrom('response')
        .select(['suspect', 'suspect_reason'])
        .where('submission_id', 'in', submissionIds)
        .execute()
    : [];
  const reasons: Record<string, number> = {};
  for (const r of rows) for (const code of r.suspect_reason?.split(',') ?? []) reasons[code] = (reasons[code] ?? 0) + 1;
  const flagged = rows.filter((r) => r.suspect).length;
  return { posts: submissionIds.length, thanked, stored: rows.length, flagged, share: flagged / rows.length, reasons };
}

const THANKS = /Cảm ơn Ông\/Bà/;

/** The same answers posted `posts` times at one poster from one address, as a script does. */
export async function stuffingAttack(
  send: Sender,
  db: Db,
  opts: { deskCode: string; posts?: number; address?: string; answers: Record<string, string> },
): Promise<Figures> {
  const posts = opts.posts ?? 200;
  // The script loads the page once and replays its fields.
  const form = await openForm(send, opts.deskCode, opts.address);
  const ids: string[] = [];
  let thanked = 0;
  for (let i = 0; i < posts; i++) {
    const submissionId = randomUUID();
    ids.push(submissionId);
    const res = await send({
      method: 'POST',
      url: `/q/${opts.deskCode}`,
      address: opts.address,
      form: { ...opts.answers, ...form, submissionId, website: '' },
    });
    if (res.statusCode === 200 && THANKS.test(res.body)) thanked += 1;
  }
  return figures(db, ids, thanked);
}

/** A small deterministic generator, so that a failing run can be repeated. */
function prng(seed: number) {
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
 * What citizens of a centre answer: most are very satisfied on every item
 * (the pattern a burst check must not mistake for stuffing), some satisfied,
 * the rest mixed; the feedback item is mostly "not applicable".
 */
function citizenAnswers(rand: () => number): Record<string, string> {
  const roll = rand();
  const item = () => (roll < 0.45 ? '5' : roll < 0.65 ? '4' : String(2 + Math.floor(rand() * 4)));
  const answers: Record<string, string> = {
    access: item(),
    procedure: item(),
    staff: item(),
    result: item(),
    feedback: rand() < 0.7 ? 'na' : item(),
    overall: item(),
    trips: rand() < 0.8 ? '1' : '2',
  };
  if (rand() < 0.15) answers.comment = 'Cán bộ hướng dẫn tận tình.';
  return answers;
}

/**
 * `people` citizens at one poster, one every 1–8 minutes (about 4 on
 * average: a busy desk), most on the centre's Wi-Fi behind one NAT address,
 * the others on mobile data; each takes at least `thinkSeconds` to answer.
 */
export async function normalControl(
  send: Sender,
  db: Db,
  opts: { deskCode: string; deskId: number; people?: number; seed?: number; thinkSeconds?: number },
): Promise<Figures> {
  const people = opts.people ?? 50;
  const rand = prng(opts.seed ?? 20261122);
  const citizens = [];
  for (let i = 0; i < people; i++) {
    const address = rand() < 0.7 ? '198.51.100.20' : `10.${i}.${Math.floor(rand() * 250)}.${1 + (i % 250)}`;
    citizens.push({ address, answers: citizenAnswers(rand), gap: 60 + Math.floor(rand() * 420) });
  }
  // Everyone opens the form, then takes time to read and answer.
  const forms = [];
  for (const c of citizens) forms.push(await openForm(send, opts.deskCode, c.address));
  await new Promise((r) => setTimeout(r, (opts.thinkSeconds ?? 5) * 1000));
  const ids: string[] = [];
  let thanked = 0;
  for (const [i, c] of citizens.entries()) {
    await letTimePass(db, opts.deskId, c.gap);
    const submissionId = randomUUID();
    ids.push(submissionId);
    const res = await send({
      method: 'POST',
      url: `/q/${opts.deskCode}`,
      address: c.address,
      form: { ...c.answers, ...forms[i], submissionId, website: '' },
    });
    if (res.statusCode === 200 && THANKS.test(res.body)) thanked += 1;
  }
  return figures(db, ids, thanked);
}
