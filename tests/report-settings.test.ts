import JSZip from 'jszip';
import t from 'tap';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { pdfText } from './helpers/pdf-text.ts';
import { seedReportData } from './helpers/report-data.ts';
import { staffClient } from './helpers/staff.ts';

// A unit's report settings (the NĐ 30/2020 header, recipients, signer and
// distribution list): the form a manager fills in, what the PDF and the
// DOCX then print, the audit entry, and the scope (another commune's
// manager gets a 404 and changes nothing; the generated matrix in
// cross-unit.test.ts asks every role).

const FORM = {
  issuerName: 'Ủy ban nhân dân xã Báo Cáo Mẫu',
  parentName: '',
  placeName: 'Báo Cáo Mẫu',
  abbreviation: 'UBND',
  recipients: 'Sở Nội vụ tỉnh Thử Nghiệm\r\n\r\n  Văn phòng UBND tỉnh  ',
  signerCapacity: 'TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH',
  signerName: 'Trần Văn Bình',
  distribution: 'Như trên\nLưu: VT',
};

t.test('a manager sets what the reports print; the PDF and the DOCX follow; audited', async (t) => {
  const { app, db } = await testApp(t);
  const data = await seedReportData(db);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: data.communeCode });
  const url = `/staff/units/${data.communeId}/report-settings`;

  const empty = await manager.get(url);
  t.equal(empty.statusCode, 200);
  t.match(empty.body, /Thiết lập báo cáo/);
  t.match(empty.body, /Mặc định: Xã Báo Cáo Mẫu/, 'the default issuing body: the unit');
  t.match(empty.body, /Mặc định: Tỉnh Thử Nghiệm/, 'the default parent body: the parent unit');
  t.match(empty.body, /Mặc định: Phòng Văn hóa – Xã hội/);
  const unitPage = await manager.get(`/staff/units/${data.communeId}`);
  t.match(unitPage.body, new RegExp(`href="${url}"`), 'the unit page links to the form');

  const bad = await manager.post(url, { signerName: 'Trần Văn Bình', abbreviation: 'ub nd' });
  t.equal(bad.statusCode, 422, 'an abbreviation with a space is refused');
  t.match(bad.body, /Chữ viết tắt gồm chữ in hoa/);
  t.match(bad.body, /Trần Văn Bình/, 'what was typed is kept');
  t.equal((bad.body.match(/role="alert"/g) ?? []).length, 1, 'one message: a field left out is an empty one');
  t.notOk(await db.selectFrom('unit_report_setting').selectAll().executeTakeFirst(), 'nothing saved');

  const saved = await manager.post(url, FORM);
  t.equal(saved.statusCode, 303);
  t.equal(saved.headers.location, `${url}?saved=1`);
  const row = await db
    .selectFrom('unit_report_setting')
    .selectAll()
    .where('unit_id', '=', data.communeId)
    .executeTakeFirstOrThrow();
  t.equal(row.recipients, 'Sở Nội vụ tỉnh Thử Nghiệm\nVăn phòng UBND tỉnh', 'one entry a line, blank lines dropped');
  t.equal(row.parent_name, null, 'an empty field keeps the default');
  const shown = await manager.get(`${url}?saved=1`);
  t.match(shown.body, /Đã lưu thiết lập báo cáo/);
  t.match(shown.body, /value="Trần Văn Bình"/, 'the form shows what was saved');

  const audits = await db
    .selectFrom('audit_event')
    .select(['unit_id', 'detail'])
    .where('action', '=', 'unit.report_settings')
    .execute();
  t.equal(audits.length, 1);
  t.equal(audits[0]!.unit_id, data.communeId);
  t.match(audits[0]!.detail, { to: { signerName: 'Trần Văn Bình' }, from: { signerName: null } });
  t.equal((await manager.post(url, FORM)).statusCode, 303, 'saving the same again');
  t.equal(
    (await db.selectFrom('audit_event').select('id').where('action', '=', 'unit.report_settings').execute()).length,
    1,
    'no change, no audit entry',
  );

  const official = await staffClient(app, db, { role: 'official', unitCode: data.communeCode });
  const query = `unitId=${data.communeId}&period=custom&from=2026-01-01&to=2026-03-31`;
  const pdf = await official.get(`/staff/reports/report.pdf?${query}`);
  t.equal(pdf.statusCode, 200);
  t.match(pdfText(pdf.rawPayload), /ỦY BAN NHÂN DÂN XÃ BÁO CÁO MẪU/, 'PDF: the issuing body');
  const lines = pdfText(pdf.rawPayload, '\n')
    .split('\n')
    .map((l) => l.trim());
  for (const line of [
    'ỦY BAN NHÂN DÂN',
    'XÃ BÁO CÁO MẪU',
    'TỈNH THỬ NGHIỆM',
    'Kính gửi:',
    '- Sở Nội vụ tỉnh Thử Nghiệm;',
    '- Văn phòng UBND tỉnh.',
    'TM. ỦY BAN NHÂN DÂN',
    'CHỦ TỊCH',
    'Trần Văn Bình',
    '- Lưu: VT.',
  ]) {
    t.ok(lines.includes(line), `PDF: ${line}`);
  }
  t.ok(
    lines.some((l) => /^Báo Cáo Mẫu, ngày \d\d tháng \d{1,2} năm \d{4}$/.test(l)),
    'PDF: place and date',
  );

  const docx = await official.get(`/staff/reports/report.docx?${query}`);
  t.equal(docx.statusCode, 200);
  t.equal(docx.headers['content-type'], 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  t.match(
    docx.headers['content-disposition'],
    /attachment; filename="bao-cao-hai-long-c-[0-9a-f]+-2026-01-01-2026-03-31\.docx"/,
  );
  const xml = await (await JSZip.loadAsync(docx.rawPayload)).file('word/document.xml')!.async('string');
  // The issuing body in two balanced lines, a break between them.
  t.match(xml, /ỦY BAN NHÂN DÂN<\/w:t><\/w:r><w:r>.*?<w:br\/><w:t[^>]*>XÃ BÁO CÁO MẪU/);
  for (const text of ['- Sở Nội vụ tỉnh Thử Nghiệm;', 'Trần Văn Bình', 'Xã Báo Cáo Mẫu']) {
    t.ok(xml.includes(text), `DOCX: ${text}`);
  }
  const exports = await db
    .selectFrom('audit_event')
    .select(['unit_id', 'detail'])
    .where('action', '=', 'export.report')
    .orderBy('id')
    .execute();
  t.same(
    exports.map((e) => [e.unit_id, (e.detail as { format: string }).format]),
    [
      [data.communeId, 'pdf'],
      [data.communeId, 'docx'],
    ],
    'each download audited',
  );
});

t.test('scope: another commune’s manager gets a 404 and changes nothing; an official may not edit', async (t) => {
  const { app, db } = await testApp(t);
  const a = await createCentre(db, 'Xã Alpha');
  const b = await createCentre(db, 'Xã Beta');
  const url = `/staff/units/${a.communeId}/report-settings`;
  const other = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, b.communeId) });
  t.equal((await other.get(url)).statusCode, 404);
  t.equal((await other.post(url, FORM)).statusCode, 404);
  t.equal((await other.post(url, { ...FORM, abbreviation: 'sai cú pháp' })).statusCode, 404, 'even with a bad form');
  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, a.communeId) });
  t.equal((await official.post(url, FORM)).statusCode, 403);
  // A manager of the province reaches the commune below it.
  const above = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, a.provinceId) });
  t.equal((await above.post(url, FORM)).statusCode, 303);
  const rows = await db.selectFrom('unit_report_setting').select('unit_id').execute();
  t.same(
    rows.map((r) => r.unit_id),
    [a.communeId],
    'only the reachable manager’s change was saved',
  );
  // The commune's own manager may not set the province's.
  const own = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, a.communeId) });
  t.equal((await own.get(`/staff/units/${a.provinceId}/report-settings`)).statusCode, 404);
});
