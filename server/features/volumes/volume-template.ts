import type ExcelJS from 'exceljs';
import { ALL_VOLUME_FIELDS } from '../../../analysis/dossiers.ts';
import { toCsv } from '../reports/exports/csv.ts';
import { COLUMNS, HEADER_OF } from './volume-file-rows.ts';
import { MAX_COUNT, type VolumeRow } from './volume-rules.ts';

// The template a one-stop centre fills: the columns of Biểu II.06a/VPCP/KSTT
// under their Vietnamese names, one row per active service area of the unit
// and month chosen, the counts empty (or as stored, to correct a month).
// The XLSX adds the list of area codes and how to fill it in. Pure apart
// from building the file in memory.

export interface TemplateData {
  /** Null: a blank template, the header alone. */
  unit: { code: string; name: string } | null;
  /** 'YYYY-MM' */
  month: string;
  areas: readonly { code: string; nameVi: string }[];
  /** What is stored for the unit and month, by area: the template starts from it. */
  stored: readonly VolumeRow[];
}

/** 'YYYY-MM' → 'mm/yyyy', as the month column is written. */
export const monthVi = (month: string) => `${month.slice(5, 7)}/${month.slice(0, 4)}`;

function dataRows(d: TemplateData): (string | number | null)[][] {
  if (!d.unit) return [];
  const unit = d.unit;
  const stored = new Map(d.stored.map((r) => [r.serviceArea, r]));
  return d.areas.map((a) => {
    const row = stored.get(a.code);
    return [unit.code, monthVi(d.month), a.code, ...ALL_VOLUME_FIELDS.map((f) => row?.[f] ?? null)];
  });
}

export function templateFileName(d: Pick<TemplateData, 'unit' | 'month'>, ext: 'xlsx' | 'csv'): string {
  // Codes are ASCII: the Content-Disposition header stays plain.
  return d.unit ? `so-lieu-ho-so-${d.unit.code}-${d.month}.${ext}` : `mau-so-lieu-ho-so.${ext}`;
}

/** UTF-8 with a BOM and CRLF (reports/exports/csv.ts): Excel opens the Vietnamese headers intact. */
export function templateCsv(d: TemplateData): string {
  return toCsv([COLUMNS.map((c) => HEADER_OF[c]), ...dataRows(d)]);
}

const GUIDE = [
  'Mỗi dòng là số liệu của một đơn vị, một lĩnh vực, trong một tháng, theo các cột của Biểu II.06a/VPCP/KSTT.',
  'Giữ nguyên dòng tiêu đề (dòng 1). Có thể đổi thứ tự cột hoặc thêm cột ghi chú: cột được nhận theo tên.',
  '"Mã đơn vị" và "Mã lĩnh vực" ghi đúng mã (mã lĩnh vực ở trang "Lĩnh vực"); "Tháng" ghi dạng mm/yyyy, ví dụ 05/2026.',
  'Số liệu là số nguyên không âm: 1234 hoặc 1.234 (dấu chấm ngăn cách hàng nghìn). Không ghi số thập phân, số âm hay chữ.',
  'Các cột ghi "(không bắt buộc)" để trống nếu phần mềm một cửa không có số liệu đó. Các cột khác bắt buộc: không có hồ sơ thì ghi 0.',
  'Số liệu của một đơn vị trong một tháng được thay thế toàn bộ bằng các dòng của tệp: lĩnh vực nào không có dòng thì số liệu cũ của lĩnh vực đó trong tháng bị xóa.',
  'Tiếp nhận trong kỳ cộng kỳ trước chuyển qua nên bằng số đã giải quyết cộng đang giải quyết; dòng chưa cân đối vẫn được nhận, kèm cảnh báo để kiểm tra lại.',
  'Tải tệp lên trang "Số liệu hồ sơ": trang cho xem trước những gì thay đổi; chỉ khi bấm "Lưu số liệu" thì số liệu mới được lưu.',
  'Nếu lưu dạng CSV, chọn "CSV UTF-8"; dấu phân cách là dấu phẩy hoặc dấu chấm phẩy đều được. Nên dùng tệp Excel (.xlsx): Excel có thể tự đổi cột tháng của tệp CSV thành ngày.',
];

const BOLD = { bold: true } as const;
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEEF1F4' } };

/** Typing checks in Excel itself, so a slip shows while filling rather than at the upload. */
const WHOLE_NUMBER: ExcelJS.DataValidation = {
  type: 'whole',
  operator: 'between',
  allowBlank: true,
  formulae: [0, MAX_COUNT],
  showErrorMessage: true,
  errorTitle: 'Số liệu không hợp lệ',
  error: 'Ghi số nguyên không âm, ví dụ 1234.',
};

export async function templateXlsx(d: TemplateData): Promise<Buffer> {
  // Loaded on the first template, not at start (as reports/exports/xlsx.ts does).
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = 'Hài Lòng – khảo sát sự hài lòng';
  wb.title = d.unit ? `Số liệu hồ sơ – ${d.unit.name} – tháng ${monthVi(d.month)}` : 'Số liệu hồ sơ';
  wb.created = new Date();

  // The first sheet is the one read back (volume-file.ts).
  const ws = wb.addWorksheet('Số liệu', { views: [{ state: 'frozen', xSplit: 3, ySplit: 1 }] });
  ws.columns = COLUMNS.map((c, i) => ({
    header: HEADER_OF[c],
    key: c,
    width: i < 3 ? 16 : 20,
    // Keys as text, so a typed 05/2026 stays the text it is; counts with a thousands separator.
    style: { numFmt: i < 3 ? '@' : '#,##0' },
  }));
  const head = ws.getRow(1);
  head.height = 75;
  head.eachCell((cell) => {
    cell.font = BOLD;
    cell.fill = HEADER_FILL;
    cell.alignment = { wrapText: true, vertical: 'middle' };
  });
  const rows = dataRows(d);
  for (const r of rows) ws.addRow(r);
  // Room for rows a person adds below the prefilled ones.
  const last = Math.max(rows.length + 1, 100);
  for (let r = 2; r <= last; r++) {
    for (let c = 4; c <= COLUMNS.length; c++) ws.getCell(r, c).dataValidation = WHOLE_NUMBER;
  }

  const areas = wb.addWorksheet('Lĩnh vực');
  areas.columns = [
    { header: 'Mã lĩnh vực', key: 'code', width: 22 },
    { header: 'Tên lĩnh vực', key: 'name', width: 50 },
  ];
  areas.getRow(1).font = BOLD;
  for (const a of d.areas) areas.addRow({ code: a.code, name: a.nameVi });

  const guide = wb.addWorksheet('Hướng dẫn');
  guide.getColumn(1).width = 110;
  guide.addRow(['Hướng dẫn nhập số liệu hồ sơ']).font = { bold: true, size: 13 };
  if (d.unit) guide.addRow([`Đơn vị: ${d.unit.name} (mã ${d.unit.code}) · Tháng ${monthVi(d.month)}`]);
  guide.addRow([]);
  GUIDE.forEach((text, i) => {
    guide.addRow([`${i + 1}. ${text}`]).alignment = { wrapText: true, vertical: 'top' };
  });

  return Buffer.from(await wb.xlsx.writeBuffer());
}
