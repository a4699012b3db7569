import type { Page } from 'playwright-core';
import t, { type Test } from 'tap';
import { createApiKey } from '../../server/features/access/api-key-service.ts';
import { createDesk, VALID_FORM_ANSWERS } from '../helpers/fixtures.ts';
import { seedReportData } from '../helpers/report-data.ts';
import {
  axeViolations,
  createAccount,
  DESKTOP,
  HAS_CHROMIUM,
  isSerious,
  launchBrowser,
  NO_CHROMIUM,
  newContext,
  PHONE,
  signIn,
  startApp,
  storedCount,
  THANKS,
  tapAnswers,
} from './browser.ts';

// Accessibility in a real browser: axe-core finds no serious or critical
// problem on any citizen or staff page; the survey can be completed with the
// keyboard alone, with the focus always visible; and a screen reader hears
// the satisfaction scale as a group of radio buttons with words, not faces.

const SCALE_WORDS = ['Rất không hài lòng', 'Không hài lòng', 'Bình thường', 'Hài lòng', 'Rất hài lòng'];

async function axeClean(t: Test, page: Page, what: string) {
  await page.waitForLoadState('load');
  const violations = await axeViolations(page);
  for (const v of violations.filter((x) => !isSerious(x))) t.comment(`${what}: ${v.id} (${v.impact}): ${v.nodes[0]}`);
  t.same(
    violations
      .filter(isSerious)
      .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).join('\n    ')}`),
    [],
    `${what}: no serious or critical axe violation`,
  );
}

/** The outline or shadow that shows where the focus is: on the element, or on the face a hidden radio draws. */
const focusRing = (page: Page): Promise<{ tag: string; type: string; name: string; visible: boolean; ring: string }> =>
  page.evaluate(`(() => {
    const el = document.activeElement;
    const shown = el.type === 'radio' ? el.nextElementSibling : el;
    const s = getComputedStyle(shown);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    const shadow = s.boxShadow && s.boxShadow !== 'none';
    return {
      tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || el.textContent.trim(),
      visible: Boolean(outline || shadow), ring: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor,
    };
  })()`);

if (!HAS_CHROMIUM) {
  t.skip(NO_CHROMIUM, async () => {});
} else {
  // A browser and a server on two shared cores: more than tap's 120 s per file when the machine is busy.
  t.setTimeout(300_000);
  t.test('accessibility', async (t) => {
    const { db, base } = await startApp(t);
    const desk = await createDesk(db, ['dat-dai', 'ho-tich']);
    const single = await createDesk(db, ['ho-tich']);
    const report = await seedReportData(db);
    await createApiKey(db, { unitCode: report.communeCode, role: 'official', label: 'Cổng dữ liệu tỉnh' });
    // The survey page lists where the survey is assigned: one unit, one desk.
    const survey = await db
      .selectFrom('survey')
      .select('id')
      .where('code', '=', 'sipas-quick')
      .executeTakeFirstOrThrow();
    await db.insertInto('survey_assignment').values({ unit_id: report.communeId, survey_id: survey.id }).execute();
    await db.updateTable('desk').set({ survey_id: survey.id }).where('id', '=', single.deskId).execute();
    const browser = await launchBrowser(t);

    await t.test('the check itself finds what it should', async (t) => {
      const context = await newContext(t, browser, DESKTOP);
      const page = await context.newPage();
      await page.setContent(
        '<html lang="vi"><title>x</title><main><input type="text"><p style="color:#bbb;background:#fff">mờ</p></main></html>',
      );
      const found = (await axeViolations(page)).filter(isSerious).map((v) => v.id);
      t.ok(found.includes('label') && found.includes('color-contrast'), `an unlabelled field and faint text: ${found}`);
    });

    await t.test('citizen pages on a phone', async (t) => {
      const context = await newContext(t, browser, PHONE);
      const page = await context.newPage();
      for (const [path, what] of [
        ['/', 'home'],
        ['/?lang=en', 'home in English'],
        [`/q/${desk.code}`, 'survey with a choice of area'],
        [`/q/${desk.code}?lang=en`, 'survey in English'],
        [`/q/${single.code}`, 'survey of a one-area desk'],
        ['/q/khong-co-quay-nay', 'unknown desk'],
        ['/t/khong-co-ma-nay-0000000000', 'unknown code'],
      ] as const) {
        await page.goto(`${base}${path}`);
        await axeClean(t, page, what);
      }

      await page.goto(`${base}/q/${desk.code}`);
      // The browser's own check removed, as an old phone might lack it: the server's messages.
      await page.evaluate(`document.querySelectorAll('[required]').forEach((e) => e.removeAttribute('required'))`);
      await page.getByRole('button', { name: 'Gửi đánh giá' }).tap();
      await page.getByRole('alert').waitFor();
      await axeClean(t, page, 'survey with errors');

      await tapAnswers(page, { serviceArea: 'dat-dai', ...VALID_FORM_ANSWERS });
      await page.getByRole('button', { name: 'Gửi đánh giá' }).tap();
      await page.getByText(THANKS).waitFor();
      await axeClean(t, page, 'thanks');

      // A score of 1: the thanks page offers a callback (issue 18), then confirms it.
      await page.goto(`${base}/q/${desk.code}`);
      // Faster than STUFFING_MIN_SECONDS (4 s) would flag it, and a suspect response is offered no callback.
      await page.waitForTimeout(4_500);
      await tapAnswers(page, { serviceArea: 'dat-dai', ...VALID_FORM_ANSWERS, overall: '1' });
      await page.getByRole('button', { name: 'Gửi đánh giá' }).tap();
      await page.getByText(THANKS).waitFor();
      await axeClean(t, page, 'thanks with the callback offer');
      await page.getByLabel(/Số điện thoại hoặc thư điện tử/).fill('0912345678');
      await page.getByRole('checkbox').check();
      await page.getByRole('button', { name: 'Gửi thông tin liên hệ' }).tap();
      await page.getByText('Đã nhận thông tin liên hệ').waitFor();
      await axeClean(t, page, 'callback saved');
      // The personal follow-up page the citizen keeps: not answered yet.
      await page.locator('a[href*="/theo-doi/"]').tap();
      await page.getByText('Cơ quan đang xử lý ý kiến của Ông/Bà').waitFor();
      await axeClean(t, page, 'follow-up page before the answer');
    });

    await t.test('staff pages on an office PC', async (t) => {
      const context = await newContext(t, browser, DESKTOP);
      const page = await context.newPage();
      await page.goto(`${base}/staff/sign-in`);
      await axeClean(t, page, 'sign-in');
      await page.getByLabel('Thư điện tử').fill('khong-co@example.gov.vn');
      await page.getByLabel('Mật khẩu').fill('sai-mat-khau-roi');
      await page.getByRole('button', { name: 'Đăng nhập' }).click();
      await page.getByRole('alert').waitFor();
      await axeClean(t, page, 'sign-in refused');

      await signIn(page, base, await createAccount(db, 'admin', undefined, 'Quản trị viên'));
      const feedback = await db.selectFrom('feedback_item').select('id').executeTakeFirstOrThrow();
      const target = await db.selectFrom('plan_target').select('id').executeTakeFirstOrThrow();
      const pages: [string, string][] = [
        ['/staff', 'home'],
        [
          `/staff/reports?unitId=${report.communeId}&period=custom&from=2026-02-01&to=2026-02-28`,
          'results with charts and tables',
        ],
        ['/staff/reports?period=custom&from=2026-02-30&to=2026-01-01', 'results with a wrong period'],
        ['/staff/units', 'units'],
        ['/staff/webhooks', 'webhooks'],
        [`/staff/units/${desk.centreId}`, 'a centre'],
        [`/staff/desks/${desk.deskId}`, 'a desk'],
        [`/staff/desks/${desk.deskId}/poster`, 'A4 poster'],
        [`/staff/desks/${desk.deskId}/poster?size=a5`, 'A5 table card'],
        [`/staff/desks/${desk.deskId}/codes`, 'one-time codes'],
        ['/staff/codes/usage', 'one-time code usage'],
        ['/staff/feedback', 'feedback list'],
        [`/staff/feedback/${feedback.id}`, 'a feedback item'],
        ['/staff/suspects', 'suspect responses'],
        [`/staff/desks/${report.deskId}/suspects`, "a desk's suspect responses"],
        ['/staff/targets', 'targets'],
        ['/staff/targets/new', 'new target'],
        [`/staff/targets/${target.id}`, 'a target'],
        ['/staff/surveys', 'surveys'],
        ['/staff/surveys/sipas-quick', 'a survey'],
        ['/staff/surveys/sipas-quick/publish', 'publish a version'],
        ['/staff/audit', 'audit log'],
        [`/staff/units/${report.communeId}/api-keys`, 'API keys'],
        ['/staff/password', 'change password'],
        ['/staff/units/999999', 'not found'],
      ];
      for (const [path, what] of pages) {
        await page.goto(`${base}${path}`);
        await axeClean(t, page, what);
      }

      await page.goto(`${base}/staff/desks/${desk.deskId}/codes`);
      await page.getByLabel('Lĩnh vực').selectOption('dat-dai');
      await page.getByLabel('Số hồ sơ đã tiếp nhận, mỗi dòng một hồ sơ').fill('HS-E2E-0001\nHS-E2E-0002');
      await page.getByRole('button', { name: 'Tạo mã và in phiếu' }).click();
      await page.getByRole('status').waitFor();
      await axeClean(t, page, 'code slips');
      const codeUrl = (await page.locator('.slip .url').first().innerText()).trim();

      const phone = await newContext(t, browser, PHONE);
      const citizen = await phone.newPage();
      await citizen.goto(codeUrl);
      await axeClean(t, citizen, 'survey through a one-time code');
      const { comment: _, ...answers } = VALID_FORM_ANSWERS;
      await tapAnswers(citizen, answers);
      await citizen.getByRole('button', { name: 'Gửi đánh giá' }).tap();
      await citizen.getByText(THANKS).waitFor();
      await citizen.goto(codeUrl);
      await axeClean(t, citizen, 'a used code');
    });

    await t.test('the survey can be completed with the keyboard alone, the focus always visible', async (t) => {
      const context = await newContext(t, browser, { viewport: PHONE.viewport, locale: 'vi-VN' });
      const page = await context.newPage();
      await page.goto(`${base}/q/${desk.code}`);
      const submissionId = await page.inputValue('input[name=submissionId]');
      const wanted: Record<string, string> = { serviceArea: 'ho-tich', ...VALID_FORM_ANSWERS };
      const seen: string[] = [];
      const hidden: string[] = [];
      for (let step = 0; step < 60; step++) {
        await page.keyboard.press('Tab');
        const focus = await focusRing(page);
        seen.push(focus.name);
        if (!focus.visible) hidden.push(`${focus.tag} ${focus.name}: ${focus.ring}`);
        if (focus.tag === 'button') {
          await page.keyboard.press('Enter');
          break;
        }
        if (focus.type === 'radio') {
          // Tab lands on the group; Space picks the focused choice, arrows move and pick.
          const values = await page
            .locator(`input[name="${focus.name}"]`)
            .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
          const index = values.indexOf(wanted[focus.name] ?? '');
          // An optional question the citizen skips: left unanswered.
          if (index < 0) continue;
          await page.keyboard.press('Space');
          for (let i = 0; i < index; i++) await page.keyboard.press('ArrowRight');
          const ring = await focusRing(page);
          if (!ring.visible) hidden.push(`radio ${focus.name} after arrows: ${ring.ring}`);
        } else if (focus.tag === 'textarea') {
          await page.keyboard.type(wanted[focus.name] ?? '');
        }
      }
      t.same(hidden, [], 'every focused control shows where the focus is');
      t.ok(seen.includes('overall') && seen.includes('serviceArea'), `went through the form: ${seen.join(', ')}`);
      await page.getByText(THANKS).waitFor();
      t.equal(await storedCount(db, submissionId), 1, 'sent with the keyboard');
      const response = await db
        .selectFrom('response')
        .select(['id', 'service_area_code'])
        .where('submission_id', '=', submissionId)
        .executeTakeFirstOrThrow();
      const stored = await db
        .selectFrom('answer')
        .select(['indicator_key', 'value_num', 'value_option', 'value_text'])
        .where('response_id', '=', response.id)
        .execute();
      t.equal(response.service_area_code, 'ho-tich');
      t.same(
        Object.fromEntries(
          stored.map((a) => [a.indicator_key, String(a.value_num ?? a.value_option ?? a.value_text ?? 'na')]),
        ),
        VALID_FORM_ANSWERS,
        'each answer as chosen with the keys',
      );
    });

    await t.test(
      'staff sign in and change the results with the keyboard alone, the focus always visible',
      async (t) => {
        const context = await newContext(t, browser, DESKTOP);
        const page = await context.newPage();
        const email = await createAccount(db, 'official', report.communeCode, 'Lê Thị Hoa');
        const hidden: string[] = [];
        /** Tabs until the focus is on what `stop` accepts, noting every stop where the focus cannot be seen. */
        const tabTo = async (stop: (f: Awaited<ReturnType<typeof focusRing>>) => boolean) => {
          for (let step = 0; step < 80; step++) {
            await page.keyboard.press('Tab');
            const focus = await focusRing(page);
            if (!focus.visible) hidden.push(`${page.url()} ${focus.tag} ${focus.name}: ${focus.ring}`);
            if (stop(focus)) return focus;
          }
          throw new Error('never reached');
        };
        await page.goto(`${base}/staff/sign-in`);
        await tabTo((f) => f.name === 'email');
        await page.keyboard.type(email);
        await tabTo((f) => f.name === 'password');
        await page.keyboard.type('mat-khau-thu-nghiem');
        await page.keyboard.press('Enter');
        await page.waitForURL(/\/staff\/?$/);

        await tabTo((f) => f.tag === 'a' && f.name === 'Kết quả');
        await page.keyboard.press('Enter');
        await page.waitForURL(/\/staff\/reports/);
        await page.locator('#period').waitFor();
        await tabTo((f) => f.name === 'period');
        const before = await page.locator('#period').inputValue();
        await page.keyboard.press('ArrowDown');
        const after = await page.locator('#period').inputValue();
        t.not(after, before, 'the arrow key picks another period');
        await tabTo((f) => f.tag === 'button' && f.name === 'Xem kết quả');
        await page.evaluate(`window.settled = false;
        document.body.addEventListener('htmx:afterSettle', () => { window.settled = true }, { once: true })`);
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => (globalThis as { settled?: boolean }).settled === true);
        t.match(page.url(), `period=${after}`, 'the report for that period');
        t.equal(await page.locator('#period').inputValue(), after);
        t.ok(
          await page.evaluate(`document.activeElement.closest('form.filters') !== null`),
          'the focus stays in the filter after htmx swaps the report in',
        );
        t.same(hidden, [], 'every focused control shows where the focus is');
      },
    );

    await t.test('a screen reader hears each question as a group of radio buttons with words', async (t) => {
      const context = await newContext(t, browser, PHONE);
      const page = await context.newPage();
      await page.goto(`${base}/q/${desk.code}`);
      const overall = page.getByRole('group', { name: /Nhìn chung/ });
      t.equal(await overall.count(), 1, 'the question names its group (fieldset and legend)');
      const names = await overall
        .getByRole('radio')
        .evaluateAll((els) =>
          els.map((e) => (e as unknown as { labels: { innerText: string }[] }).labels[0]?.innerText.trim()),
        );
      t.same(names.slice(0, 5), SCALE_WORDS, 'each choice says its level in words');
      for (const word of SCALE_WORDS) {
        t.equal(
          await overall.getByRole('radio', { name: word, exact: true }).count(),
          1,
          `"${word}" is a radio button`,
        );
      }
      const snapshot = await overall.ariaSnapshot();
      t.notMatch(snapshot, /img/, 'the faces are decoration, not read out');
      const unlabelled =
        await page.evaluate(`[...document.querySelectorAll('input:not([type=hidden]), textarea, select')]
        .filter((e) => !e.closest('[aria-hidden=true]') && !(e.labels && e.labels.length))
        .map((e) => e.name)`);
      t.same(unlabelled, [], 'every field has its label');
    });
  });
}
