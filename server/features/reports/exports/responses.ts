import { once } from 'node:events';
import { createRequire } from 'node:module';
import { PassThrough, Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type ExcelJS from 'exceljs';
import type { RawResponseRow } from '../raw-response-repository.ts';
import { type CsvValue, csvField } from './csv.ts';

// The anonymous responses export, one line per response, written as it is
// read: a streamed CSV and exceljs' streaming workbook writer, each pulled by
// the client. The CSV is for machines (codes, answer columns named by key,
// in a stable order); the XLSX for people (raw-labels.ts: words, the
// survey's order, a data dictionary). Memory holds about one chunk of rows
// whatever the export's size, the event loop gets a turn after every chunk,
// and a client that goes away stops the reading (the chunks' iterator is
// returned, so no further query runs). No id and no time of day: the first
// column is the local date.

export interface RawTable {
  columns: string[];
  chunks: AsyncIterable<CsvValue[][]>;
}

/** A cell of the XLSX: a Date is written as a date (dd/mm/yyyy), never a string that looks like one. */
export type XlsxValue = string | number | Date | null;

export interface XlsxTable {
  columns: string[];
  chunks: AsyncIterable<XlsxValue[][]>;
}

/** Vietnamese headers; in the CSV the answer columns follow, named by indicator key. */
export const RAW_COLUMNS = [
  'Ngày (theo giờ Việt Nam)',
  'Đơn vị',
  'Quầy',
  'Lĩnh vực',
  'Kênh',
  'Phiếu',
  'Phiên bản',
  'Có mã một lần',
  'Nghi vấn',
];

export function rawValues(r: RawResponseRow, keys: readonly string[]): CsvValue[] {
  return [
    r.day.split('-').reverse().join('/'),
    r.unitName,
    r.deskCode,
    r.serviceAreaCode,
    r.channel,
    r.surveyCode,
    r.version,
    r.verified ? 'có' : 'không',
    r.suspect ? 'có' : 'không',
    ...keys.map((k) => r.answers[k] ?? null),
  ];
}

/** What the file is and what it deliberately leaves out; the XLSX carries it on its last sheet. */
export function rawNotes(o: { unitName: string; period: string; serviceArea: string | null; rows: number }): string[] {
  return [
    `Phiếu khảo sát ẩn danh – ${o.unitName} – ${o.period}${o.serviceArea ? ` – lĩnh vực ${o.serviceArea}` : ''}`,
    `Số phiếu: ${o.rows.toLocaleString('vi-VN')}. Mỗi dòng là một phiếu, kể cả phiếu bị đánh dấu nghi vấn (cột “Nghi vấn”), vốn không được tính vào các chỉ số.`,
    'Để giữ ẩn danh cho người dân, tệp không có mã phiếu và không có giờ nộp: chỉ ghi ngày (theo giờ Việt Nam).',
    'Trong mỗi ngày, các dòng xếp theo đơn vị, lĩnh vực, quầy, rồi theo một thứ tự ngẫu nhiên mới ở mỗi lần tải: thứ tự dòng không cho biết phiếu nào nộp trước.',
    'Các cột sau cột “Nghi vấn” là câu trả lời, theo thứ tự và lời câu hỏi của phiếu, ghi bằng chữ; ô trống là câu không trả lời.',
    'Trang “Từ điển dữ liệu” cho mã của từng câu hỏi và từng giá trị (như trong tệp CSV) cùng nhãn tiếng Việt và tiếng Anh.',
  ];
}

const require = createRequire(import.meta.url);

/**
 * exceljs' streaming writer alone, loaded on the first raw export (as xlsx.ts
 * loads the whole package on the first report). The whole package takes
 * 0.4–1.3 s to load on a busy 2-core server, all of it on the event loop;
 * the writer alone about half of that and half the memory. The same file as
 * the package's own `stream.xlsx.WorkbookWriter`, so loading both shares it.
 */
function workbookWriter(): typeof ExcelJS.stream.xlsx.WorkbookWriter {
  return require('exceljs/lib/stream/xlsx/workbook-writer.js');
}

const csvLine = (row: CsvValue[]) => `${row.map(csvField).join(',')}\r\n`;

/** UTF-8 with a BOM and CRLF, as csv.ts writes the report: one header line, one line per response. */
export function responsesCsvStream(table: RawTable): Readable {
  async function* text() {
    yield `\uFEFF${csvLine(table.columns)}`;
    for await (const rows of table.chunks) {
      yield rows.map(csvLine).join('');
      await nextTurn();
    }
  }
  // Readable.from asks for the next chunk only when the reply has room, and
  // returns the iterator when the reply is destroyed.
  return Readable.from(text(), { objectMode: false });
}

interface SheetBuffer {
  _writableState?: { length: number };
  once(event: 'drain', listener: () => void): unknown;
}

/**
 * exceljs 4.4 hands a sheet's XML to its zip through a buffer that ignores
 * backpressure (exceljs issue #734: commit() says nothing about a full
 * stream), so a slow client would let the XML pile up in memory. The sheet's
 * stream pipes into a PassThrough that the zip drains only as fast as the
 * client reads: waiting for that to empty after each chunk bounds what is
 * buffered to one chunk. Reached through exceljs internals, checked here;
 * tests/exports.test.ts fails if a paused reader no longer stops the reads.
 */
function sheetBuffer(ws: ExcelJS.Worksheet): SheetBuffer | undefined {
  const pipes = (ws as unknown as { stream?: { pipes?: unknown[] } }).stream?.pipes;
  const sink = pipes?.[0] as SheetBuffer | undefined;
  return typeof sink?._writableState?.length === 'number' ? sink : undefined;
}

async function drained(ws: ExcelJS.Worksheet, signal: AbortSignal) {
  const sink = sheetBuffer(ws);
  if (!sink) throw new Error('exceljs internals changed: the sheet buffer cannot be watched');
  while (!signal.aborted && (sink._writableState?.length ?? 0) > 0) {
    // 'drain' comes when the buffer empties; the timer only guards against a missed event.
    const wait = AbortSignal.any([signal, AbortSignal.timeout(250)]);
    await once(sink as unknown as NodeJS.EventEmitter, 'drain', { signal: wait }).catch(() => {});
  }
}

/** A sheet written in one go (the dictionary, the notes): small, known before the data. */
function smallSheet(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  name: string,
  rows: XlsxValue[][],
  o: { widths: number[]; header: boolean },
) {
  const ws = wb.addWorksheet(name, o.header ? { views: [{ state: 'frozen', ySplit: 1 }] } : {});
  ws.columns = o.widths.map((width) => ({ width }));
  rows.forEach((values, i) => {
    const row = ws.addRow(values);
    if (o.header && i === 0) row.font = { bold: true };
    row.commit();
  });
  ws.commit();
}

async function writeXlsx(out: PassThrough, table: XlsxTable, sheets: XlsxSheets, signal: AbortSignal) {
  const Writer = workbookWriter();
  const wb = new Writer({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Hài Lòng – khảo sát sự hài lòng';
  wb.title = 'Phiếu khảo sát (ẩn danh)';
  const ws = wb.addWorksheet('Phiếu khảo sát', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = table.columns.map((c, i) => ({ width: i === 0 ? 14 : Math.min(40, Math.max(10, c.length + 2)) }));
  const header = ws.addRow(table.columns);
  header.font = { bold: true };
  header.alignment = { vertical: 'top', wrapText: true };
  header.commit();
  let rows = 0;
  for await (const chunk of table.chunks) {
    for (const values of chunk) {
      const row = ws.addRow(values);
      values.forEach((v, i) => {
        if (v instanceof Date) row.getCell(i + 1).numFmt = 'dd/mm/yyyy';
      });
      row.commit();
    }
    rows += chunk.length;
    await drained(ws, signal);
    if (signal.aborted) return; // leaving the loop returns the chunks' iterator: no more reads
    await nextTurn();
  }
  ws.commit();
  if (sheets.dictionary?.length) {
    smallSheet(wb, 'Từ điển dữ liệu', sheets.dictionary, { widths: [24, 50, 40, 16, 36, 30], header: true });
  }
  const notes = sheets.notes(rows).map((line) => [line]);
  smallSheet(wb, 'Ghi chú', notes, { widths: [120], header: false });
  const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  await Promise.race([wb.commit(), stopped]);
}

export interface XlsxSheets {
  /** The notes sheet, once the number of rows is known. */
  notes(rows: number): string[];
  /** The data dictionary sheet, its header first; none when absent. */
  dictionary?: XlsxValue[][];
}

/** The XLSX as a stream: a data sheet with a frozen header, the data dictionary, then the notes. */
export function responsesXlsxStream(table: XlsxTable, sheets: XlsxSheets): Readable {
  const out = new PassThrough();
  const stop = new AbortController();
  // Fastify destroys the body when the client goes away; that ends the writer.
  out.once('close', () => stop.abort());
  writeXlsx(out, table, sheets, stop.signal).catch((err: unknown) => out.destroy(err as Error));
  return out;
}
