import { formatCountVi } from '../../../analysis/vi-number.ts';
import type { PaperField } from '../../../surveys/paper-numbering.ts';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Actor, can } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { readTable } from '../../platform/http/table-file.ts';
import { insertResponseRows } from '../submission/response-repository.ts';
import { type FileUnit, type RowProblem, readFormRows } from './round-file-rows.ts';
import { insertImportedForms, takenSerials } from './round-form-repository.ts';
import { checkEntry, type EntryContext, entryContext, formResponseRow } from './round-form-service.ts';
import type { RoundRecord } from './round-repository.ts';

// A round's forms from a file (issue 16): keyed elsewhere (a spreadsheet, a
// survey firm's own double entry) and imported all or nothing, by the same
// rules as the entry screen. Imported forms count at once, so only those who
// plan or run the rounds may import them; the audit log names who did.

/** Officials, admins and managers: imported forms skip the second entry. */
export function canImportForms(actor: Pick<Actor, 'role'>): boolean {
  return can(actor, 'oversee') || can(actor, 'manage');
}

/** The fields and units of the round's file, in the template's order. */
export async function formFileLayout(db: Db, round: RoundRecord) {
  return fileLayout(await entryContext(db, round));
}

/** The file names the unit by its code (a column of its own), not by the paper's number. */
function fileLayout(ctx: EntryContext): { fields: PaperField[]; units: FileUnit[] } {
  return { fields: ctx.fields.filter((f) => f.kind !== 'unit'), units: ctx.units };
}

export type ImportResult = { status: 'ok'; count: number } | { status: 'invalid'; problems: RowProblem[] };

/** A form the screen's rules refused: the row and the column a person looks for. */
function entryProblem(line: number, fields: readonly PaperField[], path: string, message: string): RowProblem {
  const key = path.startsWith('answers.')
    ? path.slice('answers.'.length)
    : path === 'serviceArea'
      ? fields[0]!.key
      : '';
  const field = fields.find((f) => f.key === key);
  const column =
    path === 'serial'
      ? 'Số phiếu'
      : path === 'surveyedOn'
        ? 'Ngày khảo sát'
        : path === 'unitId'
          ? 'Mã đơn vị'
          : field
            ? field.number === null
              ? field.label
              : `Câu ${field.number}`
            : path;
  return { line, text: `Dòng ${line}, cột "${column}": ${message}` };
}

export async function importRoundForms(
  db: Db,
  actor: Actor,
  round: RoundRecord,
  file: { name: string; data: Buffer },
  now = new Date(),
): Promise<ImportResult> {
  const table = await readTable(file.data, file.name);
  if (table.status === 'bad') return { status: 'invalid', problems: [{ line: null, text: table.text }] };
  const ctx = await entryContext(db, round);
  const { fields, units } = fileLayout(ctx);
  const read = readFormRows(table.rows, fields, units);
  const problems = [...read.problems];
  const failed = new Set(read.problems.map((p) => p.line));
  const forms = [];
  const lineOfSerial = new Map<number, number>();
  for (const e of read.entries) {
    if (failed.has(e.line)) continue;
    const checked = checkEntry(ctx, round, e.raw, now);
    if (!checked.ok) {
      problems.push(...checked.problems.map((p) => entryProblem(e.line, fields, p.path, p.message.vi)));
      continue;
    }
    const earlier = lineOfSerial.get(checked.entry.serial);
    if (earlier !== undefined) {
      problems.push({
        line: e.line,
        text: `Dòng ${e.line}: phiếu số ${checked.entry.serial} đã có ở dòng ${earlier}; mỗi phiếu chỉ nhập một lần.`,
      });
      continue;
    }
    lineOfSerial.set(checked.entry.serial, e.line);
    forms.push({ line: e.line, ...checked });
  }
  const taken = await takenSerials(
    db,
    round.id,
    forms.map((f) => f.entry.serial),
  );
  for (const f of forms) {
    if (taken.has(f.entry.serial)) {
      problems.push({
        line: f.line,
        text: `Dòng ${f.line}: phiếu số ${f.entry.serial} đã được nhập cho đợt khảo sát này.`,
      });
    }
  }
  if (problems.length) {
    return { status: 'invalid', problems: problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) };
  }

  const rows = forms.map((f) => ({ ...f, row: formResponseRow(round, f, now) }));
  try {
    await db.transaction().execute(async (trx) => {
      const ids = await insertResponseRows(
        trx,
        rows.map((r) => r.row).sort((a, b) => (a.submissionId < b.submissionId ? -1 : 1)),
      );
      await insertImportedForms(
        trx,
        round.id,
        rows.map((r) => ({ entry: r.entry, responseId: ids.get(r.row.submissionId)! })),
        'import',
        actor.userId,
      );
      await recordAudit(trx, {
        actorUserId: actor.userId,
        unitId: round.unitId,
        action: 'round.forms_import',
        detail: { roundId: round.id, code: round.code, file: file.name, forms: rows.length },
      });
    });
  } catch (err) {
    // A serial entered on the screen while the file was read: nothing was stored.
    if ((err as { code?: string }).code === '23505') {
      return {
        status: 'invalid',
        problems: [
          {
            line: null,
            text: 'Một số phiếu vừa được nhập trên màn hình nhập phiếu; chưa lưu gì, vui lòng tải tệp lên lại.',
          },
        ],
      };
    }
    throw err;
  }
  return { status: 'ok', count: rows.length };
}

export const importedText = (count: number) => `Đã nhập ${formatCountVi(count)} phiếu từ tệp; các phiếu đã được tính.`;
