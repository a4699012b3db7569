import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import t, { type Test } from 'tap';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { createDesk, unitCode, VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { testApp, testConfig } from './helpers/harness.ts';

// The citizen's path without JavaScript: the page, the plain form post, the
// thank-you page, and the form again with messages when something is wrong.

const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});

async function setup(t: Test, areas = ['ho-tich']) {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, areas);
  const count = async () => {
    const r = await db
      .selectFrom('response')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };
  return { app, db, desk, count };
}

t.test('the survey page is Vietnamese, works without JavaScript and is small', async (t) => {
  const { app, desk } = await setup(t);
  const res = await app.inject({ method: 'GET', url: `/q/${desk.code}` });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /text\/html; charset=utf-8/);
  t.match(res.body, /<html lang="vi">/);
  t.match(res.body, /Phiếu khảo sát mức độ hài lòng/);
  t.match(res.body, /Nhìn chung, Ông\/Bà hài lòng/);
  t.match(res.body, /Rất không hài lòng/);
  t.match(res.body, /Không áp dụng/);
  t.match(res.body, /Gửi đánh giá/);
  t.match(res.body, /<form method="post" action="\/q\/[^"]+"/);
  t.match(res.body, /name="submissionId" value="[0-9a-f-]{36}"/);
  t.match(res.body, /name="viewport" content="width=device-width/);
  // The one script only keeps and retries unsent answers (tests/browser-retry.test.ts); the form needs none.
  t.same(
    res.body.match(/<script[^>]*>/gi),
    [res.body.match(/<script src="\/static\/survey-retry\.js" defer nonce="[0-9a-f]+">/)?.[0]],
    'no script is needed to answer: one deferred, optional script',
  );
  // A single-area desk needs no choice of area.
  t.match(res.body, /<input type="hidden" name="serviceArea" value="ho-tich">/);
  t.notMatch(res.body, /Ông\/Bà vui lòng chọn lĩnh vực/);
  t.ok(gzipSync(res.body).length < 30 * 1024, `gzipped page ${gzipSync(res.body).length} bytes < 30 KB`);

  const gz = await app.inject({ method: 'GET', url: `/q/${desk.code}`, headers: { 'accept-encoding': 'gzip' } });
  t.equal(gz.headers['content-encoding'], 'gzip', 'served compressed to browsers that accept it');
});

t.test('the overall item comes first, alone required; the factor items follow, optional and compact', async (t) => {
  const { app, desk } = await setup(t);
  const { body } = await app.inject(`/q/${desk.code}`);
  const at = (s: string) => body.indexOf(s);
  t.ok(at('name="overall"') > 0 && at('name="overall"') < at('Góp thêm ý kiến (không bắt buộc)'), 'overall first');
  t.ok(at('Góp thêm ý kiến (không bắt buộc)') < at('name="access"'), 'the factor items under the optional heading');
  t.same(
    [...new Set([...body.matchAll(/name="([^"]+)" value="[^"]*" required/g)].map((m) => m[1]))],
    ['overall'],
    'only the overall item is required in the browser too',
  );
  t.match(body, /name="feedback" value="na"/, 'complaint handling offers "Không áp dụng"');
  t.match(body, /<div class="scale big">/, 'the overall item is the big one');
  t.equal(body.match(/<div class="scale compact">/g)?.length, 5, 'the five factor items are compact');
});

t.test('a response with only the overall item is accepted and counted', async (t) => {
  // The posts come from the page (render token) and may be quick: nothing is flagged, so the report counts them.
  const { app, db } = await testApp(t, { stuffing: { ...testConfig().stuffing, minSeconds: 0 } });
  const desk = await createDesk(db, ['ho-tich']);
  const send = async (answers: Record<string, string>) => {
    const page = await app.inject(`/q/${desk.code}`);
    const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(page.body)?.[1] ?? '';
    const fields = { submissionId: hidden('submissionId'), renderToken: hidden('renderToken'), ...answers };
    return app.inject({ method: 'POST', url: `/q/${desk.code}`, ...form(fields) });
  };
  const onlyOverall = await send({ overall: '5' });
  t.equal(onlyOverall.statusCode, 200);
  t.match(onlyOverall.body, /Cảm ơn Ông\/Bà đã dành thời gian đánh giá!/);
  t.equal((await send({ overall: '2', staff: '4', feedback: 'na', access: '' })).statusCode, 200);

  const rows = await db.selectFrom('response').select(['id', 'suspect']).execute();
  t.same(
    rows.map((r) => r.suspect),
    [false, false],
    'both stored, neither flagged',
  );
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
  const communeCode = await unitCode(db, desk.communeId);
  const key = (await createApiKey(db, { unitCode: communeCode, role: 'official', label: 'báo cáo' }))!.key;
  const res = await app.inject({
    url: `/api/v1/reports/satisfaction?unit=${communeCode}&from=${today}&to=${today}`,
    headers: { authorization: `Bearer ${key}` },
  });
  t.equal(res.statusCode, 200);
  const r = res.json();
  t.same([r.overall.n, r.overall.satisfied], [2, 1], 'both responses count towards the overall rate');
  const factor = (k: string) => r.factors.find((f: { key: string }) => f.key === k);
  t.equal(factor('staff').n, 1, 'a factor counts where it was answered');
  t.equal(factor('staff').rate, 1);
  t.equal(factor('feedback').n, 0, '"na" stays out of the denominator');
  t.equal(factor('access').n, 0, 'and so does a blank');
});

