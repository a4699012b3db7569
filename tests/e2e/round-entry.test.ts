import type { Page } from 'playwright-core';
import t from 'tap';
import { listServiceAreas } from '../../server/features/organisation/service-area-repository.ts';
import { insertRound } from '../../server/features/rounds/round-repository.ts';
import { latestVersion } from '../../server/features/surveys/survey-version-repository.ts';
import { type PaperField, paperNumbering } from '../../surveys/paper-numbering.ts';
import { createCentre, unitCode } from '../helpers/fixtures.ts';
import {
  axeViolations,
  createAccount,
  HAS_CHROMIUM,
  isSerious,
  launchBrowser,
  NO_CHROMIUM,
  newContext,
  signIn,
  startApp,
  watchCsp,
} from './browser.ts';

// Paper forms of a round typed from the keyboard alone at 1366×768 (issue
// 16): two clerks each type the same 30 forms, the second with three slips;
// a third person reconciles the three from the keyboard; the round then has
// 30 responses on the days typed. Screenshots go to /tmp.

const SCREEN = { viewport: { width: 1366, height: 768 }, locale: 'vi-VN' };
const FORMS = 30;
/** Forms 1–15 were answered on 4 May, 16–30 on 5 May: the day is typed once for each pile. */
const dayOf = (serial: number) => (serial <= 15 ? '2026-05-04' : '2026-05-05');
/** The second clerk's slips: form → the field typed otherwise. */
const SLIPS: Record<number, string> = { 5: 'overall', 12: 'serviceArea', 23: 'timeliness' };

/** What is typed for a field of a form, as the digits printed on paper; '' leaves it blank (Enter). */
function typedFor(field: PaperField, serial: number, slip: boolean): string {
  const n = field.boxes.length;
  if (field.kind === 'text') return serial % 4 === 0 ? `Phiếu ${serial}: cán bộ hướng dẫn tận tình` : '';
  if (field.kind === 'area') return String(((serial + (slip ? 1 : 0)) % n) + 1);
  // A blank now and then (the citizen skipped it), otherwise a box that varies with the form.
  if (field.key !== 'overall' && (serial + (field.number ?? 0)) % 7 === 0) return '';
  const pick = (serial * 3 + (field.number ?? 0) + (slip ? 1 : 0)) % n;
  return String(field.boxes[pick]!.digit);
}

