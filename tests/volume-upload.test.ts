import ExcelJS from 'exceljs';
import t from 'tap';
import { ALL_VOLUME_FIELDS } from '../analysis/dossiers.ts';
import { listServiceAreas } from '../server/features/organisation/service-area-repository.ts';
import { monthRows } from '../server/features/volumes/volume-repository.ts';
import { FIELD_HEADERS, KEY_HEADERS } from '../server/features/volumes/volume-rules.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { parseCsv } from './helpers/csv.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { staffClient } from './helpers/staff.ts';
import { upload } from './helpers/volume-upload.ts';

// Dossier volumes through the staff page (issue 14): the template as a
// centre downloads it, filled in as a person would (vi-VN "1.234", a
// formula, a month Excel turned into a date), uploaded, previewed with
// nothing stored, confirmed; a bad file names every faulty row and stores
// nothing; an upload is its owner's to confirm.

const HEADERS = [...Object.values(KEY_HEADERS), ...ALL_VOLUME_FIELDS.map((f) => FIELD_HEADERS[f])];
const MONTH = '2026-01';

/** The page's text as a person reads it (eta escapes quotes). */
const text = (html: string) =>
  html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const stored = (db: Db, unitId: number) => monthRows(db, unitId, MONTH);

t.test('template → filled → preview stores nothing → confirm stores what was typed; CSV replaces it', async (t) => {
  const { app, db } = await testApp(t);
  const { centreId } = await createCentre(db, 'Xã Mẫu Biểu');
  const centre = await unitCode(db, centreId);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: centre });

  const page = await manager.get('/staff/volumes');
  t.equal(page.statusCode, 200);
  t.match(page.body, 'Trung tâm Phục vụ hành chính công Xã Mẫu Biểu', 'the unit can be chosen');
  t.match(page.body, 'enctype="multipart/form-data"');

  const res = await manager.get(`/staff/volumes/template?unitId=${centreId}&month=01/2026&format=xlsx`);
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-disposition'], `filename="so-lieu-ho-so-${centre}-2026-01.xlsx"`);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as never);
  t.same(
    wb.worksheets.map((w) => w.name),
    ['Số liệu', 'Lĩnh vực', 'Hướng dẫn'],
  );
  const ws = wb.worksheets[0]!;
  t.same((ws.getRow(1).values as unknown[]).slice(1), HEADERS, 'Biểu II.06a headers, keys first, in order');
  const areas = await listServiceAreas(db, { activeOnly: true });
  t.equal(ws.actualRowCount, 1 + areas.length, 'one row per active service area');
  const lineOf = new Map<string, number>();
  ws.eachRow((row, n) => {
    if (n === 1) return;
    t.same([row.getCell(1).value, row.getCell(2).value], [centre, '01/2026']);
    t.equal(row.getCell(4).value, null, 'counts start empty');
    lineOf.set(String(row.getCell(3).value), n);
  });
  t.match(wb.getWorksheet('Hướng dẫn')!.getColumn(1).values.join('\n'), /1\.234/);

  // Filled as a person would: two areas, the rest left blank (blank rows are skipped).
  const fill = (area: string, values: Record<string, ExcelJS.CellValue>) => {
    const row = ws.getRow(lineOf.get(area)!);
    ALL_VOLUME_FIELDS.forEach((f, i) => {
      row.getCell(4 + i).value = values[f] ?? null;
    });
  };
  fill('dat-dai', {
    receivedOnline: '1.234',
    receivedDirect: 10,
    carriedOver: 5,
    resolvedEarly: 1000,
    resolvedOnTime: 200,
    resolvedLate: 34,
    pendingOnTime: 10,
    pendingOverdue: 5,
    complaints: { formula: '2+3', result: 5 } as ExcelJS.CellValue,
    complaintsOnTime: 4,
  });
  // Does not add up (3 in, 4 out): accepted with a warning.
  fill('ho-tich', {
    receivedOnline: 1,
    receivedDirect: 1,
    carriedOver: 1,
    resolvedEarly: 1,
    resolvedOnTime: 1,
    resolvedLate: 1,
    pendingOnTime: 1,
    pendingOverdue: 0,
  });
  // Excel makes a typed 01/2026 into a date.
  const monthCell = ws.getRow(lineOf.get('ho-tich')!).getCell(2);
  monthCell.value = new Date(Date.UTC(2026, 0, 1));
  monthCell.numFmt = 'mm/yyyy';
  for (const [area, line] of lineOf) {
    if (area !== 'dat-dai' && area !== 'ho-tich') ws.getRow(line).values = [];
  }
  const filled = Buffer.from(await wb.xlsx.writeBuffer());

  const posted = await upload(app, manager, { name: 'so-lieu.xlsx', data: filled });
  t.equal(posted.statusCode, 303, posted.body);
  const previewUrl = String(posted.headers.location);
  t.match(previewUrl, /^\/staff\/volumes\/uploads\/[0-9a-f-]{36}$/);
  t.same(await stored(db, centreId), [], 'nothing stored by the upload');

  const preview = await manager.get(previewUrl);
  t.equal(preview.statusCode, 200);
  const shown = text(preview.body);
  t.match(shown, 'Chưa lưu gì.');
  t.match(shown, /Trung tâm Phục vụ hành chính công Xã Mẫu Biểu · tháng 01\/2026 <span class="badge">Mới/);
  t.match(shown, /Đất đai<\/td><td class="num">1\.244<\/td>/, 'received 1.234 + 10, as typed');
  t.match(shown, `Dòng ${lineOf.get('ho-tich')}: Số liệu chưa cân đối`, 'the balance warning names its row');
  t.same(await stored(db, centreId), [], 'nothing stored by the preview');

  const confirmed = await manager.post(`${previewUrl}/confirm`);
  t.equal(confirmed.statusCode, 200);
  t.match(confirmed.body, 'Đã lưu số liệu.');
  const none = { dissatisfiedOrComplained: null, complaints: null, complaintsOnTime: null };
  t.same(await stored(db, centreId), [
    {
      serviceArea: 'dat-dai',
      receivedOnline: 1234,
      receivedDirect: 10,
      carriedOver: 5,
      resolvedEarly: 1000,
      resolvedOnTime: 200,
      resolvedLate: 34,
      pendingOnTime: 10,
      pendingOverdue: 5,
      dissatisfiedOrComplained: null,
      complaints: 5,
      complaintsOnTime: 4,
    },
    {
      serviceArea: 'ho-tich',
      receivedOnline: 1,
      receivedDirect: 1,
      carriedOver: 1,
      resolvedEarly: 1,
      resolvedOnTime: 1,
      resolvedLate: 1,
      pendingOnTime: 1,
      pendingOverdue: 0,
      ...none,
    },
  ]);
  t.equal((await db.selectFrom('volume_upload').select('id').execute()).length, 0, 'the upload is forgotten');
  t.equal((await manager.post(`${previewUrl}/confirm`)).statusCode, 404, 'a second confirmation finds nothing');

  await t.test('the CSV template starts from what is stored; a semicolon CSV replaces it', async (t) => {
    const res = await manager.get(`/staff/volumes/template?unitId=${centreId}&month=2026-01&format=csv`);
    t.equal(res.statusCode, 200);
    t.match(res.headers['content-type'], /^text\/csv/);
    t.ok(res.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'UTF-8 with a BOM');
    const rows = parseCsv(res.body.slice(1));
    t.same(rows[0], HEADERS);
    const datDai = rows.find((r) => r[2] === 'dat-dai')!;
    t.same(datDai.slice(3, 6), ['1234', '10', '5'], 'stored values prefilled');
    // Resaved by a vi-VN Excel: semicolons, quoted where it likes, the late count corrected.
    datDai[8] = '40';
    datDai[10] = '0';
    const kept = rows.filter((r, i) => i === 0 || r[2] === 'dat-dai' || r[2] === 'ho-tich');
    const csv = kept.map((r) => r.map((c) => `"${c}"`).join(';')).join('\r\n');
    const posted = await upload(app, manager, { name: 'so-lieu.csv', data: csv });
    t.equal(posted.statusCode, 303, posted.body);
    const preview = text((await manager.get(String(posted.headers.location))).body);
    t.match(preview, 'Thay thế số liệu đã có');
    t.match(
      preview,
      /Đất đai<\/td><td>Đã giải quyết - Quá hạn<\/td><td class="num">34<\/td><td class="num"><strong>40</,
    );
    t.match(preview, /Đang giải quyết - Quá hạn<\/td><td class="num">5<\/td><td class="num"><strong>0</);
    t.equal((await stored(db, centreId))[0]!.resolvedLate, 34, 'still the old value before the confirmation');
    t.equal((await manager.post(`${posted.headers.location}/confirm`)).statusCode, 200);
    const after = await stored(db, centreId);
    t.same([after[0]!.resolvedLate, after[0]!.pendingOverdue, after[1]!.receivedOnline], [40, 0, 1]);
  });
});

