import { readFile } from 'node:fs/promises';
import t from 'tap';
import { createCentre, createDesk, unitCode, VALID_FORM_ANSWERS } from '../helpers/fixtures.ts';
import { pdfText } from '../helpers/pdf-text.ts';
import {
  createAccount,
  DESKTOP,
  HAS_CHROMIUM,
  launchBrowser,
  NO_CHROMIUM,
  newContext,
  PHONE,
  signIn,
  startApp,
  THANKS,
  tapAnswers,
  watchCsp,
} from './browser.ts';

// Counter staff on an office PC: sign in, find their desk, download its QR
// poster as PDF, and print a one-time code for a receipt slip, which admits a
// citizen's answers once and then refuses, saying why.

const CENTRE_NAME = 'Xã Thử Nghiệm'; // createDesk's centre
const CODE_USED = 'Mã đánh giá đã được sử dụng';

if (!HAS_CHROMIUM) {
  t.skip(NO_CHROMIUM, async () => {});
} else {
  // A browser and a server on two shared cores: more than tap's 120 s per file when the machine is busy.
  t.setTimeout(300_000);
  t.test('staff at the counter', async (t) => {
    const { db, base } = await startApp(t);
    const desk = await createDesk(db, ['dat-dai', 'ho-tich']);
    const email = await createAccount(db, 'staff', await unitCode(db, desk.centreId), 'Nguyễn Thị Lan');
    const browser = await launchBrowser(t);
    const context = await newContext(t, browser, { ...DESKTOP, acceptDownloads: true });
    const violations = watchCsp(context);
    const page = await context.newPage();

    await signIn(page, base, email);
    t.ok(await page.getByRole('heading', { name: 'Xin chào, Nguyễn Thị Lan' }).isVisible(), 'signed in by name');

    await t.test('finds the desk and downloads its QR poster as PDF', async (t) => {
      await page.getByRole('navigation').getByRole('link', { name: 'Đơn vị và quầy' }).click();
      await page.getByRole('link', { name: `Trung tâm Phục vụ hành chính công ${CENTRE_NAME}` }).click();
      await page.getByRole('link', { name: 'Áp phích mã QR' }).click();
      await page.waitForURL(`${base}/staff/desks/${desk.deskId}/poster`);
      t.ok(await page.locator('.sheet .url').getByText(`${base}/q/${desk.code}`).isVisible(), 'the print page');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Tải tệp PDF' }).click(),
      ]);
      t.match(download.suggestedFilename(), /\.pdf$/);
      const pdf = await readFile(await download.path());
      t.ok(pdf.length > 10_000, `a real PDF (${pdf.length} bytes)`);
      t.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      const text = pdfText(pdf);
      t.match(text, `${base}/q/${desk.code}`, 'it prints the address the QR code holds');
      t.match(text, /Quầy 1/, "and the desk's name");
    });

    await t.test('prints a one-time code that admits one response, then refuses with a clear message', async (t) => {
      await page.goto(`${base}/staff/desks/${desk.deskId}/poster`);
      await page.getByRole('link', { name: 'Mã đánh giá một lần' }).click();
      await page.getByRole('heading', { name: 'Mã đánh giá một lần' }).waitFor();
      await page.getByLabel('Lĩnh vực').selectOption({ label: 'Hộ tịch' });
      await page.getByLabel(/Số hồ sơ đã tiếp nhận/).fill('HS-QUAY-0001');
      await page.getByRole('button', { name: 'Tạo mã và in phiếu' }).click();
      await page.getByRole('status').getByText('Đã tạo 1 mã').waitFor();
      const codeUrl = (await page.locator('.slip .url').innerText()).trim();
      t.match(codeUrl, new RegExp(`^${base}/t/[A-Za-z0-9_-]{16,64}$`), 'the slip carries the code in its address');
      t.equal(await page.locator('.slip').count(), 1, 'one slip');

      // Two phones open the code before either sends; the first is thanked, the second refused.
      const phone = await newContext(t, browser, PHONE);
      const first = await phone.newPage();
      const second = await phone.newPage();
      await first.goto(codeUrl);
      await second.goto(codeUrl);
      t.equal(await first.locator('input[name=serviceArea]').inputValue(), 'ho-tich', 'the area comes from the code');
      const { comment: _, ...answers } = VALID_FORM_ANSWERS;
      // The tab in front: a tab behind gets no animation frames, and every tap waits for them.
      await first.bringToFront();
      await tapAnswers(first, answers);
      await first.getByRole('button', { name: 'Gửi đánh giá' }).tap();
      await first.getByText(THANKS).waitFor();
      const stored = await db.selectFrom('response').select(['service_area_code']).execute();
      t.same(stored, [{ service_area_code: 'ho-tich' }], 'accepted once, under the area of the code');

      await second.bringToFront();
      await tapAnswers(second, answers);
      await second.getByRole('button', { name: 'Gửi đánh giá' }).tap();
      await second.getByRole('heading', { name: CODE_USED }).waitFor();
      t.match(await second.locator('main').innerText(), /chỉ dùng để đánh giá một lần/, 'says why');

      const again = await phone.newPage();
      const res = await again.goto(codeUrl);
      t.equal(res?.status(), 410, 'opening it again: refused');
      t.ok(await again.getByRole('heading', { name: CODE_USED }).isVisible(), `the page says "${CODE_USED}"`);
      t.ok(await again.getByText('mã QR dán tại quầy').isVisible(), 'and where to answer instead');
      t.equal(await again.locator('form').count(), 0, 'with no form to fill');
      t.equal((await db.selectFrom('response').select('id').execute()).length, 1, 'still one response');
    });

    t.same(violations, [], 'no CSP violation on the staff pages');
  });

  t.test("a manager resets a clerk's password and disables another account", async (t) => {
    const { db, base } = await startApp(t);
    const centre = await createCentre(db, 'Xã Tân Hội');
    const code = await unitCode(db, centre.centreId);
    const manager = await createAccount(db, 'manager', code, 'Phạm Văn Quản');
    const clerk = await createAccount(db, 'staff', code, 'Trần Văn Bình');
    const leaver = await createAccount(db, 'staff', code, 'Lê Thị Cúc');
    const browser = await launchBrowser(t);
    const context = await newContext(t, browser, DESKTOP);
    const violations = watchCsp(context);
    const page = await context.newPage();
    await signIn(page, base, manager);

    await page.getByRole('navigation').getByRole('link', { name: 'Tài khoản' }).click();
    await page.getByRole('heading', { name: 'Tài khoản', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Trần Văn Bình' }).click();
    await page.getByRole('button', { name: 'Cấp lại mật khẩu' }).click();
    const link = (await page.locator('code.secret').innerText()).trim();
    t.match(link, new RegExp(`^${base}/staff/set-password/[A-Za-z0-9_-]{43}$`), 'the one-time link is shown');

    // The clerk opens the link on their own computer, chooses a password and signs in with it.
    const theirs = await (await newContext(t, browser, DESKTOP)).newPage();
    await theirs.goto(link);
    await theirs.getByLabel(/^Mật khẩu mới/).fill('mat-khau-cua-binh');
    await theirs.getByLabel('Nhập lại mật khẩu mới').fill('mat-khau-cua-binh');
    await theirs.getByRole('button', { name: 'Đặt mật khẩu' }).click();
    await theirs.getByRole('status').getByText('Đã đặt mật khẩu').waitFor();
    await theirs.getByRole('link', { name: 'Đăng nhập' }).click();
    await theirs.getByLabel('Thư điện tử').fill(clerk);
    await theirs.getByLabel('Mật khẩu').fill('mat-khau-cua-binh');
    await theirs.getByRole('button', { name: 'Đăng nhập' }).click();
    await theirs.getByRole('heading', { name: 'Xin chào, Trần Văn Bình' }).waitFor();

    await page.getByRole('link', { name: 'Tài khoản', exact: true }).first().click();
    await page.getByRole('link', { name: 'Lê Thị Cúc' }).click();
    await page.getByRole('button', { name: 'Khóa tài khoản' }).click();
    await page.getByRole('button', { name: 'Mở khóa tài khoản' }).waitFor();
    const row = await db.selectFrom('app_user').select('active').where('email', '=', leaver).executeTakeFirst();
    t.equal(row?.active, false, 'the account is disabled');

    // On a 390 px phone the list scrolls inside its own box, never the page.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/staff/accounts`);
    const wide = await page.evaluate<number>('document.documentElement.scrollWidth');
    t.ok(wide <= 390, `no sideways page scroll at 390 px (${wide})`);
    t.same(violations, [], 'no CSP violation');
  });
}
