import jsqr from 'jsqr';
import { PNG } from 'pngjs';
import t from 'tap';
import { createDesk } from './helpers/fixtures.ts';
import { TEST_PUBLIC_URL, testApp } from './helpers/harness.ts';

// The QR code printed on a desk's poster is how citizens reach its survey: it
// must scan to the desk's survey address, and only for a desk that exists and
// is active.

// jsqr is CommonJS with a declared default export: under Node's ESM rules the
// default import is module.exports, whose `default` is the decoder itself.
const jsQR = jsqr.default;

function decodePng(body: Buffer): string | undefined {
  const png = PNG.sync.read(body);
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

t.test("a desk's PNG QR code scans to the desk's survey address", async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['dat-dai', 'xay-dung']);
  const res = await app.inject({ method: 'GET', url: `/q/${desk.code}/qr.png` });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'image/png');
  const png = PNG.sync.read(res.rawPayload);
  t.ok(png.width >= 256 && png.height >= 256, `large enough to print (${png.width}x${png.height})`);
  t.equal(decodePng(res.rawPayload), `${TEST_PUBLIC_URL}/q/${desk.code}`);
});

t.test("each desk's QR code names its own desk", async (t) => {
  const { app, db } = await testApp(t);
  const a = await createDesk(db, ['ho-tich']);
  const b = await createDesk(db, ['ho-tich']);
  const [ra, rb] = await Promise.all([a, b].map((d) => app.inject({ method: 'GET', url: `/q/${d.code}/qr.png` })));
  t.equal(decodePng(ra!.rawPayload), `${TEST_PUBLIC_URL}/q/${a.code}`);
  t.equal(decodePng(rb!.rawPayload), `${TEST_PUBLIC_URL}/q/${b.code}`);
});

t.test('the QR code carries the configured public address, not a fixed one', async (t) => {
  const publicUrl = 'https://dichvucong.example.vn';
  const { app, db } = await testApp(t, { publicUrl });
  const desk = await createDesk(db, ['cu-tru']);
  const res = await app.inject({ method: 'GET', url: `/q/${desk.code}/qr.png` });
  t.equal(res.statusCode, 200);
  t.equal(decodePng(res.rawPayload), `${publicUrl}/q/${desk.code}`);
});

t.test("a desk's SVG QR code is an SVG image", async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['chung-thuc']);
  const res = await app.inject({ method: 'GET', url: `/q/${desk.code}/qr.svg` });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^image\/svg\+xml/);
  t.match(res.body, /<svg[\s>]/);
  t.match(res.body, /<\/svg>\s*$/, 'a complete document');
});

t.test('an unknown desk has no QR code: 404 for PNG and SVG', async (t) => {
  const { app } = await testApp(t);
  for (const format of ['png', 'svg']) {
    const res = await app.inject({ method: 'GET', url: `/q/khong-co-quay-nay/qr.${format}` });
    t.equal(res.statusCode, 404, `${format}: 404`);
    t.notMatch(res.headers['content-type'], /^image\//, `${format}: not an image`);
  }
});

t.test('a deactivated desk has no QR code: 404 for PNG and SVG', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['giao-duc']);
  const before = await app.inject({ method: 'GET', url: `/q/${desk.code}/qr.png` });
  t.equal(before.statusCode, 200, 'served while active');

  await db.updateTable('desk').set({ active: false }).where('id', '=', desk.deskId).execute();
  for (const format of ['png', 'svg']) {
    const res = await app.inject({ method: 'GET', url: `/q/${desk.code}/qr.${format}` });
    t.equal(res.statusCode, 404, `${format}: 404 once deactivated`);
    t.notMatch(res.headers['content-type'], /^image\//, `${format}: not an image`);
  }
});

t.test('a desk code with a NUL byte is an unknown desk (404), not a server error', async (t) => {
  const { app } = await testApp(t);
  for (const format of ['png', 'svg']) {
    const res = await app.inject({ method: 'GET', url: `/q/quay%00/qr.${format}` });
    t.equal(res.statusCode, 404, `${format}: 404 (got ${res.statusCode})`);
  }
});
