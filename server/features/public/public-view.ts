import { formatCountVi, formatPercentVi } from '../../../analysis/vi-number.ts';
import { formatInterval, formatRate, VERDICT_NAMES, verdictExplanation } from '../reports/exports/report-text.ts';
import { formatThreshold } from '../targets/target-rules.ts';
import type { PublicPageModel } from './public-page-service.ts';

// The public page's words and numbers (vi-VN, "90,5%", "quý III/2026"),
// from the page model; the verdict is explained in the dashboard's own
// sentences. Months only: a citizen's moment is never shown finer. Pure.

/** '2026-08' → 'tháng 8/2026'. */
export function monthVi(month: string): string {
  const [y, m] = month.split('-');
  return `tháng ${Number(m)}/${y}`;
}

export function publicPageView(m: PublicPageModel) {
  const h = m.headline;
  const judged = { ...h, target: h.target ? { id: 0, ...h.target } : null };
  return {
    unitName: m.unit.name,
    unitCode: m.unit.code,
    quarterLabel: m.quarter.label,
    headline: {
      rate: formatRate(h.rate),
      interval: formatInterval(h.ci95),
      n: formatCountVi(h.n),
      smallSample: h.smallSample && h.n > 0,
      target: h.target ? formatThreshold(h.target.comparison, h.target.threshold) : null,
      source: h.target ? [h.target.sourcePlan, h.target.sourceClause].filter(Boolean).join(', ') : null,
      verdict: h.verdict,
      verdictName: VERDICT_NAMES[h.verdict],
      explanation: verdictExplanation(judged),
    },
    quarters: m.quarters.map((q) => ({
      label: q.label,
      rate: formatRate(q.rate),
      interval: formatInterval(q.ci95),
      n: formatCountVi(q.n),
      smallSample: q.smallSample && q.n > 0,
      // Bar width in whole percent, for the CSS-only chart (no script, no inline style).
      width: q.rate === null ? 0 : Math.round(q.rate * 100),
    })),
    serviceAreas: m.serviceAreas.map((a) => ({
      name: a.name,
      n: formatCountVi(a.n),
      suppressed: a.suppressed,
      rate: a.suppressed ? null : formatRate(a.rate),
      interval: a.suppressed ? null : formatInterval(a.ci95),
      smallSample: a.smallSample && !a.suppressed,
    })),
    dossiers: m.dossiers
      ? { resolved: formatCountVi(m.dossiers.resolved), onTime: formatPercentVi(m.dossiers.onTimeRate) }
      : null,
    feedback:
      m.feedback && m.feedback.opened > 0
        ? {
            opened: formatCountVi(m.feedback.opened),
            handled: formatCountVi(m.feedback.handled),
            onTime: formatPercentVi(m.feedback.onTimeRate),
            handledOnTime: formatCountVi(m.feedback.handledOnTime),
          }
        : null,
    replies: m.replies.map((r) => ({
      sent: monthVi(r.sentMonth),
      replied: monthVi(r.repliedMonth),
      unitName: r.unitName,
      serviceAreaName: r.serviceAreaName,
      comment: r.comment,
      reply: r.reply,
    })),
  };
}

export type PublicPageView = ReturnType<typeof publicPageView>;