t.test('a bad file names every faulty row and column in Vietnamese and stores nothing', async (t) => {
  const { app, db } = await testApp(t);
  const { centreId } = await createCentre(db, 'Xã Sai Sót');
  const other = await createCentre(db, 'Xã Bên Cạnh');
  const centre = await unitCode(db, centreId);
  const elsewhere = await unitCode(db, other.centreId);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: centre });

  const row = (unit: string, month: string, area: string, ...counts: string[]) =>
    [unit, month, area, ...counts].map((c) => (/[,"]/.test(c) ? `"${c}"` : c)).join(',');
  const ok = ['5', '5', '0', '5', '5', '0', '0', '0'];
  const csv = [
    HEADERS.map((h) => `"${h}"`).join(','),
    row(centre, '2026-1', 'dat-dai', ...ok),
    row(centre, '01/2026', 'ho-tich', '5', '5', '0', '5', '5', '12,5', '0', '0'),
    row(centre, '13/2026', 'cu-tru', '-3', '5', '0', '5', '5', '0', '0', '0'),
    row(centre, '01/2026', 'khong-co', ...ok),
    row(elsewhere, '01/2026', 'dat-dai', ...ok),
    '',
    row(centre, '01/2026', 'y-te', '5', '5', '', '5', '5', '0', '0', '0'),
    row(centre, '1/2026', 'chung-thuc', 'abc', ...ok.slice(1)),
  ].join('\n');
  const res = await upload(app, manager, { name: 'sai.csv', data: `\uFEFF${csv}` });
  t.equal(res.statusCode, 422);
  const page = text(res.body);
  t.match(page, 'Tệp «sai.csv» chưa nhận được: 7 lỗi. Chưa lưu gì.');
  for (const expected of [
    'Dòng 3, cột "Đã giải quyết - Quá hạn": phải là số nguyên không âm (ví dụ 1.234); đang ghi "12,5".',
    'Dòng 4, cột "Tháng (mm/yyyy)": tháng phải ghi dạng mm/yyyy, ví dụ 05/2026; đang ghi "13/2026".',
    'Dòng 4, cột "Tiếp nhận trong kỳ - Trực tuyến": phải là số nguyên không âm (ví dụ 1.234); đang ghi "-3".',
    'Dòng 5, cột "Mã lĩnh vực": không có lĩnh vực mã «khong-co».',
    `Dòng 6, cột "Mã đơn vị": không có đơn vị mã «${elsewhere}» trong phạm vi của Ông/Bà.`,
    'Dòng 8, cột "Từ kỳ trước chuyển qua": chưa ghi số liệu (nếu không có hồ sơ, ghi 0).',
    'Dòng 9, cột "Tiếp nhận trong kỳ - Trực tuyến": phải là số nguyên không âm (ví dụ 1.234); đang ghi "abc".',
  ]) {
    t.match(page, `<li>${expected}</li>`, expected);
  }
  t.notMatch(page, /Dòng 2\b/, 'the sound row is not blamed');
  t.same(await monthRows(db, centreId, MONTH), [], 'nothing stored');
  t.equal((await db.selectFrom('volume_upload').select('id').execute()).length, 0, 'nothing kept aside');

  const notTable = await upload(app, manager, { name: 'anh.png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0]) });
  t.equal(notTable.statusCode, 422);
  t.match(text(notTable.body), 'Tệp không phải CSV hoặc Excel (.xlsx).');
  const big = await upload(app, manager, { name: 'lon.csv', data: Buffer.alloc(5 * 1024 * 1024 + 1, 'a') });
  t.equal(big.statusCode, 422);
  t.match(text(big.body), 'Tệp lớn hơn 5 MB');
});

t.test('an upload is its owner’s to confirm; counter staff are refused', async (t) => {
  const { app, db } = await testApp(t);
  const { centreId } = await createCentre(db, 'Xã Chủ Tệp');
  const beta = await createCentre(db, 'Xã Người Khác');
  const centre = await unitCode(db, centreId);
  const owner = await staffClient(app, db, { role: 'manager', unitCode: centre });
  const colleague = await staffClient(app, db, { role: 'manager', unitCode: centre });
  const outsider = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, beta.communeId) });
  const clerk = await staffClient(app, db, { role: 'staff', unitCode: centre });

  const csv = `${HEADERS.map((h) => `"${h}"`).join(',')}\n${centre},01/2026,dat-dai,1,1,0,1,1,0,0,0`;
  const posted = await upload(app, owner, { name: 'chu.csv', data: csv });
  t.equal(posted.statusCode, 303, posted.body);
  const url = String(posted.headers.location);

  const looked = await colleague.get(url);
  t.equal(looked.statusCode, 200, 'a colleague in scope may look');
  t.notMatch(looked.body, '/confirm"', 'but is offered no confirmation');
  t.equal((await colleague.post(`${url}/confirm`)).statusCode, 404, 'nor may confirm');
  t.equal((await colleague.post(`${url}/delete`)).statusCode, 404, 'nor discard');
  t.equal((await outsider.get(url)).statusCode, 404, 'another commune sees nothing');
  t.equal((await outsider.post(`${url}/confirm`)).statusCode, 404);
  t.same(await monthRows(db, centreId, MONTH), [], 'nothing stored by them');

  for (const res of [
    await clerk.get('/staff/volumes'),
    await clerk.get(`/staff/volumes/template?unitId=${centreId}`),
    await upload(app, clerk, { name: 'chu.csv', data: csv }),
    await clerk.post(`${url}/confirm`),
  ]) {
    t.equal(res.statusCode, 403, 'counter staff are refused');
  }
  t.same(await monthRows(db, centreId, MONTH), []);

  t.equal((await owner.post(`${url}/delete`)).statusCode, 303, 'the owner may discard it');
  t.equal((await owner.get(url)).statusCode, 404, 'and it is gone');
});
