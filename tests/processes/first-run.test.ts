import t, { type Test } from 'tap';
import { isTrialAddress } from '../../server/platform/config.ts';
import { createDesk, unitCode } from '../helpers/fixtures.ts';
import { TEST_PUBLIC_URL, testApp, testDatabase } from '../helpers/harness.ts';
import { pdfText } from '../helpers/pdf-text.ts';
import { startServer } from '../helpers/process.ts';
import { staffClient } from '../helpers/staff.ts';

// A first run cannot mislead (issue 13): while the links printed in QR codes
// lead to the server's own machine (PUBLIC_URL unset or local), posters and
// slips say they are trial copies, the staff home explains PUBLIC_URL and
// HOST, and the start banner warns. With a public address, none of it.

const MARK = 'Bản thử – chưa dùng để in phát hành';

t.test('which addresses are trial ones', async (t) => {
  for (const url of [
    'http://localhost:3000',
    'http://LOCALHOST',
    'http://app.localhost:8080',
    'http://127.0.0.1:3000',
    'http://127.10.0.2',
    'http://0.0.0.0:3000',
    'http://[::1]:3000',
    'http://[::ffff:127.0.0.1]',
    'not a url',
  ]) {
    t.ok(isTrialAddress(url), `${url}: trial`);
  }
  for (const url of [
    TEST_PUBLIC_URL,
    'http://192.168.1.20:3000',
    'http://10.0.0.5',
    'https://[2001:db8::1]',
    'https://localhost.vn',
  ]) {
    t.notOk(isTrialAddress(url), `${url}: public`);
  }
});

async function printed(t: Test, publicUrl: string) {
  const { app, db } = await testApp(t, { publicUrl });
  const desk = await createDesk(db, ['ho-tich']);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, desk.centreId) });
  const home = (await manager.get('/staff')).body;
  const poster = (await manager.get(`/staff/desks/${desk.deskId}/poster`)).body;
  const pdf = (await manager.get(`/staff/desks/${desk.deskId}/poster.pdf`)).rawPayload;
  const all = (await manager.get(`/staff/units/${desk.centreId}/posters.pdf?size=a5`)).rawPayload;
  const slips = (
    await manager.post(`/staff/desks/${desk.deskId}/codes`, { serviceArea: 'ho-tich', dossierRefs: 'HS-1', days: '7' })
  ).body;
  const front = (await app.inject('/')).body;
  return { home, poster, pdfs: [pdfText(pdf), pdfText(all)], slips, front };
}

t.test('without a public address, everything printed says it is a trial', async (t) => {
  const { home, poster, pdfs, slips, front } = await printed(t, 'http://localhost:3000');
  t.match(front, /Bản chạy thử:<\/strong> các đường dẫn và mã QR dưới đây chỉ mở được trên chính máy chủ này/);
  t.match(home, /<div class="trial-banner"/, 'the staff home has the banner');
  for (const text of ['http://localhost:3000', 'PUBLIC_URL', 'HOST', '0.0.0.0', 'Triển khai thật']) {
    t.ok(home.includes(text), `the banner names ${text}`);
  }
  t.match(
    poster,
    new RegExp(`<article class="sheet[^"]*"[^>]*>\\s*<div class="frame">\\s*<p class="trial-mark">${MARK}</p>`),
  );
  for (const text of pdfs) {
    t.ok(text.replace(/\s+/g, ' ').includes(MARK.toLocaleUpperCase('vi')), 'the PDF carries the mark');
  }
  t.match(slips, new RegExp(`<section class="slip">\\s*<p class="trial-mark">${MARK}</p>`), 'the slip carries it');
  t.match(slips, /<p class="url">http:\/\/localhost:3000\/t\//);
});

t.test('with a public address, nothing printed carries the trial mark', async (t) => {
  const { home, poster, pdfs, slips, front } = await printed(t, TEST_PUBLIC_URL);
  t.notMatch(front, /Bản chạy thử/, 'the front page has no trial note');
  t.notMatch(home, /trial-banner|PUBLIC_URL/);
  t.notMatch(poster, /trial-mark|Bản thử/);
  for (const text of pdfs) t.notMatch(text, /BẢN THỬ/);
  t.notMatch(slips, /trial-mark|Bản thử/);
});

/** The output once the banner's last line (a blank one after the PUBLIC_URL line and any warning) is out. */
async function banner(server: { output: () => string }): Promise<string> {
  for (let i = 0; i < 100 && !/QR links use[\s\S]*\n\n/.test(server.output()); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return server.output();
}

t.test('the start banner warns when PUBLIC_URL is unset, and not when it is public', async (t) => {
  const { url: databaseUrl } = await testDatabase(t, { empty: true });
  const trial = await startServer({ DATABASE_URL: databaseUrl, SEED_DEMO: 'never' });
  t.teardown(() => void trial.child.kill('SIGKILL'));
  t.match(await banner(trial), /CẢNH BÁO \/ WARNING[\s\S]*http:\/\/localhost:0[\s\S]*PUBLIC_URL[\s\S]*HOST/);
  trial.child.kill('SIGKILL');
  const real = await startServer({ DATABASE_URL: databaseUrl, SEED_DEMO: 'never', PUBLIC_URL: TEST_PUBLIC_URL });
  t.teardown(() => void real.child.kill('SIGKILL'));
  t.notMatch(await banner(real), /WARNING/);
  t.match(real.output(), /QR links use PUBLIC_URL = https:\/\/khaosat\.example\.gov\.vn/);
});
