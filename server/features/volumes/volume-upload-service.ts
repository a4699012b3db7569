import { todayIso } from '../../../analysis/local-time.ts';
import type { Actor } from '../../platform/auth/scope.ts';
import { canReach } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { readTable } from '../../platform/http/table-file.ts';
import { listServiceAreas } from '../organisation/service-area-repository.ts';
import { listUnitTree } from '../organisation/unit-admin-service.ts';
import { findUnit } from '../organisation/unit-repository.ts';
import { type FileProblem, issueProblem, rowsToBatches, sortProblems } from './volume-file-rows.ts';
import { type ChangeView, describeChanges, warningTexts } from './volume-preview.ts';
import { monthRows, unitsByCode } from './volume-repository.ts';
import { MONTH_PATTERN } from './volume-rules.ts';
import { canImportVolumes, importVolumes, type VolumeBatch, type VolumeSource } from './volume-service.ts';
import type { TemplateData } from './volume-template.ts';
import { deleteUpload, findUpload, insertUpload, sweepUploads } from './volume-upload-repository.ts';

// Volume files, by the staff page and the CLI: the template to fill, a file
// read and checked as a whole (every problem of every row at once), and for
// the page an upload kept aside until its owner confirms what the preview
// showed. The rules and the storing are importVolumes' (volume-service.ts).