t.test('each visit gets a fresh submission id', async (t) => {
  const { app, desk } = await setup(t);
  const id = async () => /name="submissionId" value="([^"]+)"/.exec((await app.inject(`/q/${desk.code}`)).body)?.[1];
  t.not(await id(), await id());
});

t.test('English is one tap away and keeps the chosen area', async (t) => {
  const { app, desk } = await setup(t, ['dat-dai', 'xay-dung']);
  const vi = await app.inject({ method: 'GET', url: `/q/${desk.code}?area=xay-dung` });
  t.match(vi.body, /href="\/q\/[^"]+\?lang=en&amp;area=xay-dung"/);
  const en = await app.inject({ method: 'GET', url: `/q/${desk.code}?lang=en&area=xay-dung` });
  t.match(en.body, /<html lang="en">/);
  t.match(en.body, /Satisfaction survey/);
  t.match(en.body, /Very satisfied/);
  t.match(en.body, /value="xay-dung" required checked/);
  t.match(en.body, /Tiếng Việt/);
});

t.test('a desk serving several areas asks for the area first', async (t) => {
  const { app, desk, count } = await setup(t, ['dat-dai', 'xay-dung']);
  const page = await app.inject({ method: 'GET', url: `/q/${desk.code}` });
  const chooser = page.body.indexOf('Ông/Bà vui lòng chọn lĩnh vực đã giao dịch');
  t.ok(chooser > 0, 'the area chooser is there');
  t.ok(chooser < page.body.indexOf('name="overall"'), 'and comes before the questions');
  t.match(page.body, /Đất đai/);
  t.match(page.body, /Xây dựng/);

  const submissionId = randomUUID();
  const missing = await app.inject({
    method: 'POST',
    url: `/q/${desk.code}`,
    ...form({ ...VALID_FORM_ANSWERS, submissionId }),
  });
  t.equal(missing.statusCode, 422);
  t.match(missing.body, /Ông\/Bà vui lòng chọn lĩnh vực đã giao dịch\./);
  const wrong = await app.inject({
    method: 'POST',
    url: `/q/${desk.code}`,
    ...form({ ...VALID_FORM_ANSWERS, serviceArea: 'y-te', submissionId }),
  });
  t.equal(wrong.statusCode, 422);
  t.match(wrong.body, /Quầy này không phục vụ lĩnh vực đã chọn/);
  t.equal(await count(), 0);

  const ok = await app.inject({
    method: 'POST',
    url: `/q/${desk.code}`,
    ...form({ ...VALID_FORM_ANSWERS, serviceArea: 'xay-dung', submissionId }),
  });
  t.equal(ok.statusCode, 200);
  t.equal(await count(), 1);
});

t.test('a valid post is stored once, with one row per answer, and thanked', async (t) => {
  const { app, db, desk, count } = await setup(t);
  const submissionId = randomUUID();
  const post = () =>
    app.inject({
      method: 'POST',
      url: `/q/${desk.code}`,
      ...form({ ...VALID_FORM_ANSWERS, submissionId, lang: 'vi' }),
    });
  const res = await post();
  t.equal(res.statusCode, 200);
  t.match(res.body, /Cảm ơn Ông\/Bà đã dành thời gian đánh giá!/);

  const rows = await db.selectFrom('response').selectAll().execute();
  t.equal(rows.length, 1);
  t.equal(rows[0]?.channel, 'qr');
  t.equal(rows[0]?.service_area_code, 'ho-tich');
  t.equal(rows[0]?.submission_id, submissionId);
  const answers = await db.selectFrom('answer').selectAll().where('response_id', '=', rows[0]!.id).execute();
  t.equal(answers.length, Object.keys(VALID_FORM_ANSWERS).length);
  const byKey = Object.fromEntries(answers.map((a) => [a.indicator_key, a]));
  t.equal(byKey.overall?.value_num, 5);
  t.equal(byKey.feedback?.value_option, 'na');
  t.equal(byKey.trips?.value_option, '1');
  t.equal(byKey.comment?.value_text, 'Cán bộ hướng dẫn tận tình.');

  // The citizen taps "send" again, or the browser resends after a timeout.
  const again = await post();
  t.equal(again.statusCode, 200);
  t.match(again.body, /Cảm ơn/);
  t.equal(await count(), 1, 'a replay stores nothing more');
});

