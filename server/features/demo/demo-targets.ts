import type { Db } from '../../platform/db/connect.ts';
import { insertTarget, type TargetWrite } from '../targets/target-repository.ts';

// The plan targets of the seed plans (methodology §5), each on the commune
// or ward whose plan sets it, with the plan and the clause it comes from.
// Only values written in the plans: Tân Hội (000) and Hà Tiến (002) set no
// measurable target for these metrics, so they get none.

type DemoTarget = Omit<TargetWrite, 'unitId'>;

const TIEN_PHONG_PLAN = 'Kế hoạch số 04/KH-UBND ngày 12/01/2024 của UBND xã Tiền Phong';
const TIEN_PHONG_CLAUSE =
  'Phụ lục Nhiệm vụ cụ thể, mục 6 «Thủ tục hành chính công», c) «Dịch vụ hành chính cấp xã», cột Chỉ tiêu';
const YEAR_2024 = { validFrom: '2024-01-01', validTo: '2024-12-31' };

const tienPhongSatisfaction85 = (serviceAreaCode: string): DemoTarget => ({
  serviceAreaCode,
  metric: 'satisfaction_rate',
  factorKey: null,
  comparison: 'gte',
  threshold: 0.85,
  ...YEAR_2024,
  sourcePlan: TIEN_PHONG_PLAN,
  sourceClause: `${TIEN_PHONG_CLAUSE}: «Trong đó, mức độ hài lòng về giải quyết các TTHC lĩnh vực đất đai, xây dựng, đầu tư đạt tối thiểu 85%»`,
});

const DINH_LAP_PLAN = 'Kế hoạch số 235/KH-UBND ngày 06/7/2026 của UBND xã Đình Lập';
const YEAR_2026 = { validFrom: '2026-01-01', validTo: '2026-12-31' };

const HOI_AN_DONG_PLAN =
  'Kế hoạch cải thiện, nâng cao kết quả các Chỉ số PAR INDEX, SIPAS, PAPI năm 2025 trên địa bàn phường Hội An Đông (UBND phường Hội An Đông; bản trong hồ sơ không ghi số, ngày)';

export const DEMO_TARGETS: Record<string, DemoTarget[]> = {
  'tien-phong': [
    {
      serviceAreaCode: null,
      metric: 'satisfaction_rate',
      factorKey: null,
      comparison: 'gte',
      threshold: 0.9,
      ...YEAR_2024,
      sourcePlan: TIEN_PHONG_PLAN,
      sourceClause: `${TIEN_PHONG_CLAUSE}: «Mức độ hài lòng của người dân, doanh nghiệp về giải quyết TTHC đạt tối thiểu 90%»`,
    },
    tienPhongSatisfaction85('dat-dai'),
    tienPhongSatisfaction85('xay-dung'),
    tienPhongSatisfaction85('dau-tu-kinh-doanh'),
    {
      serviceAreaCode: null,
      metric: 'on_time_rate',
      factorKey: null,
      comparison: 'gt',
      threshold: 0.95,
      ...YEAR_2024,
      sourcePlan: TIEN_PHONG_PLAN,
      sourceClause: `${TIEN_PHONG_CLAUSE}: «Trên 95% số hồ sơ TTHC được trả kết quả giải quyết đúng hạn»`,
    },
    {
      serviceAreaCode: null,
      metric: 'early_rate',
      factorKey: null,
      comparison: 'gte',
      threshold: 0.8,
      ...YEAR_2024,
      sourcePlan: TIEN_PHONG_PLAN,
      sourceClause: `${TIEN_PHONG_CLAUSE}: «phấn đấu 80% hồ sơ TTHC trả kết quả trước hạn» (mục tiêu phấn đấu)`,
    },
    {
      serviceAreaCode: null,
      metric: 'feedback_handled_rate',
      factorKey: null,
      comparison: 'gte',
      threshold: 1,
      ...YEAR_2024,
      sourcePlan: TIEN_PHONG_PLAN,
      sourceClause: `${TIEN_PHONG_CLAUSE}: «100% phản ánh, kiến nghị được tiếp nhận, xử lý kịp thời và công khai theo đúng quy định»`,
    },
    {
      serviceAreaCode: null,
      metric: 'training_rate',
      factorKey: null,
      comparison: 'gte',
      threshold: 1,
      ...YEAR_2024,
      sourcePlan: TIEN_PHONG_PLAN,
      sourceClause: `${TIEN_PHONG_CLAUSE}: «100% công chức, viên chức làm việc tại Bộ phận Một cửa các cấp được tập huấn ít nhất 1 lần/năm»`,
    },
  ],
  'dinh-lap': [
    {
      serviceAreaCode: null,
      metric: 'on_time_rate',
      factorKey: null,
      comparison: 'gt',
      threshold: 0.99,
      ...YEAR_2026,
      sourcePlan: DINH_LAP_PLAN,
      sourceClause:
        'Phụ lục I, mục III.3 «Kết quả giải quyết hồ sơ TTHC»: «Tỷ lệ hồ sơ TTHC do cấp xã tiếp nhận trong năm được giải quyết đúng hạn đạt trên 99%»',
    },
    {
      serviceAreaCode: null,
      metric: 'feedback_handled_rate',
      factorKey: null,
      comparison: 'gte',
      threshold: 1,
      ...YEAR_2026,
      sourcePlan: DINH_LAP_PLAN,
      sourceClause:
        'Phụ lục I, mục III.4 «Tiếp nhận, xử lý phản ánh, kiến nghị (PAKN)»: «Xử lý PAKN của cá nhân, tổ chức đối với TTHC thuộc thẩm quyền giải quyết của xã đạt 100%. 100% số PAKN đã xử lý, trả lời được công khai theo quy định»',
    },
  ],
  'hoi-an-dong': [
    {
      serviceAreaCode: null,
      metric: 'late_rate',
      factorKey: null,
      comparison: 'lt',
      threshold: 0.01,
      validFrom: '2025-01-01',
      validTo: '2025-12-31',
      sourcePlan: HOI_AN_DONG_PLAN,
      sourceClause:
        'Mục II.2.2 «Tiêu chí về Cung ứng dịch vụ công»: «Giảm thiểu tối đa hồ sơ giải quyết chậm hạn (dưới 1%)»',
    },
  ],
};

