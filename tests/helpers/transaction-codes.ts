import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Test } from 'tap';
import { createApiKey } from '../../server/features/access/api-key-service.ts';
import type { Config } from '../../server/platform/config.ts';
import type { Db } from '../../server/platform/db/connect.ts';
import { createDesk, unitCode } from './fixtures.ts';
import { testApp } from './harness.ts';

// What the one-time code tests share: a desk with a manager key of its
// centre, the issue call, and where to look for what must not be stored.

export const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});

/** Issues a code; a fresh dossier reference unless the body names one (or sets it undefined). */
export async function issue(app: FastifyInstance, key: string, body: object) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/transaction-codes',
    headers: { authorization: `Bearer ${key}` },
    payload: { dossierRef: `HS-${randomUUID()}`, ...body },
  });
}

export async function setup(t: Test, overrides: Partial<Config> = {}) {
  const { app, db } = await testApp(t, overrides);
  const desk = await createDesk(db, ['dat-dai', 'xay-dung']);
  const centreCode = await unitCode(db, desk.centreId);
  const created = (await createApiKey(db, { unitCode: centreCode, role: 'manager', label: 'máy in quầy' }))!;
  return { app, db, desk, key: created.key, keyId: created.id, centreCode };
}

/** Every text, JSON and array column of a table, as one string, to search for what must not be there. */
export async function allText(db: Db, table: string): Promise<string> {
  const { rows: columns } = await sql<{ column_name: string }>`
    select column_name from information_schema.columns
    where table_schema = 'public' and table_name = ${table}
      and data_type in ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`.execute(db);
  const parts = await Promise.all(
    columns.map(async ({ column_name }) => {
      const { rows } = await sql<{ v: string | null }>`
        select string_agg(${sql.ref(column_name)}::text, ' ') as v from ${sql.table(table)}`.execute(db);
      return rows[0]?.v ?? '';
    }),
  );
  return parts.join(' ');
}

export const issueAudit = (db: Db) =>
  db.selectFrom('audit_event').selectAll().where('action', '=', 'transaction_code.issue').orderBy('id').execute();
