import { type Kysely, sql } from 'kysely';

// Reference data every deployment needs: the service areas (lĩnh vực) of
// one-stop procedures. Frozen here; later changes come as new migrations or
// through the staff pages.
const AREAS: [code: string, vi: string, en: string][] = [
  ['dat-dai', 'Đất đai', 'Land'],
  ['xay-dung', 'Xây dựng', 'Construction'],
  ['dau-tu-kinh-doanh', 'Đầu tư, kinh doanh', 'Investment and business'],
  ['ho-tich', 'Hộ tịch', 'Civil status'],
  ['chung-thuc', 'Chứng thực', 'Certification'],
  ['cu-tru', 'Cư trú', 'Residence registration'],
  ['lao-dong-xa-hoi', 'Lao động, người có công và xã hội', 'Labour, war veterans and social welfare'],
  ['y-te', 'Y tế', 'Health'],
  ['giao-duc', 'Giáo dục', 'Education'],
  ['bao-hiem', 'Bảo hiểm xã hội, bảo hiểm y tế', 'Social and health insurance'],
];

export async function up(db: Kysely<any>): Promise<void> {
  await db
    .insertInto('service_area')
    .values(AREAS.map(([code, name_vi, name_en], i) => ({ code, name_vi, name_en, sort_order: (i + 1) * 10 })))
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from service_area where code in (${sql.join(AREAS.map(([c]) => c))})
    and not exists (select 1 from response r where r.service_area_code = service_area.code)`.execute(db);
}