/**
 * Satisfaction targets for the current year, so that the demo dashboard
 * judges something: the values of the one seed plan that sets them (Tiền
 * Phong: ≥ 90% overall, ≥ 85% for land, construction and investment),
 * applied to every demo commune and labelled as demo data, never as a plan
 * the commune adopted.
 */
export function currentDemoTargets(year: number): DemoTarget[] {
  const validity = { validFrom: `${year}-01-01`, validTo: `${year}-12-31` };
  const sourcePlan = `Chỉ tiêu minh họa (dữ liệu mẫu), theo mức của ${TIEN_PHONG_PLAN}`;
  const rate = (serviceAreaCode: string | null, threshold: number): DemoTarget => ({
    serviceAreaCode,
    metric: 'satisfaction_rate',
    factorKey: null,
    comparison: 'gte',
    threshold,
    ...validity,
    sourcePlan,
    sourceClause: null,
  });
  return [rate(null, 0.9), rate('dat-dai', 0.85), rate('xay-dung', 0.85), rate('dau-tu-kinh-doanh', 0.85)];
}

const DOSSIER_METRICS = new Set(['on_time_rate', 'early_rate', 'late_rate']);

/**
 * The dossier targets a commune's plan sets for another year, copied to the
 * current year and labelled as demo data, so that the demo's dossier volumes
 * get verdicts on the default dashboard (this quarter) too. A target whose
 * year is the current one (Đình Lập's in 2026) already applies: no copy.
 */
export function currentDemoDossierTargets(communeCode: string, year: number): DemoTarget[] {
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  return (DEMO_TARGETS[communeCode] ?? [])
    .filter((t) => DOSSIER_METRICS.has(t.metric) && !(t.validFrom <= from && t.validTo >= to))
    .map((t) => ({
      ...t,
      validFrom: from,
      validTo: to,
      sourcePlan: `Chỉ tiêu minh họa (dữ liệu mẫu), theo mức của ${t.sourcePlan}`,
      sourceClause: null,
    }));
}

/** Adds the targets of a demo commune's plan, and the current year's demo targets, to its unit; returns how many. */
export async function seedDemoTargets(db: Db, communeCode: string, communeId: number, year: number): Promise<number> {
  const targets = [
    ...(DEMO_TARGETS[communeCode] ?? []),
    ...currentDemoTargets(year),
    ...currentDemoDossierTargets(communeCode, year),
  ];
  for (const t of targets) await insertTarget(db, { ...t, unitId: communeId }, null);
  return targets.length;
}
