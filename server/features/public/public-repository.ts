import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

// The public results switch of a unit (unit_publication) and the public
// replies its page shows. Scope checks are the service's. Nothing here
// leaves a citizen's moment finer than the month, an id, a desk or a note.

export interface PublicUnit {
  id: number;
  code: string;
  name: string;
  path: string;
}

/** A unit by its code, published or not (for the switch and the CLI). */
export async function findUnitByCode(db: Db, code: string): Promise<(PublicUnit & { published: boolean }) | undefined> {
  return db
    .selectFrom('unit as u')
    .leftJoin('unit_publication as p', 'p.unit_id', 'u.id')
    .select(['u.id', 'u.code', 'u.name', 'u.path'])
    .select((eb) => eb.fn.coalesce('p.published', eb.val(false)).as('published'))
    .where('u.code', '=', code)
    .executeTakeFirst();
}

export async function isPublished(db: Db, unitId: number): Promise<boolean> {
  const row = await db
    .selectFrom('unit_publication')
    .select('published')
    .where('unit_id', '=', unitId)
    .executeTakeFirst();
  return row?.published ?? false;
}

/** A published, active unit by its code; anything else is undefined, alike. */
export async function findPublishedUnit(db: Db, code: string): Promise<PublicUnit | undefined> {
  return db
    .selectFrom('unit as u')
    .innerJoin('unit_publication as p', 'p.unit_id', 'u.id')
    .select(['u.id', 'u.code', 'u.name', 'u.path'])
    .where('u.code', '=', code)
    .where('p.published', '=', true)
    .where('u.active', '=', true)
    .executeTakeFirst();
}

/** Every published, active unit, by path (a province before its communes). */
export async function listPublishedUnits(db: Db): Promise<PublicUnit[]> {
  return db
    .selectFrom('unit as u')
    .innerJoin('unit_publication as p', 'p.unit_id', 'u.id')
    .select(['u.id', 'u.code', 'u.name', 'u.path'])
    .where('p.published', '=', true)
    .where('u.active', '=', true)
    .orderBy('u.path')
    .execute();
}

export async function savePublication(db: Db, unitId: number, published: boolean, userId: number | null) {
  const row = { published, changed_by: userId };
  await db
    .insertInto('unit_publication')
    .values({ unit_id: unitId, ...row })
    .onConflict((oc) => oc.column('unit_id').doUpdateSet({ ...row, changed_at: sql`now()` }))
    .execute();
}

export interface PublicReplyRow {
  /** 'yyyy-mm' of the response, Vietnam time. */
  sentMonth: string;
  /** 'yyyy-mm' of the reply. */
  repliedMonth: string;
  unitName: string;
  serviceAreaName: string;
  reply: string;
  /** The citizen's comment, only when staff marked it publishable. */
  comment: string | null;
}

const MONTH = (column: string) => sql<string>`to_char(${sql.ref(column)} at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM')`;

/**
 * Answered feedback of the subtree whose response was sent from `from` to
 * `to` (local days): newest reply first. Held-back (suspect) responses and
 * survey rounds' forms are left out; the comment is read only when marked.
 */
export async function listPublicReplies(
  db: Db,
  q: { scopePath: string; from: string; to: string; limit: number },
): Promise<PublicReplyRow[]> {
  return db
    .selectFrom('feedback_item as f')
    .innerJoin('unit as u', 'u.id', 'f.unit_id')
    .innerJoin('response as r', 'r.id', 'f.response_id')
    .innerJoin('service_area as a', 'a.code', 'f.service_area_code')
    .leftJoin('answer as c', (j) =>
      j.onRef('c.response_id', '=', 'f.response_id').on('c.indicator_key', '=', 'comment'),
    )
    .select([
      MONTH('r.submitted_at').as('sentMonth'),
      MONTH('f.answered_at').as('repliedMonth'),
      'u.name as unitName',
      'a.name_vi as serviceAreaName',
    ])
    .select(sql<string>`f.public_answer`.as('reply'))
    .select(sql<string | null>`case when f.comment_publishable then nullif(btrim(c.value_text), '') end`.as('comment'))
    .where('u.path', 'like', `${q.scopePath}%`)
    .where('f.status', 'in', ['answered', 'closed'])
    .where('f.withheld', 'is', null)
    .where('f.public_answer', 'is not', null)
    .where('r.suspect', '=', false)
    .where('r.round_id', 'is', null)
    .where('r.submitted_at', '>=', sql<Date>`(${q.from}::date)::timestamp at time zone 'Asia/Ho_Chi_Minh'`)
    .where('r.submitted_at', '<', sql<Date>`(${q.to}::date + 1)::timestamp at time zone 'Asia/Ho_Chi_Minh'`)
    .orderBy('f.answered_at', 'desc')
    .orderBy('f.id', 'desc')
    .limit(q.limit)
    .execute();
}
