import type { BrowserContextOptions, Page } from 'playwright-core';
import t, { type Test } from 'tap';
import { createApiKey } from '../../server/features/access/api-key-service.ts';
import type { Db } from '../../server/platform/db/connect.ts';
import { createDesk, unitCode } from '../helpers/fixtures.ts';
import {
  axeViolations,
  HAS_CHROMIUM,
  isSerious,
  launchBrowser,
  NO_CHROMIUM,
  newContext,
  startApp,
  until,
  watchCsp,
} from './browser.ts';

// The counter tablet (issue 15) in Chromium, landscape and portrait: paired
// with a code from the API, a citizen rates with a tap and the screen goes
// back to the idle screen by itself; with the network cut (and the page
// reloaded while cut) two ratings wait on the tablet and are stored exactly
// once when it returns; an invitation wakes it within 2 seconds with the area
// chosen; the keyboard does it all; a revoked tablet says so and keeps
// nothing; axe finds nothing serious on any screen.

const LANDSCAPE: BrowserContextOptions = {
  viewport: { width: 1280, height: 800 },
  hasTouch: true,
  locale: 'vi-VN',
  serviceWorkers: 'allow',
};
const PORTRAIT: BrowserContextOptions = { ...LANDSCAPE, viewport: { width: 800, height: 1280 } };

const IDLE = 'Mời Ông/Bà đánh giá mức độ hài lòng';
const THANKS = 'Cảm ơn Ông/Bà đã dành thời gian đánh giá!';

