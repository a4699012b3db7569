import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { chromium, type Page } from 'playwright-core';
import { connect } from '../../server/platform/db/connect.ts';
import { createDatabaseIfMissing } from '../../server/platform/db/database.ts';
import { startEmbedded } from '../../server/platform/db/embedded.ts';
import { exited, freePort, ROOT, startServer } from '../helpers/process.ts';
import { CHROMIUM, CHROMIUM_ARGS, DESKTOP, HAS_CHROMIUM, PHONE } from './browser.ts';

// `npm run screenshots`: the pictures in the README, taken from the real app
// with its demo data. A throwaway database (embedded PostgreSQL in a temp
// folder, or a new database on DATABASE_URL's server, dropped afterwards),
// the server with the demo seeded, Chromium; everything stopped at the end.

const OUT = path.join(ROOT, 'docs/screenshots');
const DEMO_DESK = 'tan-hoi-q1';
const PUBLIC_URL = 'https://khaosat.tanhoi.angiang.gov.vn';
const say = (msg: string) => process.stdout.write(`${msg}\n`);

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function main() {
  if (!HAS_CHROMIUM) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  mkdirSync(OUT, { recursive: true });
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    let adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'hl-screens-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      const embedded = await startEmbedded({ dir, port: await freePort() });
      cleanups.push(() => embedded.stop());
      adminUrl = embedded.adminUrl;
    }
    const name = `hl_screens_${process.pid}`;
    await createDatabaseIfMissing(adminUrl, name);
    cleanups.push(async () => {
      const admin = connect({ url: adminUrl, poolMax: 1 });
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
      await admin.destroy();
    });

    say('Starting the server with the demo data (first start migrates and seeds: a minute)…');
    const email = 'quan-tri@example.gov.vn';
    const password = randomBytes(12).toString('hex');
    const port = await freePort();
    const server = await startServer(
      {
        DATABASE_URL: withDatabase(adminUrl, name),
        SEED_DEMO: 'auto',
        ADMIN_EMAIL: email,
        ADMIN_PASSWORD: password,
        PORT: String(port),
        PUBLIC_URL,
      },
      300_000,
    );
    cleanups.push(async () => {
      server.child.kill('SIGTERM');
      await exited(server.child);
    });
    const base = server.url;

    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    cleanups.push(() => browser.close());

    // The citizen's survey on a phone, the area chosen and the first answer given (clicked
    // rather than tapped: a tap leaves the phone's blue tap highlight in the picture).
    const phone = await browser.newContext({ ...PHONE, deviceScaleFactor: 2 });
    const survey = await phone.newPage();
    await survey.goto(`${base}/q/${DEMO_DESK}`);
    const area = await survey.locator('input[name=serviceArea]').first().getAttribute('value');
    for (const [name, value] of [
      ['serviceArea', area],
      ['access', '5'],
    ]) {
      await survey
        .locator('label.opt')
        .filter({ has: survey.locator(`input[name="${name}"][value="${value}"]`) })
        .click();
    }
    await survey.evaluate('window.scrollTo(0, 0)');
    await save('citizen-survey.png', await survey.screenshot());

    // Staff pages: the administrator the server created.
    const office = await browser.newContext({ ...DESKTOP, viewport: { width: 1280, height: 1000 } });
    const page = await office.newPage();
    await page.goto(`${base}/staff/sign-in`);
    await page.getByLabel('Thư điện tử').fill(email);
    await page.getByLabel('Mật khẩu').fill(password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL(/\/staff\/?$/);

    // The A4 poster as it prints: the PDF's page as an image, or the print page when poppler is missing.
    const deskId = await deskIdOf(page, base);
    const pdf = await page.request.get(`${base}/staff/desks/${deskId}/poster.pdf?size=a4`);
    const png = pdf.ok() ? pdfToPng(await pdf.body()) : undefined;
    if (png) await save('poster.png', png);
    else {
      await page.goto(`${base}/staff/desks/${deskId}/poster`);
      await save('poster.png', await page.locator('.sheet').screenshot({ scale: 'css' }));
    }

    // The officials' dashboard: the whole province this quarter.
    await page.goto(`${base}/staff/reports`);
    await page.locator('.headline .big').waitFor();
    await save(
      'dashboard.png',
      await page.screenshot({ clip: { x: 0, y: 0, width: 1280, height: 1400 }, fullPage: true }),
    );
  } finally {
    for (const clean of cleanups.reverse()) await clean().catch((err) => say(`cleanup: ${err}`));
  }
}

/** The id of the demo desk, found as staff find it: through its unit's page. */
async function deskIdOf(page: Page, base: string): Promise<string> {
  await page.goto(`${base}/staff/units`);
  for (const link of await page.locator('main table a[href^="/staff/units/"]').all()) {
    const href = await link.getAttribute('href');
    const html = await (await page.request.get(`${base}${href}`)).text();
    const m = new RegExp(`<code>${DEMO_DESK}</code></td>\\s*<td><a href="/staff/desks/(\\d+)"`).exec(html);
    if (m?.[1]) return m[1];
  }
  throw new Error(`demo desk ${DEMO_DESK} not found`);
}

/** The PDF's first page as a PNG at 60 dpi, through poppler's pdftoppm; undefined without it. */
function pdfToPng(pdf: Buffer): Buffer | undefined {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hl-poster-'));
  try {
    writeFileSync(path.join(dir, 'poster.pdf'), pdf);
    const run = spawnSync('pdftoppm', ['-png', '-r', '60', '-singlefile', 'poster.pdf', 'poster'], { cwd: dir });
    if (run.error || run.status !== 0) return undefined;
    return readFileSync(path.join(dir, 'poster.png'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function save(file: string, png: Buffer) {
  const to = path.join(OUT, file);
  writeFileSync(to, png);
  say(`  ${path.relative(ROOT, to)}  ${Math.round(statSync(to).size / 1024)} KB`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`Screenshots failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
