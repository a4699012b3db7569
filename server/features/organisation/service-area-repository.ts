import type { Db } from '../../platform/db/connect.ts';

// The service areas (lĩnh vực: đất đai, hộ tịch, …): one list, in catalogue order.

export interface AreaOption {
  code: string;
  nameVi: string;
  nameEn: string;
  active: boolean;
}

/** Every service area, or only the active ones (those a new desk, survey or target may use). */
export async function listServiceAreas(db: Db, { activeOnly = false } = {}): Promise<AreaOption[]> {
  let q = db.selectFrom('service_area').select(['code', 'name_vi as nameVi', 'name_en as nameEn', 'active']);
  if (activeOnly) q = q.where('active', '=', true);
  return q.orderBy('sort_order').orderBy('code').execute();
}
