import { randomBytes } from 'node:crypto';
import { type Actor, canReach } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { listServiceAreas } from '../organisation/service-area-repository.ts';
import { findVersions } from '../surveys/survey-version-repository.ts';
import { unitsUnder } from './aggregate-repository.ts';
import { labelledSheet } from './exports/raw-labels.ts';
import type { XlsxTable, XlsxValue } from './exports/responses.ts';
import { rawAnswerKeys, rawResponseChunks, rawSurveyVersionIds } from './raw-response-repository.ts';
import type { ReportQuery } from './report-service.ts';

// The raw responses as a workbook for people: the same rows, in the same
// order, as the CSV (report-service.ts rawResponsesExport), with words for
// codes and a data dictionary (exports/raw-labels.ts).

export interface RawWorkbook extends XlsxTable {
  dictionary: XlsxValue[][];
}

export async function rawResponsesWorkbook(db: Db, actor: Actor, q: ReportQuery): Promise<RawWorkbook | undefined> {
  const tree = await unitsUnder(db, q.unitId);
  if (!tree || !canReach(actor, tree.scope.path)) return undefined;
  const scope = { scopePath: tree.scope.path, from: q.from, to: q.to, serviceArea: q.serviceArea ?? undefined };
  // One query after another: the pool is shared with citizens' submissions.
  const versions = await findVersions(db, await rawSurveyVersionIds(db, scope));
  const answerKeys = await rawAnswerKeys(db, scope);
  const sheet = labelledSheet({ versions, serviceAreas: await listServiceAreas(db), answerKeys });
  // A fresh salt per export: the shuffle inside a day cannot be replayed or compared across files.
  const salt = randomBytes(16).toString('hex');
  async function* chunks() {
    for await (const rows of rawResponseChunks(db, scope, { salt })) yield rows.map(sheet.row);
  }
  return { columns: sheet.columns, chunks: chunks(), dictionary: sheet.dictionary };
}
