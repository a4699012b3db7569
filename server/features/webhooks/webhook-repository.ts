import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

// Webhook endpoints (migration 2026-12-05T2200_outbox.ts). A unit's endpoint
// hears the events of the unit and of every unit below it; callers pass the
// actor's unit path so that nothing outside it is ever read or changed.

export interface EndpointRow {
  id: number;
  unitId: number;
  unitCode: string;
  unitName: string;
  /** The unit's materialised path, for the scope checks of the staff pages. */
  unitPath: string;
  url: string;
  events: string[];
  createdAt: Date;
  pausedAt: Date | null;
  failingSince: Date | null;
}

const columns = sql`e.id::int as id, u.id as "unitId", u.code as "unitCode", u.name as "unitName",
  u.path as "unitPath", e.url, e.events, e.created_at as "createdAt",
  e.paused_at as "pausedAt", e.failing_since as "failingSince"`;

/** The unit with this code, if it is in the subtree at `scopePath`. */
export async function findUnitInScope(db: Db, code: string, scopePath: string): Promise<number | undefined> {
  const { rows } = await sql<{ id: number }>`
    select id from unit where code = ${code} and starts_with(path, ${scopePath})`.execute(db);
  return rows[0]?.id;
}

export async function insertEndpoint(
  db: Db,
  e: { unitId: number; url: string; events: string[]; secret: string; createdBy: string; ownerUserId?: number | null },
): Promise<EndpointRow> {
  const { rows } = await sql<EndpointRow>`
    with made as (
      insert into webhook_endpoint (unit_id, url, events, secret, created_by, owner_user_id)
      values (${e.unitId}, ${e.url}, ${e.events}::text[], ${e.secret}, ${e.createdBy}, ${e.ownerUserId ?? null})
      returning *)
    select ${columns} from made e join unit u on u.id = e.unit_id`.execute(db);
  return rows[0]!;
}

export async function countEndpoints(db: Db, unitId: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from webhook_endpoint where unit_id = ${unitId}`.execute(db);
  return rows[0]?.n ?? 0;
}

/** Endpoints of the units in the subtree at `scopePath`, oldest first. */
export async function listEndpoints(db: Db, scopePath: string): Promise<EndpointRow[]> {
  const { rows } = await sql<EndpointRow>`
    select ${columns} from webhook_endpoint e join unit u on u.id = e.unit_id
     where starts_with(u.path, ${scopePath}) order by e.id`.execute(db);
  return rows;
}

/** The endpoint with this id if it is in the subtree at `scopePath`. */
export async function findEndpointInScope(db: Db, id: number, scopePath: string): Promise<EndpointRow | undefined> {
  const { rows } = await sql<EndpointRow>`
    select ${columns} from webhook_endpoint e join unit u on u.id = e.unit_id
     where e.id = ${id} and starts_with(u.path, ${scopePath})`.execute(db);
  return rows[0];
}

/** Deletes the endpoint (and its deliveries) if it is in the subtree; its unit id, or undefined. */
export async function deleteEndpointInScope(db: Db, id: number, scopePath: string): Promise<number | undefined> {
  const { rows } = await sql<{ unitId: number }>`
    delete from webhook_endpoint e using unit u
     where e.id = ${id} and u.id = e.unit_id and starts_with(u.path, ${scopePath})
    returning e.unit_id as "unitId"`.execute(db);
  return rows[0]?.unitId;
}

/** The active units of the subtree at `scopePath`, for the form's choice, in tree order. */
export async function listUnitChoices(
  db: Db,
  scopePath: string,
): Promise<{ code: string; name: string; depth: number }[]> {
  const { rows } = await sql<{ code: string; name: string; depth: number }>`
    select code, name, cardinality(string_to_array(trim(both '/' from path), '/')) as depth
      from unit where starts_with(path, ${scopePath}) and active order by path`.execute(db);
  const top = rows.length ? Math.min(...rows.map((r) => r.depth)) : 0;
  return rows.map((r) => ({ ...r, depth: r.depth - top }));
}
