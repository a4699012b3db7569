import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

// The queries of the paused-webhook mail (webhook-paused-mail.ts).

export interface PausedEndpoint {
  id: number;
  unitId: number;
  unitName: string;
  url: string;
  pausedAt: Date | null;
  failingSince: Date | null;
  ownerUserId: number | null;
}

export async function findEndpointForMail(db: Db, id: number): Promise<PausedEndpoint | undefined> {
  const { rows } = await sql<PausedEndpoint>`
    select e.id::int as id, e.unit_id as "unitId", u.name as "unitName", e.url, e.paused_at as "pausedAt",
           e.failing_since as "failingSince", e.owner_user_id as "ownerUserId"
      from webhook_endpoint e join unit u on u.id = e.unit_id
     where e.id = ${id}`.execute(db);
  return rows[0];
}

/** Whether the user's account is active. */
export async function isActiveUser(db: Db, userId: number): Promise<boolean> {
  const { rows } = await sql<{ ok: boolean }>`select active as ok from app_user where id = ${userId}`.execute(db);
  return rows[0]?.ok ?? false;
}

/** The active managers and officials whose unit is this one. */
export async function unitManagersAndOfficials(db: Db, unitId: number): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    select id from app_user
     where unit_id = ${unitId} and role in ('manager', 'official') and active
     order by id`.execute(db);
  return rows.map((r) => r.id);
}
