import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { signRenderToken } from '../../server/features/submission/stuffing-rules.ts';
import type { Config } from '../../server/platform/config.ts';
import type { Db } from '../../server/platform/db/connect.ts';
import { createDesk, deskSubmitHeaders, VALID_FORM_ANSWERS } from './fixtures.ts';
import { testApp } from './harness.ts';

// What the anti-stuffing tests share: an app with a known form secret, a
// desk, render tokens as of any moment, and posts through the form and the API.

export const SECRET = 'bí-mật-ký-phiếu-thử-nghiệm-đủ-dài-32+';
export const NAT = '198.51.100.20';

export async function setup(t: Test, overrides: Partial<Config> = {}) {
  const { app, db, config } = await testApp(t, { formSecret: SECRET, ...overrides });
  const desk = await createDesk(db, ['ho-tich']);
  return { app, db, config, desk };
}

/** A render token as if the page had been opened `secondsAgo` seconds ago. */
export const tokenFor = (deskCode: string, secondsAgo = 60) =>
  signRenderToken(Buffer.from(SECRET), deskCode, Date.now() - secondsAgo * 1000);

/** Distinct scale answers for each i < 125, so that no burst forms. */
export const variant = (i: number): Record<string, string> => ({
  ...VALID_FORM_ANSWERS,
  access: String(1 + (i % 5)),
  procedure: String(1 + (Math.floor(i / 5) % 5)),
  staff: String(1 + (Math.floor(i / 25) % 5)),
});

export function postForm(app: FastifyInstance, deskCode: string, fields: Record<string, string>, address = NAT) {
  return app.inject({
    method: 'POST',
    url: `/q/${deskCode}`,
    remoteAddress: address,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ submissionId: randomUUID(), ...fields }).toString(),
  });
}

export async function postApi(
  app: FastifyInstance,
  deskCode: string,
  answers: Record<string, unknown>,
  submissionId = randomUUID(),
  channel = 'kiosk',
) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/responses',
    headers: await deskSubmitHeaders(app.db, deskCode),
    payload: { desk: deskCode, answers, submissionId, channel },
  });
}

export const FIVES = { access: '5', procedure: '5', staff: '5', result: '5', overall: '5' };

/** The same as the API takes them: scores as numbers. */
export const apiAnswers = (i = 0) =>
  Object.fromEntries(
    Object.entries(variant(i)).map(([k, v]) => [k, /^[1-5]$/.test(v) && k !== 'trips' ? Number(v) : v]),
  );

export async function stored(db: Db) {
  return db
    .selectFrom('response')
    .select(['id', 'suspect', 'suspect_reason', 'client_key', 'verified'])
    .orderBy('id')
    .execute();
}

export const THANKS = /Cảm ơn Ông\/Bà đã dành thời gian đánh giá!/;
