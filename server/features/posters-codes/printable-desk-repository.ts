import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

export interface DeskToPrint {
  id: number;
  code: string;
  name: string;
  unitName: string;
  parentName: string | null;
  /** Vietnamese names of the active service areas the desk serves, in display order. */
  serviceAreas: string[];
}

/**
 * The active desks of active units in a subtree (`unitPath` and below), in
 * unit then desk order: the pages of a centre's poster PDF.
 */
export async function listPrintableDesks(db: Db, unitPath: string): Promise<DeskToPrint[]> {
  return db
    .selectFrom('desk as d')
    .innerJoin('unit as u', 'u.id', 'd.unit_id')
    .leftJoin('unit as p', 'p.id', 'u.parent_id')
    .select([
      'd.id',
      'd.code',
      'd.name',
      'u.name as unitName',
      'p.name as parentName',
      sql<string[]>`coalesce(
        (select array_agg(a.name_vi order by a.sort_order, a.code)
           from desk_service_area dsa
           join service_area a on a.code = dsa.service_area_code
          where dsa.desk_id = d.id and a.active),
        '{}')`.as('serviceAreas'),
    ])
    .where('u.path', 'like', `${unitPath}%`)
    .where('d.active', '=', true)
    .where('u.active', '=', true)
    .orderBy('u.path')
    .orderBy('d.code')
    .execute();
}
