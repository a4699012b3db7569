import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { CLI_ACTOR, createAccount } from '../../server/features/access/account-service.ts';
import { createApiKey } from '../../server/features/access/api-key-service.ts';
import { insertDesk } from '../../server/features/organisation/desk-repository.ts';
import { insertFirstEntry, saveSecondEntry } from '../../server/features/rounds/round-form-repository.ts';
import { insertRound } from '../../server/features/rounds/round-repository.ts';
import { latestVersion } from '../../server/features/surveys/survey-version-repository.ts';
import { insertUpload } from '../../server/features/volumes/volume-upload-repository.ts';
import { insertEndpoint } from '../../server/features/webhooks/webhook-repository.ts';
import type { Db } from '../../server/platform/db/connect.ts';
import { recordEvent } from '../../server/platform/events/outbox.ts';
import { createCentre, submitHeaders, unitCode } from './fixtures.ts';

// One of everything a staff or API route can name, in one commune: for the
// tests that walk the whole route table (the cross-unit matrix, the CSP scan).

/**
 * A commune "Xã <name>" with its centre; a desk there serving two areas; a
 * manager key of the centre; seven responses through the API (for the
 * charts; the last with a comment, whose feedback item `fill` names); a
 * one-time code issued by that key; and a satisfaction target of the
 * commune; a clerk of the centre and their set-password link; a file of
 * the centre's dossier volumes uploaded by the clerk, awaiting its
 * confirmation; a counter tablet paired with the desk; a survey round of
 * the commune, with a paper form whose two entries disagree; a webhook of
 * the commune with one delivery. `fill` gives
 * every route parameter a value of this commune.
 */
