import { wholeMonths } from '../../../analysis/dossiers.ts';
import { isoDateToVi } from '../../../analysis/local-time.ts';
import { PAPI_SELF_ASSESSMENT_LABEL, type PapiRespondent, papiScores } from '../../../analysis/papi.ts';
import { type RoundEstimate, type RoundWeights, roundEstimate } from '../../../analysis/round-estimate.ts';
import { formatCountVi, formatPercentVi } from '../../../analysis/vi-number.ts';
import type { Db } from '../../platform/db/connect.ts';
import { listServiceAreas } from '../organisation/service-area-repository.ts';
import { roundAnswersByPrefix, roundFieldworkDays, roundOverallByArea } from './round-report-repository.ts';
import { type RoundRecord, roundQuotas } from './round-repository.ts';
import { resolvedByArea } from './round-service.ts';

// A survey round's results (issue 16): the stratified estimate weighted by
// the dossiers of each area (or the quotas), the pooled figure beside it,
// the response rate against the plan, the days forms were answered, a table
// per area, and for the PAPI-aligned survey its eight dimension scores. All
// from the round's own responses; every figure formatted here, once.

export const ROUND_REPORT_TITLE = 'Kết quả điều tra theo mẫu';
export const CONTINUOUS_LABEL = 'Ý kiến thường xuyên (mã QR, máy tính bảng, đường dẫn)';
/** Why the round and the continuous stream may disagree, in one plain sentence. */
export const WHY_DIFFERENT =
  'Ý kiến thường xuyên do người dân tự chọn gửi (qua mã QR, máy tính bảng hoặc đường dẫn) nên có thể nghiêng về những người muốn lên tiếng; ' +
  'đợt điều tra theo mẫu chọn người trả lời theo chỉ tiêu của từng lĩnh vực nên đại diện hơn cho mọi người đã làm thủ tục, vì vậy hai kết quả có thể khác nhau.';

const WEIGHTS_TEXT: Record<RoundWeights, string> = {
  volumes:
    'Tỷ lệ hài lòng được tính riêng cho từng lĩnh vực rồi cộng lại theo tỷ trọng số hồ sơ đã giải quyết của lĩnh vực trong kỳ tham chiếu: ' +
    'lĩnh vực nhiều hồ sơ có trọng số lớn hơn, dù thu được nhiều hay ít phiếu.',
  quotas:
    'Đợt này chưa có số liệu hồ sơ đã giải quyết trong kỳ tham chiếu, nên tỷ lệ của từng lĩnh vực được cộng lại theo tỷ trọng chỉ tiêu số phiếu của lĩnh vực.',
};

/** Resolved dossiers per area over the round's reference period, or null when it has none. */
async function resolvedInReference(db: Db, r: RoundRecord): Promise<Map<string, number> | null> {
  const months = r.referenceFrom && r.referenceTo ? wholeMonths(r.referenceFrom, r.referenceTo) : null;
  return months?.length ? resolvedByArea(db, r.unitPath, months) : null;
}

export interface RoundFigures {
  estimate: RoundEstimate;
  /** 'yyyy-mm-dd' of the first and last form answered; null without any. */
  fieldwork: { first: string; last: string } | null;
}

/** The round's estimate over its planned areas and those that have responses, in the catalogue's order. */
export async function roundFigures(db: Db, r: RoundRecord): Promise<RoundFigures> {
  const [quotas, counts, resolved, fieldwork, areas] = await Promise.all([
    roundQuotas(db, r.id),
    roundOverallByArea(db, r.id),
    resolvedInReference(db, r),
    roundFieldworkDays(db, r.id),
    listServiceAreas(db),
  ]);
  const planned = new Map(quotas.map((q) => [q.code, q.quota]));
  const byCode = new Map(counts.map((c) => [c.code, c]));
  const codes = areas.map((a) => a.code).filter((code) => planned.has(code) || byCode.has(code));
  const estimate = roundEstimate(
    codes.map((code) => ({
      code,
      responses: byCode.get(code)?.responses ?? 0,
      n: byCode.get(code)?.n ?? 0,
      satisfied: byCode.get(code)?.satisfied ?? 0,
      resolved: resolved ? (resolved.get(code) ?? 0) : null,
      planned: planned.get(code) ?? 0,
    })),
  );
  return { estimate, fieldwork };
}

