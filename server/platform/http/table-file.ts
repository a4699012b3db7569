import type ExcelJS from 'exceljs';
import { formatCountVi } from '../../../analysis/vi-number.ts';

// Reading an uploaded table (dossier volumes, a round's paper forms) into
// rows of cells, whatever a spreadsheet made of it: XLSX (the first sheet)
// or CSV (UTF-8, comma or semicolon, quoted fields). Row numbers are those the spreadsheet shows, so that an
// error names the row a person sees. Pure apart from parsing in memory.

/** A cell as read: formulas become their results, rich text its text. */
export type Cell = string | number | boolean | Date | null | { error: string };

export interface SheetRow {
  /** The row number a spreadsheet shows (1 = the first row). */
  line: number;
  cells: Cell[];
}

export type TableRead = { status: 'ok'; rows: SheetRow[] } | { status: 'bad'; text: string };

/** The upload's limit; the CLI reads the same files. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Rows in one file: a province's year of communes × areas fits; a runaway sheet stops here. */
export const MAX_FILE_ROWS = 20_000;

const NOT_A_TABLE =
  'Tệp không phải CSV hoặc Excel (.xlsx). Vui lòng dùng tệp mẫu tải từ trang này, lưu dạng .xlsx hoặc CSV UTF-8.';
const TOO_MANY_ROWS = `Tệp có hơn ${formatCountVi(MAX_FILE_ROWS)} dòng: vui lòng chia thành nhiều tệp.`;

const startsWith = (data: Buffer, bytes: number[]) => bytes.every((b, i) => data[i] === b);

/** The file as rows, or why it cannot be read. */
export async function readTable(data: Buffer, fileName: string): Promise<TableRead> {
  const name = fileName.toLowerCase();
  if (data.length === 0) return { status: 'bad', text: 'Tệp rỗng: không có dữ liệu.' };
  // By content first: a browser's or a person's idea of the type is often wrong.
  if (startsWith(data, [0x50, 0x4b, 0x03, 0x04])) return readXlsx(data);
  if (startsWith(data, [0xd0, 0xcf, 0x11, 0xe0])) {
    return {
      status: 'bad',
      text: 'Tệp Excel 97–2003 (.xls) chưa đọc được: trong Excel, chọn Lưu thành (Save As) → Excel Workbook (.xlsx) rồi tải lên lại.',
    };
  }
  if (name.endsWith('.xlsx') || name.endsWith('.xls')) return { status: 'bad', text: NOT_A_TABLE };
  // Text of any name (a .csv saved as .txt still reads); binary junk does not.
  if (data.subarray(0, 4096).includes(0) && !startsWith(data, [0xff, 0xfe]) && !startsWith(data, [0xfe, 0xff])) {
    return { status: 'bad', text: NOT_A_TABLE };
  }
  return readCsv(data);
}

const NOT_UTF8 =
  'Tệp CSV không ở bảng mã UTF-8 nên chữ tiếng Việt bị lỗi. Trong Excel, chọn Lưu thành (Save As) → "CSV UTF-8 (Comma delimited)" hoặc lưu dạng .xlsx, rồi tải lên lại.';

function decodeUtf8(data: Buffer): string | undefined {
  if (startsWith(data, [0xff, 0xfe]) || startsWith(data, [0xfe, 0xff])) return undefined;
  try {
    // Drops a byte-order mark (ignoreBOM is false by default).
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return undefined;
  }
}

/**
 * ';' when the first line has more semicolons than commas outside quotes:
 * Excel writes ';' where the list separator is ';' (vi-VN Windows), ','
 * elsewhere. One header holds a comma ("Trực tiếp, dịch vụ bưu chính"), so
 * the count must skip quoted text and still favours ';' in a ';' file.
 */
function delimiterOf(text: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) {
      if (commas + semicolons > 0) break;
    } else if (!quoted && c === ',') commas += 1;
    else if (!quoted && c === ';') semicolons += 1;
  }
  return semicolons > commas ? ';' : ',';
}

async function readCsv(data: Buffer): Promise<TableRead> {
  const text = decodeUtf8(data);
  if (text === undefined) return { status: 'bad', text: NOT_UTF8 };
  // csv-parse is loaded with the first CSV, like exceljs with the first XLSX.
  const { parse } = await import('csv-parse/sync');
  let records: string[][];
  try {
    records = parse(text, {
      delimiter: delimiterOf(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
    });
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    return {
      status: 'bad',
      text: `Tệp CSV bị lỗi định dạng${line ? ` gần dòng ${line}` : ''} (thường do dấu ngoặc kép " chưa đóng). Vui lòng mở bằng Excel, lưu lại rồi tải lên.`,
    };
  }
  if (records.length > MAX_FILE_ROWS + 1) return { status: 'bad', text: TOO_MANY_ROWS };
  // One record is one row of the spreadsheet, even with a line break inside a quoted cell.
  return { status: 'ok', rows: records.map((cells, i) => ({ line: i + 1, cells })) };
}

function plain(v: ExcelJS.CellValue): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || v instanceof Date) return v;
  if ('error' in v) return { error: String(v.error) };
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  if ('formula' in v || 'sharedFormula' in v) {
    // A file written by a program that does not calculate has formulas without results.
    return v.result === undefined ? { error: 'formula' } : plain(v.result as ExcelJS.CellValue);
  }
  if ('text' in v) return String(v.text);
  return null;
}

async function readXlsx(data: Buffer): Promise<TableRead> {
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  try {
    await wb.xlsx.load(data as never);
  } catch {
    return {
      status: 'bad',
      text: 'Không đọc được tệp Excel: tệp bị hỏng hoặc không phải .xlsx. Vui lòng mở bằng Excel, lưu lại dạng .xlsx rồi tải lên.',
    };
  }
  const sheet = wb.worksheets[0];
  if (!sheet) return { status: 'bad', text: 'Tệp Excel không có trang tính nào.' };
  if (sheet.actualRowCount > MAX_FILE_ROWS + 1) return { status: 'bad', text: TOO_MANY_ROWS };
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    const cells: Cell[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(plain(row.getCell(c).value));
    rows.push({ line, cells });
  });
  return { status: 'ok', rows };
}