if (!HAS_CHROMIUM) {
  t.skip(NO_CHROMIUM, async () => {});
} else {
  t.setTimeout(150_000);
  t.test('two clerks type 30 forms and a third reconciles, with the keyboard alone', async (t) => {
    const started = Date.now();
    const { db, base } = await startApp(t);
    const { communeId } = await createCentre(db, 'Xã Bàn Phím');
    const version = (await latestVersion(db, 'sipas-quick'))!;
    const areas = ['dat-dai', 'ho-tich', 'y-te'];
    const roundId = await insertRound(
      db,
      {
        unitId: communeId,
        code: 'quy-2-2026',
        surveyVersionId: version.id,
        fieldworkFrom: '2026-04-01',
        fieldworkTo: '2026-06-30',
        referenceFrom: null,
        referenceTo: null,
        population: 1000,
        populationSource: 'typed',
        margin: 0.05,
        allocation: 'equal',
        quotas: areas.map((code) => ({ code, quota: 96 })),
      },
      null,
    );
    const names = new Map((await listServiceAreas(db)).map((a) => [a.code, a.nameVi]));
    const fields = paperNumbering(
      version.definition,
      areas.map((code) => ({ code, nameVi: names.get(code)! })),
    );
    const commune = await unitCode(db, communeId);
    const browser = await launchBrowser(t);
    const violations: string[] = [];
    const clerk = async (name: string, role: 'staff' | 'manager' = 'staff') => {
      const context = await newContext(t, browser, SCREEN);
      violations.push(...watchCsp(context));
      const page = await context.newPage();
      await signIn(page, base, await createAccount(db, role, commune, name));
      return page;
    };

    const typeForm = async (page: Page, serial: number, second: boolean) => {
      await page.locator('#f-serial:focus').waitFor();
      // Every tenth form is scanned: the handheld scanner types the QR's address and Enter.
      await page.keyboard.type(
        serial % 10 === 0 ? `${base}/staff/rounds/${roundId}/entry?serial=${serial}` : String(serial),
      );
      await page.keyboard.press('Enter');
      // The day of the pile is typed on its first form; after that Enter keeps it.
      if (serial === 1) await page.keyboard.type('04052026');
      if (serial === 16) await page.keyboard.type('05/05/2026');
      await page.keyboard.press('Enter');
      for (const field of fields) {
        const slip = second && SLIPS[serial] === (field.kind === 'area' ? 'serviceArea' : field.key);
        const typed = typedFor(field, serial, slip);
        if (field.kind === 'text') {
          if (typed) await page.keyboard.type(typed);
          await page.keyboard.press('Enter');
        } else if (typed === '') await page.keyboard.press('Enter');
        else await page.keyboard.press(typed);
      }
      await page.locator('#save:focus').waitFor();
    };

    const lan = await clerk('Nguyễn Thị Lan');
    await lan.goto(`${base}/staff/rounds/${roundId}/entry`);
    for (let serial = 1; serial <= FORMS; serial++) {
      await typeForm(lan, serial, false);
      if (serial === 3) {
        // A wrong digit is refused and the field stays; the summary before saving.
        await lan.keyboard.press('Escape');
        await lan.locator('#f-serial:focus').waitFor();
        await lan.keyboard.press('Enter');
        await lan.keyboard.press('Enter');
        await lan.keyboard.press('9');
        await lan.locator('#act-error', { hasText: 'Không có ô số 9' }).waitFor();
        await lan.screenshot({ path: '/tmp/round-entry-error.png' });
        const area = typedFor(fields[0]!, 3, false);
        await lan.keyboard.press(area);
        await lan.locator('#act-label', { hasText: fields[1]!.label }).waitFor();
        await lan.screenshot({ path: '/tmp/round-entry.png' });
        const serious = (await axeViolations(lan)).filter(isSerious).map((v) => `${v.id}: ${v.nodes[0]}`);
        t.same(serious, [], 'the entry screen: no serious or critical axe violation');
        for (const field of fields.slice(1)) {
          const typed = typedFor(field, 3, false);
          if (field.kind === 'text') await lan.keyboard.press('Enter');
          else await lan.keyboard.press(typed === '' ? 'Enter' : typed);
        }
        await lan.locator('#save:focus').waitFor();
        await lan.screenshot({ path: '/tmp/round-entry-summary.png' });
      }
      if (serial === FORMS) {
        // The network fails on saving: the form stays on the screen, and Enter tries again.
        await lan.context().setOffline(true);
        await lan.keyboard.press('Enter');
        await lan.locator('#entry-status', { hasText: 'chưa lưu được' }).waitFor();
        await lan.context().setOffline(false);
        t.equal(await lan.inputValue('#f-serial'), String(FORMS), 'the typed form is kept');
      }
      await lan.keyboard.press('Enter');
      await lan.locator('#entry-status', { hasText: `Phiếu số ${serial}: Đã lưu lần nhập thứ nhất.` }).waitFor();
    }
    t.match(await lan.locator('#session-count').innerText(), `Đã nhập trong phiên: ${FORMS} phiếu`);

    const hung = await clerk('Trần Văn Hùng');
    await hung.goto(`${base}/staff/rounds/${roundId}/entry`);
    for (let serial = 1; serial <= FORMS; serial++) {
      await typeForm(hung, serial, true);
      await hung.keyboard.press('Enter');
      const outcome = SLIPS[serial]
        ? 'Không khớp với lần nhập thứ nhất ở 1 câu: phiếu chờ đối chiếu.'
        : 'Khớp với lần nhập thứ nhất: phiếu đã được tính.';
      await hung.locator('#entry-status', { hasText: `Phiếu số ${serial}: ${outcome}` }).waitFor();
    }
    const statuses = await db.selectFrom('round_form').select(['serial', 'status']).orderBy('serial').execute();
    t.same(
      statuses.filter((s) => s.status === 'disagree').map((s) => s.serial),
      [5, 12, 23],
      'the three slips wait for reconciliation',
    );

    // A third person reconciles from the paper: Enter opens the first form of the list,
    // the focus is on the first differing field, the digit on paper, Enter saves.
    const mai = await clerk('Phạm Thị Mai', 'manager');
    await mai.goto(`${base}/staff/rounds/${roundId}/reconcile`);
    for (const serial of [5, 12, 23]) {
      await mai.locator(`a[href$="/reconcile/${serial}"]:focus`).waitFor();
      await mai.keyboard.press('Enter');
      await mai.locator('h1', { hasText: `Đối chiếu phiếu số ${serial}` }).waitFor();
      if (serial === 5) {
        await mai.screenshot({ path: '/tmp/round-reconcile.png', fullPage: true });
        const serious = (await axeViolations(mai)).filter(isSerious).map((v) => `${v.id}: ${v.nodes[0]}`);
        t.same(serious, [], 'the reconciliation form: no serious or critical axe violation');
      }
      const field = fields.find((f) => (f.kind === 'area' ? 'serviceArea' : f.key) === SLIPS[serial])!;
      await mai.keyboard.press(typedFor(field, serial, false));
      await mai.keyboard.press('Enter');
      await mai.locator('[role=status]', { hasText: `Đã đối chiếu phiếu số ${serial}: phiếu đã được tính.` }).waitFor();
    }
    t.match(await mai.locator('main').innerText(), 'Không có phiếu nào chờ đối chiếu.');
    await mai.screenshot({ path: '/tmp/round-reconcile-list.png' });

    const responses = await db
      .selectFrom('response')
      .select(['submitted_at', 'service_area_code'])
      .where('round_id', '=', roundId)
      .orderBy('id')
      .execute();
    t.equal(responses.length, FORMS, '30 counted responses in the round');
    const days = responses.map((r) => r.submitted_at.toISOString());
    t.equal(days.filter((d) => d === `${dayOf(1)}T05:00:00.000Z`).length, 15, '15 on 4 May, at noon in Vietnam');
    t.equal(days.filter((d) => d === `${dayOf(16)}T05:00:00.000Z`).length, 15, '15 on 5 May');
    const forms = await db.selectFrom('round_form').select(['serial', 'status', 'final_entry']).execute();
    t.ok(
      forms.every((f) => f.status === 'counted'),
      'every form counted',
    );
    const twelve = forms.find((f) => f.serial === 12)!.final_entry as { serviceArea: string };
    t.equal(twelve.serviceArea, areas[Number(typedFor(fields[0]!, 12, false)) - 1], "the reconciler's reading counts");
    t.same(violations, [], 'nothing blocked by the CSP');
    t.comment(`typed, reconciled and checked in ${Math.round((Date.now() - started) / 1000)} s`);
  });
}
