import type { Readable } from 'node:stream';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import type { Actor } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { feedbackFiguresForPeriod } from '../feedback/feedback-service.ts';
import { type KioskDeviceCount, kioskCountsInScope } from '../kiosk/kiosk-count-repository.ts';
import { listServiceAreas } from '../organisation/service-area-repository.ts';
import { listUnitTree, type TreeRow } from '../organisation/unit-admin-service.ts';
import { reportCsv } from './exports/csv.ts';
import { reportDocx } from './exports/docx.ts';
import { reportPdf } from './exports/pdf.ts';
import type { ReportBundle } from './exports/report-model.ts';
import { reportTables } from './exports/report-tables.ts';
import { rawNotes, responsesCsvStream, responsesXlsxStream } from './exports/responses.ts';
import { reportXlsx } from './exports/xlsx.ts';
import { rawResponsesWorkbook } from './raw-export-service.ts';
import { periodLabel } from './report-periods.ts';
import { buildSatisfactionReport, buildTrendReport, rawResponsesExport } from './report-service.ts';
import { reportSettingsOf } from './report-settings-service.ts';

// The officials' dashboard and its exports: which units and service areas
// the filter offers (the actor's subtree only), the report bundle behind the
// page, the PDF and the spreadsheets, and the audit entry of every export.
// The exports take two handles: `reads` (app.reportDb, a streaming replica
// when there is one) for the figures and rows, `db` (the primary) for the
// audit entry, which a replica would refuse, and for the unit's report
// settings, which an official may have saved a moment ago.

export interface ReportOptions {
  units: TreeRow[];
  serviceAreas: { code: string; name: string }[];
}

export async function reportOptions(db: Db, actor: Actor): Promise<ReportOptions> {
  const [units, areas] = await Promise.all([listUnitTree(db, actor), listServiceAreas(db, { activeOnly: true })]);
  return { units, serviceAreas: areas.map((a) => ({ code: a.code, name: a.nameVi })) };
}

/**
 * The unit asked for if it lies in the actor's subtree; without one, the
 * actor's own unit (an administrator's: the first top-level unit).
 */
export function pickUnit(options: ReportOptions, actor: Actor, unitId: number | undefined): TreeRow | undefined {
  if (unitId !== undefined) return options.units.find((u) => u.id === unitId);
  return options.units.find((u) => u.id === actor.unitId) ?? options.units[0];
}

export interface ReportSelection {
  unit: TreeRow;
  from: string;
  to: string;
  serviceArea: { code: string; name: string } | null;
  trend: { from: string; to: string; interval: 'month' | 'quarter' };
}

/** The report, and for the dashboard the kiosk responses by desk and tablet (empty without any). */
export type DashboardBundle = ReportBundle & { kioskDevices: KioskDeviceCount[] };

/** Everything the dashboard, the CSV, the XLSX and the PDF show; undefined when out of scope. */
export async function loadReportBundle(
  db: Db,
  actor: Actor,
  s: ReportSelection,
  now = new Date(),
): Promise<DashboardBundle | undefined> {
  const query = { unitId: s.unit.id, from: s.from, to: s.to, serviceArea: s.serviceArea?.code ?? null };
  const [report, trend, areas] = await Promise.all([
    buildSatisfactionReport(db, actor, query),
    buildTrendReport(db, actor, { ...query, ...s.trend }),
    // Every area by name, inactive ones too: a plan target may name an area that had no answer in the period.
    listServiceAreas(db, { activeOnly: false }),
  ]);
  if (!report) return undefined;
  // The feedback service's figures of the period, for the chosen unit's
  // subtree (the unit was checked to lie inside the actor's scope).
  const [fb] = await feedbackFiguresForPeriod(db, {
    unitIds: [s.unit.id],
    from: s.from,
    to: s.to,
    serviceArea: s.serviceArea?.code ?? null,
  });
  return {
    report,
    trend: trend ?? null,
    periodLabel: periodLabel(s.from, s.to),
    serviceAreaName: s.serviceArea?.name ?? null,
    feedback: fb
      ? {
          opened: fb.opened,
          handled: fb.handled,
          handledOnTime: fb.handledOnTime,
          praise: fb.praise,
          handledRate: fb.handledRate,
          onTimeRate: fb.onTimeRate,
          handlingRated: fb.handlingRated,
          handlingSatisfied: fb.handlingSatisfied,
        }
      : null,
    issuedAt: now,
    serviceAreaNames: Object.fromEntries(areas.map((a) => [a.code, a.nameVi])),
    // Read only when the channel counts have kiosk responses: most units have no tablet.
    kioskDevices: report.channels.kiosk ? await kioskCountsInScope(db, { ...query, scopePath: s.unit.path }) : [],
  };
}