const interval = (ci: [number, number] | null) => (ci ? `${formatPercentVi(ci[0])} – ${formatPercentVi(ci[1])}` : '—');
const SCORE = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** A PAPI score as vi-VN with two decimals, as PAPI publishes them: 6,40. */
const score = (x: number | null) => (x === null ? '—' : SCORE.format(Math.round(x * 100) / 100));
const scoreInterval = (ci: [number, number] | null) => (ci ? `${score(ci[0])} – ${score(ci[1])}` : '—');

/** The estimate's headline texts, shared by the round page and the dashboard. */
export function estimateTexts(e: RoundEstimate) {
  return {
    stratified: e.stratified
      ? { rate: formatPercentVi(e.stratified.rate), interval: interval(e.stratified.ci95) }
      : null,
    unweighted: {
      rate: formatPercentVi(e.unweighted.rate),
      interval: interval(e.unweighted.ci95),
      n: formatCountVi(e.unweighted.n),
    },
    responses: formatCountVi(e.responses),
    planned: formatCountVi(e.planned),
    responseRate: formatPercentVi(e.responseRate),
  };
}

async function papiView(db: Db, r: RoundRecord) {
  const { responseIds, answers } = await roundAnswersByPrefix(db, r.id, 'papi.');
  const byResponse = new Map<string, Record<string, number | string | null>>(responseIds.map((id) => [id, {}]));
  for (const a of answers) {
    const row = byResponse.get(a.responseId);
    if (row) row[a.key] = a.num ?? a.option;
  }
  const scores = papiScores([...byResponse.values()] as PapiRespondent[]);
  return {
    label: PAPI_SELF_ASSESSMENT_LABEL.vi,
    respondents: formatCountVi(scores.respondents),
    dimensions: scores.dimensions.map((d) => ({
      key: d.key,
      name: d.name.vi,
      score: score(d.score),
      interval: scoreInterval(d.ci95),
    })),
    total: {
      score: score(scores.total.score),
      max: formatCountVi(scores.total.max),
      interval: scoreInterval(scores.total.ci95),
    },
  };
}

/** The round page's results section. */
export async function roundReport(db: Db, r: RoundRecord) {
  const [{ estimate: e, fieldwork }, areas, papi] = await Promise.all([
    roundFigures(db, r),
    listServiceAreas(db),
    r.surveyCode === 'papi-xa' ? papiView(db, r) : Promise.resolve(null),
  ]);
  const names = new Map(areas.map((a) => [a.code, a.nameVi]));
  return {
    title: ROUND_REPORT_TITLE,
    continuousLabel: CONTINUOUS_LABEL,
    whyDifferent: WHY_DIFFERENT,
    design: {
      population: formatCountVi(r.population),
      margin: formatPercentVi(r.margin),
      n: formatCountVi(e.planned),
      allocation: r.allocation === 'equal' ? 'chia đều giữa các lĩnh vực' : 'theo tỷ lệ số hồ sơ đã giải quyết',
      reference:
        r.referenceFrom && r.referenceTo ? `${isoDateToVi(r.referenceFrom)} – ${isoDateToVi(r.referenceTo)}` : null,
      weights: e.weights,
      weightsName: e.weights === 'volumes' ? 'số hồ sơ đã giải quyết' : 'chỉ tiêu số phiếu',
      weightsText: WEIGHTS_TEXT[e.weights],
    },
    ...estimateTexts(e),
    fieldwork: fieldwork ? { first: isoDateToVi(fieldwork.first), last: isoDateToVi(fieldwork.last) } : null,
    areas: e.areas.map((a) => ({
      code: a.code,
      name: names.get(a.code) ?? a.code,
      responses: formatCountVi(a.responses),
      planned: formatCountVi(a.planned),
      responseRate: formatPercentVi(a.responseRate),
      n: formatCountVi(a.n),
      rate: formatPercentVi(a.rate),
      interval: interval(a.ci95),
      share: formatPercentVi(a.share),
      smallSample: a.smallSample && !a.suppressed,
      suppressed: a.suppressed && a.n > 0,
    })),
    papi,
  };
}

export type RoundReportView = Awaited<ReturnType<typeof roundReport>>;