/** The month before `now`'s, in Vietnam: the one a centre reports early in a month. */
export function lastMonth(now: Date): string {
  const [y, m] = todayIso(now).split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** 'mm/yyyy', 'm/yyyy' or 'yyyy-mm' as typed in the page's month field → 'YYYY-MM'. */
export function monthInput(raw: string): string | undefined {
  const s = raw.trim();
  const vi = /^(\d{1,2})\/(\d{4})$/.exec(s);
  const month = vi ? `${vi[2]}-${vi[1]!.padStart(2, '0')}` : s;
  return MONTH_PATTERN.test(month) ? month : undefined;
}

/** Units the actor may put volumes for, as the page's choices (a province holds none). */
export async function volumeUnits(db: Db, actor: Actor) {
  return (await listUnitTree(db, actor)).filter((u) => u.active && u.kind !== 'province');
}

export type TemplateResult = { status: 'ok'; data: TemplateData } | { status: 'not_found' } | { status: 'future' };

/** The template for a unit (by id) and month; no unit: the header alone. */
export async function templateFor(
  db: Db,
  actor: Actor,
  q: { unitId?: number; month: string; now?: Date },
): Promise<TemplateResult> {
  const areas = await listServiceAreas(db, { activeOnly: true });
  if (q.unitId === undefined) return { status: 'ok', data: { unit: null, month: q.month, areas, stored: [] } };
  const unit = await findUnit(db, q.unitId);
  if (!unit || !canReach(actor, unit.path) || unit.kind === 'province') return { status: 'not_found' };
  if (q.month > todayIso(q.now ?? new Date()).slice(0, 7)) return { status: 'future' };
  const stored = await monthRows(db, unit.id, q.month);
  return { status: 'ok', data: { unit, month: q.month, areas, stored } };
}

export interface UploadedFile {
  name: string;
  data: Buffer;
}

export type FileCheck =
  | { status: 'forbidden' }
  | { status: 'invalid'; problems: FileProblem[] }
  | { status: 'ok'; batches: VolumeBatch[]; changes: ChangeView[]; warnings: string[] };

async function areaNames(db: Db): Promise<Map<string, string>> {
  return new Map((await listServiceAreas(db)).map((a) => [a.code, a.nameVi]));
}

/**
 * Checks batches and, unless `dryRun`, stores them (one transaction, all or
 * nothing); problems of the file itself are joined by those of the rows that
 * did read, so one pass names every faulty row. Nothing is stored while any
 * row has a problem.
 */
async function runBatches(
  db: Db,
  actor: Actor,
  read: { batches: VolumeBatch[]; problems: FileProblem[] },
  opts: { source: VolumeSource; dryRun: boolean },
): Promise<FileCheck> {
  const dryRun = opts.dryRun || read.problems.length > 0;
  const checked = read.batches.length
    ? await importVolumes(db, actor, read.batches, { source: opts.source, dryRun })
    : ({ status: 'ok', changes: [], warnings: [] } as const);
  if (checked.status === 'forbidden') return checked;
  const problems = [...read.problems, ...(checked.status === 'invalid' ? checked.errors.map(issueProblem) : [])];
  if (problems.length || checked.status !== 'ok') return { status: 'invalid', problems: sortProblems(problems) };
  return {
    status: 'ok',
    batches: read.batches,
    changes: describeChanges(checked.changes, await areaNames(db)),
    warnings: warningTexts(checked.warnings),
  };
}

/** A whole file: read, checked, and stored unless `dryRun` (the CLI; the page previews first). */
export async function importVolumeFile(
  db: Db,
  actor: Actor,
  file: UploadedFile,
  opts: { source: VolumeSource; dryRun: boolean },
): Promise<FileCheck> {
  if (!canImportVolumes(actor)) return { status: 'forbidden' };
  const table = await readTable(file.data, file.name);
  if (table.status === 'bad') return { status: 'invalid', problems: [{ line: null, column: null, text: table.text }] };
  return runBatches(db, actor, rowsToBatches(table.rows), opts);
}

type SessionActor = Actor & { userId: number };

export type UploadResult =
  | { status: 'forbidden' }
  | { status: 'invalid'; problems: FileProblem[] }
  | { status: 'ok'; id: string };

/** Reads and checks the file (storing nothing); when it is sound, keeps it aside for its owner's confirmation. */
export async function uploadVolumeFile(db: Db, actor: SessionActor, file: UploadedFile): Promise<UploadResult> {
  const checked = await importVolumeFile(db, actor, file, { source: 'upload', dryRun: true });
  if (checked.status !== 'ok') return checked;
  await sweepUploads(db);
  const id = await insertUpload(db, { userId: actor.userId, fileName: file.name, batches: checked.batches });
  return { status: 'ok', id };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type PendingResult =
  | { status: 'forbidden' }
  | { status: 'not_found' }
  | { status: 'invalid'; fileName: string; own: boolean; problems: FileProblem[] }
  | { status: 'ok'; fileName: string; own: boolean; changes: ChangeView[]; warnings: string[] };

/**
 * The upload, for its owner; to look at (not to confirm), also for someone
 * whose scope covers every unit in it, such as the official the owner asks
 * to check it. Not a uuid, out of scope, confirmed or expired: all the same.
 */
async function uploadFor(db: Db, actor: SessionActor, id: string, ownerOnly: boolean) {
  const upload = UUID.test(id) ? await findUpload(db, id) : undefined;
  if (!upload || upload.userId === actor.userId) return upload;
  if (ownerOnly) return undefined;
  const batches = upload.batches as VolumeBatch[];
  const units = await unitsByCode(db, [...new Set(batches.map((b) => b.unit))]);
  const inScope = batches.every((b) => {
    const unit = units.get(b.unit);
    return unit !== undefined && canReach(actor, unit.path);
  });
  return inScope ? upload : undefined;
}

async function pending(db: Db, actor: SessionActor, id: string, dryRun: boolean): Promise<PendingResult> {
  if (!canImportVolumes(actor)) return { status: 'forbidden' };
  const upload = await uploadFor(db, actor, id, !dryRun);
  if (!upload) return { status: 'not_found' };
  // Checked afresh each time: the stored volumes or the user's scope may have changed since the upload.
  const batches = upload.batches as VolumeBatch[];
  const checked = await runBatches(db, actor, { batches, problems: [] }, { source: 'upload', dryRun });
  if (checked.status === 'forbidden') return checked;
  const seen = { fileName: upload.fileName, own: upload.userId === actor.userId };
  if (checked.status === 'invalid') return { ...checked, ...seen };
  if (!dryRun) await deleteUpload(db, upload.id, actor.userId);
  return {
    status: 'ok',
    ...seen,
    changes: checked.changes,
    warnings: checked.warnings,
  };
}

/** What confirming the upload would change, stored nothing. */
export const previewUpload = (db: Db, actor: SessionActor, id: string) => pending(db, actor, id, true);

/**
 * Stores the upload through importVolumes (every check again) and forgets
 * it. A second confirmation finds it gone, or, sent at the same instant (a
 * double click), finds the same rows stored and changes nothing.
 */
export const confirmUpload = (db: Db, actor: SessionActor, id: string) => pending(db, actor, id, false);

export async function discardUpload(db: Db, actor: SessionActor, id: string): Promise<boolean> {
  return canImportVolumes(actor) && UUID.test(id) && deleteUpload(db, id, actor.userId);
}