async function axeClean(t: Test, page: Page, what: string) {
  const violations = await axeViolations(page);
  t.same(
    violations
      .filter(isSerious)
      .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).join('\n    ')}`),
    [],
    `${what}: no serious or critical axe violation`,
  );
}

const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true });
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });

/** The smallest font size of any visible text on the screen shown. */
const smallestText = (page: Page): Promise<number> =>
  page.evaluate(`(() => {
    let min = Infinity;
    const walk = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || !el.offsetParent || el.closest('[hidden]')) continue;
      min = Math.min(min, parseFloat(getComputedStyle(el).fontSize));
    }
    return min;
  })()`);

async function kioskResponses(db: Db, deskId: number) {
  const rows = await db
    .selectFrom('response')
    .select(['id', 'submission_id', 'service_area_code', 'channel', 'verified', 'kiosk_device_id'])
    .where('desk_id', '=', deskId)
    .orderBy('id')
    .execute();
  const answers = await db
    .selectFrom('answer')
    .selectAll()
    .where(
      'response_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  return rows.map((r) => ({
    ...r,
    answers: Object.fromEntries(
      answers
        .filter((a) => a.response_id === r.id)
        .map((a) => [a.indicator_key, String(a.value_num ?? a.value_option ?? a.value_text)]),
    ),
  }));
}

if (!HAS_CHROMIUM) {
  t.skip(NO_CHROMIUM, async () => {});
} else {
  t.setTimeout(300_000);
  t.test('counter tablet', async (t) => {
    const { db, base } = await startApp(t);
    const browser = await launchBrowser(t);
    const desk = await createDesk(db, ['dat-dai', 'ho-tich']);
    await db.updateTable('desk').set({ kiosk_idle_seconds: 3 }).where('id', '=', desk.deskId).execute();
    const created = await createApiKey(db, {
      unitCode: await unitCode(db, desk.centreId),
      role: 'manager',
      label: 'Phần mềm một cửa',
    });
    const api = async <T = Record<string, string>>(method: string, path: string, body?: object) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${created!.key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (res.status === 204 ? null : await res.json()) as T };
    };

    /** Pairs a fresh profile through the pairing page, with a code as the QR carries it. */
    async function pair(t: Test, options: BrowserContextOptions) {
      const context = await newContext(t, browser, options);
      const violations = watchCsp(context);
      const page = await context.newPage();
      const made = await api('POST', '/api/v1/kiosk-pairings', { desk: desk.code });
      t.equal(made.status, 201, 'a pairing code from the API');
      await page.goto(`${base}/kiosk?code=${made.body.pairingCode}`);
      t.equal(await page.getByLabel('Mã ghép').inputValue(), made.body.pairingCode, 'filled in from the QR');
      await axeClean(t, page, 'pairing page');
      await button(page, 'Ghép máy').click();
      await heading(page, IDLE).waitFor();
      // The worker takes the page over (clients.claim) once it has kept the shell.
      // A function, not a string: the page's CSP forbids eval, and a string predicate is eval'd in the page.
      await page.waitForFunction(
        () =>
          (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } }).navigator.serviceWorker
            .controller !== null,
      );
      return { context, page, violations };
    }

    await t.test('a wrong code is refused in plain words', async (t) => {
      const context = await newContext(t, browser, LANDSCAPE);
      const page = await context.newPage();
      await page.goto(`${base}/kiosk`);
      await page.getByLabel('Mã ghép').fill('ABCD-EFGH');
      await button(page, 'Ghép máy').click();
      await page.getByText('Mã ghép không đúng hoặc đã hết hạn').waitFor();
      await axeClean(t, page, 'pairing refused');
    });

    await t.test('landscape: rate, offline, reload offline, invitation, revoke', async (t) => {
      const { context, page, violations } = await pair(t, LANDSCAPE);
      await axeClean(t, page, 'idle screen');

      // One tap on a happy face and one on send: stored, and the idle screen comes back by itself.
      await button(page, 'Bắt đầu đánh giá').tap();
      await heading(page, 'Ông/Bà vui lòng chọn lĩnh vực đã giao dịch').waitFor();
      await axeClean(t, page, 'service area');
      await button(page, 'Đất đai').tap();
      await button(page, 'Rất hài lòng').waitFor();
      await axeClean(t, page, 'the overall item');
      t.ok((await smallestText(page)) >= 20, 'labels of at least 20 px');
      const faces = await page.locator('.face').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
      t.equal(new Set(faces).size, 1, 'the five faces in a row');
      await button(page, 'Rất hài lòng').tap();
      await button(page, 'Gửi đánh giá').tap();
      await heading(page, THANKS).waitFor();
      await axeClean(t, page, 'thanks');
      const thanked = Date.now();
      await heading(page, IDLE).waitFor({ timeout: 10_000 });
      t.ok(Date.now() - thanked < 6_000, 'back to the idle screen after the desk’s 3 seconds');
      await until(async () => (await kioskResponses(db, desk.deskId)).length === 1);
      t.match((await kioskResponses(db, desk.deskId))[0], {
        channel: 'kiosk',
        service_area_code: 'dat-dai',
        answers: { overall: '5' },
      });

      // The network goes: two ratings wait on the tablet, and survive a reload without network.
      await context.setOffline(true);
      await button(page, 'Bắt đầu đánh giá').tap();
      await button(page, 'Hộ tịch').tap();
      await button(page, 'Không hài lòng').tap();
      await heading(page, 'Ông/Bà đã chọn: Không hài lòng').waitFor();
      await axeClean(t, page, 'what disappointed');
      t.ok((await smallestText(page)) >= 20, 'labels of at least 20 px');
      await button(page, 'Công chức trực tiếp giải quyết công việc').tap();
      await page.getByLabel(/góp ý/i).fill('Phải chờ lâu.');
      await button(page, 'Gửi đánh giá').tap();
      await heading(page, THANKS).waitFor();
      await page.getByText('Đang chờ gửi: 1').waitFor();
      await button(page, 'Xong').tap();
      await button(page, 'Bắt đầu đánh giá').tap();
      await button(page, 'Đất đai').tap();
      await button(page, 'Hài lòng').tap();
      await button(page, 'Góp ý thêm').tap();
      await page.getByLabel(/góp ý/i).fill('Cán bộ nhiệt tình.');
      await button(page, 'Gửi đánh giá').tap();
      await page.getByText('Đang chờ gửi: 2').waitFor();
      t.equal((await kioskResponses(db, desk.deskId)).length, 1, 'nothing reached the server');

      const reloaded = await page.reload();
      await heading(page, IDLE).waitFor();
      // Each response has its own CSP nonces: the same ones as the kept copy prove
      // the page came from the worker's cache, not from a network the worker could still reach.
      const keptPolicy = await page.evaluate(
        `caches.keys().then((k) => caches.open(k[0])).then((c) => c.match('/kiosk')).then((r) => r.headers.get('content-security-policy'))`,
      );
      t.equal(reloaded?.headers()['content-security-policy'], keptPolicy, 'the shell came from the kept copy');
      await page.getByText('Đang chờ gửi: 2').waitFor();
      t.pass('the shell, its survey and the queue are there after a reload without network');
      await axeClean(t, page, 'idle screen with answers waiting');

      await context.setOffline(false);
      await page.getByText(/Đang chờ gửi/).waitFor({ state: 'hidden', timeout: 40_000 });
      const stored = await kioskResponses(db, desk.deskId);
      t.equal(stored.length, 3, 'both stored when the network returned');
      t.equal(new Set(stored.map((r) => r.submission_id)).size, 3, 'each once');
      t.match(stored.slice(1), [
        {
          service_area_code: 'ho-tich',
          answers: { overall: '2', disappointed: 'staff', comment: 'Phải chờ lâu.' },
        },
        { service_area_code: 'dat-dai', answers: { overall: '4', comment: 'Cán bộ nhiệt tình.' } },
      ]);
      const [device] = (
        await api<{ id: number; queued: number; lastSeenAt: string | null }[]>(
          'GET',
          `/api/v1/kiosk-devices?desk=${desk.code}`,
        )
      ).body;
      if (!device) throw new Error('the tablet is not listed');
      t.equal(device.queued, 0, 'the desk sees an empty queue');
      t.ok(device.lastSeenAt, 'and the last contact');

      // The clerk invites: the tablet wakes with the area chosen, and the rating is bound to it.
      const invitation = await api('POST', '/api/v1/kiosk-invitations', { desk: desk.code, serviceArea: 'ho-tich' });
      t.equal(invitation.status, 201);
      const invited = Date.now();
      await button(page, 'Rất hài lòng').waitFor({ timeout: 5_000 });
      const woke = Date.now() - invited;
      t.ok(woke <= 2_000, `awake in ${woke} ms`);
      await button(page, 'Hài lòng').tap();
      await button(page, 'Gửi đánh giá').tap();
      await heading(page, THANKS).waitFor();
      await until(async () => (await kioskResponses(db, desk.deskId)).length === 4);
      t.match((await kioskResponses(db, desk.deskId))[3], {
        service_area_code: 'ho-tich',
        verified: true,
        answers: { overall: '4' },
      });
      const used = await db
        .selectFrom('kiosk_invitation')
        .select(['used_at', 'used_by_device_id'])
        .where('id', '=', String(invitation.body.id))
        .executeTakeFirstOrThrow();
      t.ok(used.used_at, 'the invitation is used by this rating');
      await heading(page, IDLE).waitFor({ timeout: 10_000 });

      // Revoked: the next contact says so; the tablet wipes its queue, its copies and its worker.
      t.equal((await api('DELETE', `/api/v1/kiosk-devices/${device.id}`)).status, 204);
      await button(page, 'Bắt đầu đánh giá').tap();
      await button(page, 'Đất đai').tap();
      await button(page, 'Rất hài lòng').tap();
      await button(page, 'Gửi đánh giá').tap();
      await heading(page, 'Thiết bị đã bị thu hồi').waitFor({ timeout: 20_000 });
      await axeClean(t, page, 'revoked');
      const kept = () =>
        page.evaluate(`(async () => JSON.stringify({
          databases: (await indexedDB.databases()).map((d) => d.name),
          caches: await caches.keys(),
          workers: (await navigator.serviceWorker.getRegistrations()).length,
        }))()`) as Promise<string>;
      const nothing = JSON.stringify({ databases: [], caches: [], workers: 0 });
      await until(async () => (await kept()) === nothing, 10_000).catch(() => {});
      t.equal(await kept(), nothing, 'nothing kept on the tablet');
      t.equal((await kioskResponses(db, desk.deskId)).length, 4, 'nothing stored after the revocation');
      t.same(violations, [], 'no CSP violation');
    });

    await t.test('portrait: the keyboard alone, English, and a survey left half-way', async (t) => {
      const { page, violations } = await pair(t, PORTRAIT);
      // Every step by keyboard, the focus always visible.
      const focused = () =>
        page.evaluate(`(() => {
          const el = document.activeElement;
          const s = getComputedStyle(el);
          return { name: el.textContent.trim(), ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 };
        })()`) as Promise<{ name: string; ring: boolean }>;
      const next = async (name: string) => {
        for (let i = 0; i < 12; i++) {
          await page.keyboard.press('Tab');
          const f = await focused();
          if (f.name === name) {
            t.ok(f.ring, `${name}: the focus shows`);
            return page.keyboard.press('Enter');
          }
        }
        t.fail(`${name} is never reached with Tab`);
      };
      await next('Bắt đầu đánh giá');
      await heading(page, 'Ông/Bà vui lòng chọn lĩnh vực đã giao dịch').waitFor();
      await next('Hộ tịch');
      await button(page, 'Bình thường').waitFor();
      const faces = await page.locator('.face').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
      t.equal(new Set(faces).size, 5, 'the five faces one a row');
      t.ok((await smallestText(page)) >= 20, 'labels of at least 20 px');
      await axeClean(t, page, 'the overall item, portrait');
      await next('Bình thường');
      await heading(page, 'Ông/Bà đã chọn: Bình thường').waitFor();
      await next('Thủ tục hành chính');
      // Past the other factors to the comment (a space on a button would press it).
      for (let i = 0; i < 6 && (await page.evaluate('document.activeElement.tagName')) !== 'TEXTAREA'; i++)
        await page.keyboard.press('Tab');
      await page.keyboard.type('Niêm yết chưa rõ.');
      await next('Gửi đánh giá');
      await heading(page, THANKS).waitFor();
      await heading(page, IDLE).waitFor({ timeout: 10_000 });
      await until(async () => (await kioskResponses(db, desk.deskId)).length === 5);
      t.match((await kioskResponses(db, desk.deskId))[4], {
        service_area_code: 'ho-tich',
        answers: { overall: '3', disappointed: 'procedure', comment: 'Niêm yết chưa rõ.' },
      });

      // English on request, Vietnamese again for the next citizen.
      await button(page, 'English').tap();
      await heading(page, 'Please rate our service').waitFor();
      await axeClean(t, page, 'idle screen in English');
      await button(page, 'Start').tap();
      await button(page, 'Land').tap();
      await button(page, 'Very satisfied').waitFor();
      // 60 seconds without a touch mid-survey: the answers so far are dropped.
      await page.clock.install();
      await button(page, 'Dissatisfied').tap();
      await heading(page, 'You chose: Dissatisfied').waitFor();
      await page.clock.fastForward(61_000);
      await heading(page, IDLE).waitFor();
      t.pass('back to the idle screen, in Vietnamese, after 60 s untouched');
      t.equal((await kioskResponses(db, desk.deskId)).length, 5, 'the half-done survey was not sent');
      t.same(violations, [], 'no CSP violation');
    });
  });
}
