import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import t from 'tap';
import { FilledPage } from '../server/features/submission/filled-page.ts';
import { createDesk } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';

// The citizen page is compressed once and filled per request
// (server/features/submission/filled-page.ts): what a phone inflates must be exactly
// the page with its values, whatever the page and the values.

const PATTERN = /SLOTA|SLOTB/g;

t.test('the gzip a client inflates is the filled page, byte for byte', async (t) => {
  const para = '<p>Ông/Bà hài lòng với thái độ phục vụ của công chức?</p>\n'.repeat(40);
  const page = `<html lang="vi"><style nonce="SLOTA"></style>${para}<input value="SLOTB">${para}<i nonce="SLOTA"></i></html>`;
  const filler = new FilledPage(page, PATTERN);
  const values = { SLOTA: 'a1b2c3', SLOTB: 'mã-đánh-giá' };
  const plain = filler.fill(values, false).toString('utf8');
  t.equal(plain, page.replaceAll('SLOTA', 'a1b2c3').replaceAll('SLOTB', 'mã-đánh-giá'));
  const gz = filler.fill(values, true);
  t.equal(gunzipSync(gz).toString('utf8'), plain);
  t.ok(gz.length < plain.length / 4, `compressed ${gz.length} of ${plain.length} bytes`);
});

t.test('any page and values round-trip through gzip', async () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: 'grapheme', maxLength: 300 }), { minLength: 1, maxLength: 6 }),
      fc.string({ unit: 'grapheme', maxLength: 80 }),
      fc.string({ maxLength: 80 }),
      (texts, a, b) => {
        const page = texts.join('SLOTA') + (texts.length > 2 ? 'SLOTB' : '');
        const filler = new FilledPage(page, PATTERN);
        const plain = filler.fill({ SLOTA: a, SLOTB: b }, false);
        return gunzipSync(filler.fill({ SLOTA: a, SLOTB: b }, true)).equals(plain);
      },
    ),
    { numRuns: 300 },
  );
});

t.test('the survey page is sent gzip-encoded to clients that accept it, and plain to others', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['ho-tich']);
  const zipped = await app.inject({ url: `/q/${desk.code}`, headers: { 'accept-encoding': 'gzip, deflate, br' } });
  t.equal(zipped.headers['content-encoding'], 'gzip');
  t.equal(zipped.headers.vary, 'Accept-Encoding');
  const html = gunzipSync(zipped.rawPayload).toString('utf8');
  t.match(html, /<form[^>]+method="post"/);
  t.match(html, /Ông\/Bà/, 'Vietnamese intact');
  const plain = await app.inject({ url: `/q/${desk.code}` });
  t.notOk(plain.headers['content-encoding'], 'no encoding asked, none used');
  const strip = (s: string) => s.replace(/nonce="[^"]+"|value="[0-9a-f-]{36}"|name="renderToken" value="[^"]+"/g, '');
  t.equal(strip(html), strip(plain.body), 'the same page but for its per-request values');
});
