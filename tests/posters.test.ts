import t, { type Test } from 'tap';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { createCentre, createDesk, unitCode } from './helpers/fixtures.ts';
import { TEST_PUBLIC_URL, testApp } from './helpers/harness.ts';
import { pdfText } from './helpers/pdf-text.ts';
import { staffClient } from './helpers/staff.ts';

// QR posters: the print page and the PDF of a desk, and a centre's posters in
// one PDF; Vietnamese text must survive into the PDF, and another commune's
// users must not learn that the desk exists.

const pageCount = (pdf: Buffer) => pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g)?.length ?? 0;

async function setup(t: Test) {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['dat-dai', 'xay-dung']);
  const staff = await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, desk.centreId) });
  return { app, db, desk, staff };
}

const CTA = 'Ông/Bà vui lòng quét mã QR để đánh giá mức độ hài lòng';
const PRIVACY = 'Phiếu khảo sát không thu thập thông tin cá nhân.';

t.test("a centre's staff opens the print page of a desk's poster", async (t) => {
  const { desk, staff } = await setup(t);
  const res = await staff.get(`/staff/desks/${desk.deskId}/poster`);
  t.equal(res.statusCode, 200);
  const url = `${TEST_PUBLIC_URL}/q/${desk.code}`;
  for (const text of [
    'Xã Thử Nghiệm',
    'Trung tâm Phục vụ hành chính công Xã Thử Nghiệm',
    CTA,
    url,
    'Quầy 1',
    'Lĩnh vực: Đất đai, Xây dựng',
    PRIVACY,
  ]) {
    t.ok(res.body.includes(text), `shows ${text}`);
  }
  t.match(res.body, /<div class="qr"[^>]*><svg[^>]*viewBox/, 'the QR is inline SVG');
  // Sized by staff.css (named pages): the CSP admits no inline style or onclick.
  t.match(res.body, /<article class="sheet a4"/);
  const css = (await staff.get('/static/staff.css')).body;
  t.match(css, /@page poster-a4\{size:A4 portrait/);
  t.match(css, /\.sheet\{[^}]*page:poster-a4/);
  t.match(res.body, /class="noprint"[\s\S]*<button type="button" data-print>/, 'a print button that does not print');
  t.match(res.body, new RegExp(`href="/staff/desks/${desk.deskId}/poster.pdf\\?size=a4"`));

  const card = await staff.get(`/staff/desks/${desk.deskId}/poster?size=a5`);
  t.equal(card.statusCode, 200);
  t.match(card.body, /<article class="sheet a5"/);
  t.match(css, /@page poster-a5\{size:A5 portrait/);
  t.match(css, /\.sheet\.a5\{[^}]*page:poster-a5/);
  t.match(card.body, /Thẻ đặt bàn A5/);
  t.equal((await staff.get(`/staff/desks/${desk.deskId}/poster?size=a3`)).statusCode, 400);
});

t.test('the poster PDF opens, embeds the font and keeps the URL and Vietnamese text', async (t) => {
  const { db, desk, staff } = await setup(t);
  const res = await staff.get(`/staff/desks/${desk.deskId}/poster.pdf`);
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/pdf/);
  t.equal(res.headers['content-disposition'], `attachment; filename="poster-${desk.code}-a4.pdf"`);
  const pdf = res.rawPayload;
  t.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  t.match(pdf.toString('latin1'), /\/MediaBox \[0 0 595\.28 841\.89\]/, 'A4');
  t.match(pdf.toString('latin1'), /\/FontFile2 /, 'the TrueType font is embedded');
  t.match(pdf.toString('latin1'), /\/BaseFont \/[A-Z]{6}\+BeVietnamPro-Bold/);
  t.equal(pageCount(pdf), 1);

  const text = pdfText(pdf);
  t.notMatch(text, /\uFFFD/, 'every letter has its glyph in the font and maps back to text');
  t.ok(text.includes(`${TEST_PUBLIC_URL}/q/${desk.code}`), 'the desk URL, on one line');
  for (const vi of [
    CTA,
    PRIVACY,
    'TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ THỬ NGHIỆM',
    'XÃ THỬ NGHIỆM',
    'Lĩnh vực: Đất đai, Xây dựng',
    'Chạm vào đường dẫn hiện ra để mở phiếu khảo sát.',
  ]) {
    t.ok(text.replace(/\s+/g, ' ').includes(vi), `PDF text has "${vi}"`);
  }

  const card = await staff.get(`/staff/desks/${desk.deskId}/poster.pdf?size=a5`);
  t.equal(card.headers['content-disposition'], `attachment; filename="poster-${desk.code}-a5.pdf"`);
  t.match(card.rawPayload.toString('latin1'), /\/MediaBox \[0 0 419\.53 595\.28\]/, 'A5');

  const audit = await db
    .selectFrom('audit_event')
    .select(['action', 'detail'])
    .where('action', '=', 'export.poster')
    .execute();
  t.same(
    audit.map((a) => a.detail),
    [
      { deskId: desk.deskId, size: 'a4' },
      { deskId: desk.deskId, size: 'a5' },
    ],
    'each download is in the audit log',
  );
});

t.test("a centre manager downloads all of the centre's active desks in one PDF", async (t) => {
  const { app, db } = await testApp(t);
  const centre = await createCentre(db);
  const codes = ['qa-1', 'qa-2', 'qa-3'].map((c) => `${c}-${centre.centreId}`);
  for (const [i, code] of codes.entries()) {
    await insertDesk(db, { unitId: centre.centreId, code, name: `Quầy ${i + 1}`, serviceAreas: ['ho-tich'] });
  }
  await db.updateTable('desk').set({ active: false }).where('code', '=', codes[2]!).execute();
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, centre.centreId) });

  const res = await manager.get(`/staff/units/${centre.centreId}/posters.pdf?size=a5`);
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-disposition'], /^attachment; filename="posters-tt-[a-f0-9]+-a5\.pdf"$/);
  t.equal(pageCount(res.rawPayload), 2, 'one page per active desk');
  const text = pdfText(res.rawPayload);
  t.ok(text.includes(`${TEST_PUBLIC_URL}/q/${codes[0]}`));
  t.ok(text.includes(`${TEST_PUBLIC_URL}/q/${codes[1]}`));
  t.notOk(text.includes(`/q/${codes[2]}`), 'no poster for a deactivated desk');
  t.ok(text.includes('Lĩnh vực: Hộ tịch'));

  const fromCommune = await manager.get(`/staff/units/${centre.communeId}/posters.pdf`);
  t.equal(fromCommune.statusCode, 404, "the commune is above the manager's centre");

  const empty = await createCentre(db, 'Phường Chưa Có Quầy');
  const admin = await staffClient(app, db, { role: 'admin' });
  const none = await admin.get(`/staff/units/${empty.centreId}/posters.pdf`);
  t.equal(none.statusCode, 404);
  t.match(none.body, /chưa có quầy nào đang hoạt động/);
  const province = await admin.get(`/staff/units/${centre.provinceId}/posters.pdf`);
  t.equal(pageCount(province.rawPayload), 2, 'the subtree below a province');

  const staff = await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, centre.centreId) });
  t.equal((await staff.get(`/staff/units/${centre.centreId}/posters.pdf`)).statusCode, 403, "staff can't");
});

// Another commune's users asking for the desk's posters or the centre's PDF (404, as for an id
// that does not exist or is malformed; nothing exported): the cross-unit matrix
// (tests/cross-unit.test.ts).
t.test('a deactivated desk has no poster, and the page says why', async (t) => {
  const { db, desk, staff } = await setup(t);
  await db.updateTable('desk').set({ active: false }).where('id', '=', desk.deskId).execute();
  const gone = await staff.get(`/staff/desks/${desk.deskId}/poster.pdf`);
  t.equal(gone.statusCode, 404);
  t.match(gone.body, /Quầy đã ngừng hoạt động/);
});
