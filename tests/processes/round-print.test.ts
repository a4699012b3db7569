import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jsqr from 'jsqr';
import { PNG } from 'pngjs';
import t, { type Test } from 'tap';
import { roundFormsPdf } from '../../server/features/rounds/round-print.ts';
import { insertRound } from '../../server/features/rounds/round-repository.ts';
import { latestVersion } from '../../server/features/surveys/survey-version-repository.ts';
import { SHIPPED_SURVEYS } from '../../surveys/instruments.ts';
import { paperNumbering } from '../../surveys/paper-numbering.ts';
import { questionsOf } from '../../surveys/schema.ts';
import { createCentre, unitCode } from '../helpers/fixtures.ts';
import { TEST_PUBLIC_URL, testApp } from '../helpers/harness.ts';
import { pdfText } from '../helpers/pdf-text.ts';
import { staffClient } from '../helpers/staff.ts';

// Printed questionnaires of a survey round (issue 16): one numbered form per
// serial with the QR link the clerk enters it by, a blank form to photocopy,
// Vietnamese text intact; only those who may open the round print it.

const pageCount = (pdf: Buffer) => pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g)?.length ?? 0;
const flat = (pdf: Buffer) => pdfText(pdf).replace(/\s+/g, ' ');

async function setup(t: Test) {
  const { app, db } = await testApp(t);
  const mine = await createCentre(db, 'Xã Tân Hội');
  const other = await createCentre(db, 'Xã Bình Minh');
  const version = (await latestVersion(db, 'sipas-quick'))!;
  const roundId = await insertRound(
    db,
    {
      unitId: mine.communeId,
      code: 'quy-2-2026',
      surveyVersionId: version.id,
      fieldworkFrom: '2026-04-01',
      fieldworkTo: '2026-06-30',
      referenceFrom: null,
      referenceTo: null,
      population: 3,
      populationSource: 'typed',
      margin: 0.05,
      allocation: 'equal',
      quotas: [
        { code: 'ho-tich', quota: 1 },
        { code: 'dat-dai', quota: 2 },
      ],
    },
    null,
  );
  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, mine.communeId) });
  return { app, db, mine, other, roundId, official, definition: version.definition };
}

t.test('an official prints the numbered forms of a round', async (t) => {
  const { db, roundId, official, definition } = await setup(t);
  const res = await official.get(`/staff/rounds/${roundId}/forms.pdf`);
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  t.match(res.headers['content-type'], /^application\/pdf/);
  t.equal(res.headers['content-disposition'], 'attachment; filename="quy-2-2026-phieu.pdf"');
  const pdf = res.rawPayload;
  t.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  t.match(pdf.toString('latin1'), /\/MediaBox \[0 0 595\.28 841\.89\]/, 'A4');
  t.equal(pageCount(pdf), 3, 'n = 3 forms of one page each');
  const text = flat(pdf);
  t.notMatch(text, /\uFFFD/, 'every letter has its glyph');
  for (const serial of [1, 2, 3]) {
    const s = String(serial).padStart(4, '0');
    t.ok(text.includes(`quy-2-2026 · Phiếu số ${s}`), `form ${s} in the header`);
    t.ok(text.includes(`Phiếu số ${s} – trang 1/1`), `form ${s} in the footer`);
    t.ok(text.includes(`${TEST_PUBLIC_URL}/staff/rounds/${roundId}/entry?serial=${serial}`), `entry link ${serial}`);
  }
  t.notOk(text.includes('Phiếu số 0004'), 'no more forms than n');
  for (const vi of [
    'XÃ TÂN HỘI',
    'PHIẾU KHẢO SÁT MỨC ĐỘ HÀI LÒNG',
    'Thời gian khảo sát: 01/04/2026 – 30/06/2026',
    'Điều tra viên đọc cho người trả lời:',
    'đánh dấu × vào một ô',
    '1 = Rất không hài lòng',
    '5 = Rất hài lòng',
    '0 / Không áp dụng',
    'Ngày khảo sát: ____/____/________',
    'Lĩnh vực thủ tục:',
    'Góp thêm ý kiến (không bắt buộc)',
  ]) {
    t.ok(text.includes(vi), `has "${vi}"`);
  }
  // The areas of the quotas, numbered by code: 1 đất đai, 2 hộ tịch.
  t.match(text, /1 Đất đai 2 Hộ tịch/);
  questionsOf(definition).forEach((q, i) => {
    t.ok(text.includes(`Câu ${i + 1}. ${q.text.vi}`), `question ${q.key}`);
    if (q.type === 'choice') for (const o of q.options) t.ok(text.includes(o.text.vi), `option ${o.text.vi}`);
  });

  const part = await official.get(`/staff/rounds/${roundId}/forms.pdf?from=9&to=10`);
  t.equal(part.statusCode, 200);
  t.equal(pageCount(part.rawPayload), 2, 'a range past n is allowed (spare forms)');
  t.ok(flat(part.rawPayload).includes('quy-2-2026 · Phiếu số 0010'));
  t.notOk(flat(part.rawPayload).includes('Phiếu số 0008'));

  const audit = await db
    .selectFrom('audit_event')
    .select('detail')
    .where('action', '=', 'export.round_forms')
    .orderBy('id')
    .execute();
  t.same(
    audit.map((a) => a.detail),
    [
      { roundId, code: 'quy-2-2026', from: 1, to: 3 },
      { roundId, code: 'quy-2-2026', from: 9, to: 10 },
    ],
  );
});

