import type { PaperField } from '../../../surveys/paper-numbering.ts';
import { toCsv } from '../reports/exports/csv.ts';
import { DAY_HEADER, type FileUnit, fieldHeader, fileHeaders, SERIAL_HEADER } from './round-file-rows.ts';

// The template of a round's form file: one row per paper form, one column
// per question under its Vietnamese words, and in the XLSX the numbers of
// every box and how to fill it in. Pure apart from building the file.

export interface FormTemplate {
  roundCode: string;
  unitName: string;
  fields: readonly PaperField[];
  units: readonly FileUnit[];
}

export const formTemplateName = (code: string, ext: 'xlsx' | 'csv') => `phieu-${code}.${ext}`;

/** UTF-8 with a BOM and CRLF: Excel opens the Vietnamese headers intact. */
export function formTemplateCsv(t: FormTemplate): string {
  return toCsv([fileHeaders(t.fields, t.units)]);
}

const GUIDE = [
  'Mỗi dòng là một phiếu giấy đã thu về. Giữ nguyên dòng tiêu đề (dòng 1); cột được nhận theo tên (mã trong ngoặc vuông là đủ).',
  `"${SERIAL_HEADER}" là số in trên phiếu (không ghi mã đợt). Mỗi số phiếu chỉ nhập một lần trong đợt.`,
  `"${DAY_HEADER}" là ngày người dân trả lời phiếu, trong thời gian khảo sát của đợt, ví dụ 05/12/2026.`,
  'Với mỗi câu hỏi, ghi số in cạnh ô được đánh dấu trên phiếu: 1–5 theo thang điểm, 0 là "Không áp dụng", số thứ tự của lựa chọn với câu hỏi lựa chọn. Trang "Mã số" liệt kê các số của từng câu.',
  'Câu người dân bỏ trống thì để trống ô. Câu hỏi mở thì ghi đúng nội dung người dân viết.',
  'Tệp được nhận toàn bộ hoặc không nhận gì: nếu có dòng sai, trang sẽ liệt kê từng dòng và cột cần sửa, chưa phiếu nào được lưu.',
  'Phiếu nhập từ tệp được tính ngay (coi như đã nhập hai lần và đối chiếu ở nơi khác). Nếu lưu dạng CSV, chọn "CSV UTF-8".',
];

const BOLD = { bold: true } as const;

export async function formTemplateXlsx(t: FormTemplate): Promise<Buffer> {
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = 'Hài Lòng – khảo sát sự hài lòng';
  wb.title = `Phiếu khảo sát – đợt ${t.roundCode}`;
  wb.created = new Date();

  // The first sheet is the one read back (table-file.ts).
  const ws = wb.addWorksheet('Phiếu', { views: [{ state: 'frozen', xSplit: 1, ySplit: 1 }] });
  const headers = fileHeaders(t.fields, t.units);
  ws.columns = headers.map((header, i) => ({
    header,
    width: i === 0 ? 10 : i === 1 ? 16 : 18,
    // The day as text, so 05/12/2026 stays what was typed whatever Excel's locale.
    style: { numFmt: i === 1 ? '@' : 'General' },
  }));
  const head = ws.getRow(1);
  head.height = 90;
  head.eachCell((cell) => {
    cell.font = BOLD;
    cell.alignment = { wrapText: true, vertical: 'top' };
  });

  const codes = wb.addWorksheet('Mã số');
  codes.columns = [
    { header: 'Cột', width: 60 },
    { header: 'Số', width: 8 },
    { header: 'Nghĩa', width: 50 },
  ];
  codes.getRow(1).font = BOLD;
  if (t.units.length > 1) for (const u of t.units) codes.addRow(['Mã đơn vị', u.code, u.name]);
  for (const f of t.fields) {
    if (f.boxes.length === 0) codes.addRow([fieldHeader(f), '', 'Ghi nội dung người dân viết']);
    for (const b of f.boxes) codes.addRow([fieldHeader(f), b.digit, b.label]);
  }

  const guide = wb.addWorksheet('Hướng dẫn');
  guide.getColumn(1).width = 110;
  guide.addRow(['Hướng dẫn nhập phiếu khảo sát từ tệp']).font = { bold: true, size: 13 };
  guide.addRow([`Đợt khảo sát ${t.roundCode} · ${t.unitName}`]);
  guide.addRow([]);
  GUIDE.forEach((text, i) => {
    guide.addRow([`${i + 1}. ${text}`]).alignment = { wrapText: true, vertical: 'top' };
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
