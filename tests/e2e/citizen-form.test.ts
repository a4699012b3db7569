import type { Page } from 'playwright-core';
import t from 'tap';
import { createDesk } from '../helpers/fixtures.ts';
import {
  HAS_CHROMIUM,
  launchBrowser,
  NO_CHROMIUM,
  newContext,
  PHONE,
  startApp,
  storedCount,
  THANKS,
  tapAnswer,
  until,
  WAITING,
} from './browser.ts';

// The quick survey on a 360 px phone (citizen.test.ts has the rest of the
// citizen's path): one tap on the overall item and "send" is a whole
// response; every word on a choice is at least 16 px and fits its tile, in
// English too; the form is short; the send button says it is sending.

/** Each visible choice tile: its text size and whether its content is wider than the tile. */
const tiles = (page: Page): Promise<{ text: string; px: number; overflow: boolean }[]> =>
  page.evaluate(`[...document.querySelectorAll('label.opt > span')].map((el) => ({
    text: el.innerText.trim() || el.textContent.trim(),
    px: parseFloat(getComputedStyle(el).fontSize),
    overflow: el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight,
  }))`);

const button = (page: Page) => page.locator('form button[type=submit]');

if (!HAS_CHROMIUM) {
  t.skip(NO_CHROMIUM, async () => {});
} else {
  // A browser and a server on two shared cores: more than tap's 120 s per file when the machine is busy.
  t.setTimeout(300_000);
  t.test('the quick survey on a phone', async (t) => {
    const { db, base } = await startApp(t);
    const desk = await createDesk(db, ['ho-tich']);
    const url = `${base}/q/${desk.code}`;
    const browser = await launchBrowser(t);

    t.test('labels are at least 16 px and fit their tiles at 360 px, in English too', async (t) => {
      const page = await (await newContext(t, browser, PHONE)).newPage();
      for (const lang of ['vi', 'en']) {
        await page.goto(`${url}?lang=${lang}`);
        const all = await tiles(page);
        t.ok(all.length >= 5 * 6 + 5, `${lang}: ${all.length} tiles measured`);
        t.same(
          all.filter((x) => x.px < 16).map((x) => `${x.text} ${x.px}px`),
          [],
          `${lang}: no choice text under 16 px`,
        );
        t.same(
          all.filter((x) => x.overflow).map((x) => x.text),
          [],
          `${lang}: no text overflows its tile`,
        );
        t.ok(
          await page
            .getByText(lang === 'en' ? 'Very dissatisfied' : 'Rất không hài lòng')
            .first()
            .isVisible(),
        );
      }
      const height = await page.evaluate('document.documentElement.scrollHeight');
      t.ok(Number(height) <= 3 * 740, `the whole form is ${height} px: at most three 740 px screens`);
      const overall = await page.locator('#q-overall').boundingBox();
      t.ok(overall && overall.y + overall.height <= 740, 'the overall item fits the first screen');
    });

    t.test('one tap on the overall item and "send" is a whole response', async (t) => {
      const page = await (await newContext(t, browser, PHONE)).newPage();
      await page.goto(url);
      const submissionId = await page.inputValue('input[name=submissionId]');
      await tapAnswer(page, 'overall', '4');
      await page.getByRole('button', { name: 'Gửi đánh giá' }).tap();
      await page.getByText(THANKS).waitFor();
      t.equal(await storedCount(db, submissionId), 1);
      const answers = await db
        .selectFrom('answer')
        .innerJoin('response', 'response.id', 'answer.response_id')
        .select(['indicator_key', 'value_num'])
        .where('submission_id', '=', submissionId)
        .execute();
      t.same(answers, [{ indicator_key: 'overall', value_num: 4 }], 'the overall answer alone');
    });

    t.test('"send" shows it is sending, and comes back when the try fails', async (t) => {
      const page = await (await newContext(t, browser, PHONE)).newPage();
      await page.goto(url);
      const submissionId = await page.inputValue('input[name=submissionId]');
      // The first post waits until the test has looked, then gets a 503; the retry goes through.
      let posts = 0;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      await page.route(url, async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        if (++posts > 1) return route.continue();
        await gate;
        return route.fulfill({ status: 503, body: 'busy' });
      });
      await tapAnswer(page, 'overall', '5');
      await button(page).tap();
      await until(() => posts === 1);
      t.equal(await button(page).innerText(), 'Đang gửi…');
      t.ok(await button(page).isDisabled(), 'a second tap does nothing');
      t.equal(await button(page).getAttribute('aria-busy'), 'true', 'screen readers hear it is busy');

      release();
      await page.getByText(WAITING).waitFor();
      await page.getByRole('button', { name: 'Gửi đánh giá' }).waitFor();
      t.notOk(await button(page).isDisabled(), 'the button is back after the failed try');
      t.not(await button(page).getAttribute('aria-busy'), 'true');
      await page.getByText(THANKS).waitFor({ timeout: 40_000 });
      t.equal(posts, 2, 'retried once by itself');
      t.equal(await storedCount(db, submissionId), 1, 'stored once');
    });
  });
}