t.test('the same form sent again with other answers keeps the first', async (t) => {
  const { app, db, desk, count } = await setup(t);
  const submissionId = randomUUID();
  await app.inject({ method: 'POST', url: `/q/${desk.code}`, ...form({ ...VALID_FORM_ANSWERS, submissionId }) });
  const res = await app.inject({
    method: 'POST',
    url: `/q/${desk.code}`,
    ...form({ ...VALID_FORM_ANSWERS, overall: '1', submissionId }),
  });
  t.equal(res.statusCode, 409);
  t.match(res.body, /Phiếu này đã được gửi/);
  t.equal(await count(), 1);
  const overall = await db
    .selectFrom('answer')
    .select('value_num')
    .where('indicator_key', '=', 'overall')
    .executeTakeFirst();
  t.equal(overall?.value_num, 5);
});

t.test('invalid answers bring the form back with messages and the answers kept', async (t) => {
  const { app, desk, count } = await setup(t);
  const submissionId = randomUUID();
  const { overall: _omit, ...rest } = VALID_FORM_ANSWERS;
  const res = await app.inject({
    method: 'POST',
    url: `/q/${desk.code}`,
    ...form({ ...rest, staff: '7', comment: '<script>alert(1)</script> Hồ sơ', submissionId }),
  });
  t.equal(res.statusCode, 422);
  t.match(res.body, /Ông\/Bà vui lòng kiểm tra lại 2 mục được đánh dấu bên dưới\./);
  t.match(res.body, /id="q-overall" class="bad"/);
  t.match(res.body, /Ông\/Bà vui lòng trả lời câu hỏi này\./);
  t.match(res.body, /id="q-staff" class="cq bad"/);
  t.match(res.body, /Lựa chọn không hợp lệ\./);
  t.match(res.body, /name="access" value="4" checked/, 'earlier answers stay checked');
  t.match(res.body, /name="feedback" value="na" checked/);
  t.match(res.body, new RegExp(`name="submissionId" value="${submissionId}"`), 'the same submission id is kept');
  t.match(res.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt; Hồ sơ/, 'the comment comes back, escaped');
  t.notMatch(res.body, /<script>alert/);
  t.equal(await count(), 0, 'nothing is stored');

  const en = await app.inject({
    method: 'POST',
    url: `/q/${desk.code}`,
    ...form({ ...rest, submissionId, lang: 'en' }),
  });
  t.equal(en.statusCode, 422);
  t.match(en.body, /Please answer this question\./);
});

t.test('a form without a submission id is shown again, not stored', async (t) => {
  const { app, desk, count } = await setup(t);
  const res = await app.inject({
    method: 'POST',
    url: `/q/${desk.code}`,
    ...form({ ...VALID_FORM_ANSWERS, submissionId: 'x' }),
  });
  t.equal(res.statusCode, 422);
  t.match(res.body, /name="submissionId" value="[0-9a-f-]{36}"/);
  t.match(res.body, /name="overall" value="5" required checked/);
  t.equal(await count(), 0);
});

t.test('an unknown or inactive desk gets a 404 page in Vietnamese', async (t) => {
  const { app, db, desk, count } = await setup(t);
  for (const url of ['/q/khong-co-quay', `/q/${'x'.repeat(100)}`]) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 404, url);
    t.match(res.body, /Không tìm thấy quầy này/);
  }
  const post = await app.inject({
    method: 'POST',
    url: '/q/khong-co-quay',
    ...form({ ...VALID_FORM_ANSWERS, submissionId: randomUUID() }),
  });
  t.equal(post.statusCode, 404);

  await db.updateTable('desk').set({ active: false }).where('id', '=', desk.deskId).execute();
  const inactive = await app.inject({ method: 'GET', url: `/q/${desk.code}` });
  t.equal(inactive.statusCode, 404);
  const late = await app.inject({
    method: 'POST',
    url: `/q/${desk.code}`,
    ...form({ ...VALID_FORM_ANSWERS, submissionId: randomUUID() }),
  });
  t.equal(late.statusCode, 404);
  t.equal(await count(), 0);
});

t.test('an oversized form post is refused with 413 and nothing stored', async (t) => {
  const { app, desk, count } = await setup(t);
  const res = await app.inject({
    method: 'POST',
    url: `/q/${desk.code}`,
    ...form({ ...VALID_FORM_ANSWERS, comment: 'a'.repeat(40_000), submissionId: randomUUID() }),
  });
  t.equal(res.statusCode, 413);
  t.equal(await count(), 0);
});