export type ExportFormat = 'csv' | 'xlsx' | 'pdf' | 'docx';

export interface ExportFile {
  /** A stream for the raw responses: written as the client reads it. */
  body: Buffer | string | Readable;
  contentType: string;
  filename: string;
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

function filename(prefix: string, s: ReportSelection, format: ExportFormat): string {
  // Unit and area codes are ASCII slugs: the name needs no encoding.
  const area = s.serviceArea ? `-${s.serviceArea.code}` : '';
  return `${prefix}-${s.unit.code}${area}-${s.from}-${s.to}.${format}`;
}

async function audit(db: Db, actor: Actor, action: string, s: ReportSelection, format: ExportFormat) {
  await recordAudit(db, {
    actorUserId: actor.userId,
    actorKeyId: actor.keyId,
    unitId: s.unit.id,
    action,
    detail: { unit: s.unit.code, serviceArea: s.serviceArea?.code ?? null, from: s.from, to: s.to, format },
  });
}

/** The report's tables (CSV, XLSX) or the written report (PDF, DOCX), audited as 'export.report'. */
export async function exportReport(
  db: Db,
  reads: Db,
  actor: Actor,
  s: ReportSelection,
  format: ExportFormat,
  now = new Date(),
): Promise<ExportFile | undefined> {
  const bundle = await loadReportBundle(reads, actor, s, now);
  if (!bundle) return undefined;
  const tables = reportTables(bundle);
  const body =
    format === 'csv'
      ? reportCsv(tables)
      : format === 'xlsx'
        ? await reportXlsx(tables, `Kết quả khảo sát – ${bundle.report.unit.name} – ${bundle.periodLabel}`)
        : format === 'pdf'
          ? await reportPdf(bundle, await reportSettingsOf(db, s.unit.id))
          : await reportDocx(bundle, await reportSettingsOf(db, s.unit.id));
  await audit(db, actor, 'export.report', s, format);
  return { body, contentType: CONTENT_TYPES[format], filename: filename('bao-cao-hai-long', s, format) };
}

/**
 * The raw anonymous responses of the unit's subtree as a stream, audited as
 * 'export.responses' when the download starts (a file cut short was still
 * taken away in part).
 */
export async function exportResponses(
  db: Db,
  reads: Db,
  actor: Actor,
  s: ReportSelection,
  format: 'csv' | 'xlsx',
): Promise<ExportFile | undefined> {
  const q = { unitId: s.unit.id, from: s.from, to: s.to, serviceArea: s.serviceArea?.code ?? null };
  // The CSV keeps codes for machines; the XLSX has words and a data dictionary for people.
  const raw =
    format === 'csv' ? await rawResponsesExport(reads, actor, q) : await rawResponsesWorkbook(reads, actor, q);
  if (!raw) return undefined;
  await audit(db, actor, 'export.responses', s, format);
  const notes = (rows: number) =>
    rawNotes({
      unitName: s.unit.name,
      period: periodLabel(s.from, s.to),
      serviceArea: s.serviceArea?.name ?? null,
      rows,
    });
  const body =
    'dictionary' in raw ? responsesXlsxStream(raw, { notes, dictionary: raw.dictionary }) : responsesCsvStream(raw);
  return { body, contentType: CONTENT_TYPES[format], filename: filename('phieu-khao-sat', s, format) };
}