t.test('a bad or too large range is refused in Vietnamese', async (t) => {
  const { roundId, official } = await setup(t);
  for (const [query, message] of [
    ['from=1&to=2001', 'Mỗi lần in tối đa 2.000 phiếu'],
    ['from=5&to=2', 'phải nhỏ hơn hoặc bằng số phiếu'],
    ['from=abc', 'phải là số nguyên từ 1'],
    ['to=0', 'phải là số nguyên từ 1'],
  ] as const) {
    const res = await official.get(`/staff/rounds/${roundId}/forms.pdf?${query}`);
    t.equal(res.statusCode, 422, query);
    t.match(res.body, message);
  }
});

t.test('the blank form has no serial and no QR', async (t) => {
  const { roundId, official } = await setup(t);
  const res = await official.get(`/staff/rounds/${roundId}/blank.pdf`);
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-disposition'], 'attachment; filename="quy-2-2026-phieu-mau.pdf"');
  t.equal(pageCount(res.rawPayload), 1);
  const text = flat(res.rawPayload);
  t.ok(text.includes('quy-2-2026 · Phiếu số: ________'));
  t.ok(text.includes('Phiếu số: ________ – trang 1/1'));
  t.notMatch(text, /Phiếu số \d/);
  t.notOk(text.includes('/entry?serial='), 'no entry link');
  t.notMatch(res.rawPayload.toString('latin1'), /\/Subtype \/Image/, 'no QR image');
  t.ok(text.includes('Mẫu phiếu để in sao'));
});

t.test("another commune's official gets a 404; the commune's clerks print", async (t) => {
  const { app, db, mine, other, roundId } = await setup(t);
  const stranger = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, other.communeId) });
  for (const file of ['forms.pdf', 'blank.pdf']) {
    const res = await stranger.get(`/staff/rounds/${roundId}/${file}`);
    t.equal(res.statusCode, 404, `${file} as another commune's official`);
    t.notOk(res.body.includes('quy-2-2026'));
    t.equal((await stranger.get(`/staff/rounds/999999/${file}`)).statusCode, 404, 'as for a round that does not exist');
  }
  // A clerk of the commune prints the forms they will enter.
  const clerk = await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, mine.communeId) });
  t.equal((await clerk.get(`/staff/rounds/${roundId}/forms.pdf`)).statusCode, 200);
  t.equal((await clerk.get(`/staff/rounds/${roundId}/blank.pdf`)).statusCode, 200);
});

t.test('a long survey: each form keeps its pages together, numbered on every page', async (t) => {
  const definition = SHIPPED_SURVEYS.find((s) => s.code === 'papi-xa')!;
  const pdf = await roundFormsPdf({
    round: { id: 7, code: 'papi-2026', unitName: 'Xã Tân Hội', fieldworkFrom: '2026-04-01', fieldworkTo: '2026-04-30' },
    definition,
    fields: paperNumbering(definition, [{ code: 'dat-dai', nameVi: 'Đất đai' }]),
    baseUrl: TEST_PUBLIC_URL,
    from: 41,
    to: 42,
  });
  const text = flat(pdf);
  const pages = Number(/Phiếu số 0041 – trang 1\/(\d+)/.exec(text)?.[1]);
  t.ok(pages >= 2, `${pages} pages a form`);
  const sheets = pages + (pages % 2);
  t.equal(pageCount(pdf), 2 * sheets, 'an odd count gets a blank page, for printing on both sides');
  t.equal(text.split('(Trang này để trống)').length - 1, 2 * (sheets - pages));
  for (const serial of ['0041', '0042']) {
    for (let p = 1; p <= pages; p++)
      t.ok(text.includes(`Phiếu số ${serial} – trang ${p}/${pages}`), `${serial} p. ${p}`);
  }
  t.ok(
    text.indexOf(`Phiếu số 0041 – trang ${pages}/${pages}`) < text.indexOf('papi-2026 · Phiếu số 0042'),
    "form 41's last page comes before form 42's first",
  );
  // A line may break after a slash ("xã/ phường"): compared without spaces.
  const tight = text.replace(/\s/g, '');
  for (const q of questionsOf(definition)) t.ok(tight.includes(q.text.vi.replace(/\s/g, '')), `question ${q.key}`);

  // The page as a person sees it, where poppler is installed.
  let hasPoppler = true;
  try {
    execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' });
  } catch {
    hasPoppler = false;
  }
  if (!hasPoppler) {
    t.comment('pdftoppm is not installed: the page is not rendered');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'round-print-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'forms.pdf'), pdf);
  // The top right corner of page 1 at 150 dpi, where the QR is.
  const corner = ['-x', '980', '-y', '40', '-W', '220', '-H', '220'];
  execFileSync('pdftoppm', [
    ...['-r', '150', '-f', '1', '-l', '1', ...corner],
    '-singlefile',
    '-png',
    path.join(dir, 'forms.pdf'),
    path.join(dir, 'p'),
  ]);
  const png = PNG.sync.read(readFileSync(path.join(dir, 'p.png')));
  const qr = jsqr.default(new Uint8ClampedArray(png.data), png.width, png.height);
  t.equal(qr?.data, `${TEST_PUBLIC_URL}/staff/rounds/7/entry?serial=41`, 'the printed QR reads as the entry link');
});