export async function oneOfEverything(app: FastifyInstance, db: Db, name: string) {
  const names = {
    commune: `Xã ${name}`,
    desk: `Quầy ${name}`,
    key: `khóa ${name}`,
    comment: `Góp ý ${name}`,
    plan: `Kế hoạch ${name}`,
    account: `Cán bộ ${name}`,
  };
  const slug = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/gi, 'd')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase();
  const centre = await createCentre(db, names.commune);
  const deskCode = `${slug}-quay-${centre.centreId}`;
  const deskId = await insertDesk(db, {
    unitId: centre.centreId,
    code: deskCode,
    name: names.desk,
    serviceAreas: ['dat-dai', 'ho-tich'],
  });
  const key = (await createApiKey(db, {
    unitCode: await unitCode(db, centre.centreId),
    role: 'manager',
    label: names.key,
  }))!;
  const headers = await submitHeaders(db, centre.centreId);
  for (let i = 0; i < 7; i++) {
    // The commented one last: its feedback item is the newest.
    const answers =
      i === 6
        ? { access: 1, procedure: 1, staff: 1, result: 1, feedback: 'na', overall: 1, comment: names.comment }
        : { access: 4, procedure: 3, staff: 5, result: 4, feedback: 'na', overall: i < 2 ? 2 : 5 };
    const posted = await app.inject({
      method: 'POST',
      url: '/api/v1/responses',
      headers,
      payload: { desk: deskCode, serviceArea: 'dat-dai', submissionId: randomUUID(), answers },
    });
    if (posted.statusCode !== 201) throw new Error(`fixture response: ${posted.statusCode} ${posted.body}`);
  }
  // A code issued at the desk by the centre's key: a page blind to the scope would name both.
  const issued = await app.inject({
    method: 'POST',
    url: '/api/v1/transaction-codes',
    headers: { authorization: `Bearer ${key.key}` },
    payload: { desk: deskCode, serviceArea: 'dat-dai', dossierRef: `HS-${slug}-0` },
  });
  if (issued.statusCode !== 201) throw new Error(`fixture code: ${issued.statusCode} ${issued.body}`);
  const feedback = await db.selectFrom('feedback_item').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
  // A counter tablet paired with the desk through the key's pairing code.
  const pairing = await app.inject({
    method: 'POST',
    url: '/api/v1/kiosk-pairings',
    headers: { authorization: `Bearer ${key.key}` },
    payload: { desk: deskCode },
  });
  const paired = await app.inject({
    method: 'POST',
    url: '/kiosk/api/pair',
    payload: { code: String(pairing.json().pairingCode) },
  });
  if (paired.statusCode !== 200) throw new Error(`fixture tablet: ${paired.statusCode} ${paired.body}`);
  const device = await db.selectFrom('kiosk_device').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
  const target = await db
    .insertInto('plan_target')
    .values({
      unit_id: centre.communeId,
      service_area_code: null,
      metric: 'satisfaction_rate',
      factor_key: null,
      comparison: 'gte',
      threshold: '0.9',
      valid_from: '2026-01-01',
      valid_to: '2026-12-31',
      source_plan: names.plan,
      source_clause: null,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  // A survey round of the commune with a quota.
  const roundId = await insertRound(
    db,
    {
      unitId: centre.communeId,
      code: `dot-${slug}`,
      surveyVersionId: (await latestVersion(db, 'sipas-quick'))!.id,
      fieldworkFrom: '2026-04-01',
      fieldworkTo: '2026-06-30',
      referenceFrom: null,
      referenceTo: null,
      population: 1000,
      populationSource: 'typed',
      margin: 0.05,
      allocation: 'equal',
      quotas: [{ code: 'dat-dai', quota: 286 }],
    },
    null,
  );
  // Paper form 7 of the round, typed twice with a difference: it awaits reconciliation.
  const paper = { serial: 7, surveyedOn: '2026-04-15', unitId: centre.centreId, serviceArea: 'dat-dai' };
  await insertFirstEntry(db, roundId, { ...paper, answers: { overall: '5' } }, null);
  await saveSecondEntry(db, roundId, { ...paper, answers: { overall: '4' } }, null, { status: 'disagree' });
  // A clerk of the centre, with the one-time link to set their password.
  const account = await createAccount(db, CLI_ACTOR, {
    email: `can-bo-${slug}-${centre.centreId}@example.gov.vn`,
    name: names.account,
    role: 'staff',
    unitId: centre.centreId,
  });
  if (account.status !== 'ok') throw new Error(`fixture account: ${account.status}`);
  // Balanced: 5 received = 5 resolved.
  const row = { serviceArea: 'dat-dai', receivedOnline: 3, receivedDirect: 2, carriedOver: 0, resolvedEarly: 1 };
  const uploadId = await insertUpload(db, {
    userId: account.id,
    fileName: `so-lieu-${slug}.xlsx`,
    batches: [
      {
        unit: await unitCode(db, centre.centreId),
        month: '2026-01',
        ref: 'Dòng 2',
        rows: [
          {
            ref: 'Dòng 2',
            row: {
              ...row,
              resolvedOnTime: 3,
              resolvedLate: 1,
              pendingOnTime: 0,
              pendingOverdue: 0,
              dissatisfiedOrComplained: null,
              complaints: null,
              complaintsOnTime: null,
            },
          },
        ],
      },
    ],
  });
  // A webhook of the commune (issue 18) and its delivery of one event.
  const webhook = await insertEndpoint(db, {
    unitId: centre.communeId,
    url: 'https://hooks.example.vn/alpha',
    events: ['feedback.created'],
    secret: 'alpha-secret-0123456789',
    createdBy: 'test',
  });
  await recordEvent(db, { event: 'feedback.created', unitId: centre.centreId, data: { fixture: true } });
  const delivery = await db
    .selectFrom('webhook_delivery')
    .select('id')
    .where('endpoint_id', '=', String(webhook.id))
    .executeTakeFirstOrThrow();
  const fill: Record<string, string> = {
    unitId: String(centre.centreId),
    deskId: String(deskId),
    targetId: String(target.id),
    feedbackId: String(feedback.id),
    keyId: String(key.id),
    surveyCode: 'sipas-quick',
    code: 'sipas-quick',
    userId: String(account.id),
    token: account.link.token,
    uploadId,
    deviceId: String(device.id),
    roundId: String(roundId),
    serial: '7',
    webhookId: String(webhook.id),
    deliveryId: delivery.id,
  };
  return { ...centre, deskCode, deskId, key, names, fill, issuedUrl: String(issued.json().url) };
}
