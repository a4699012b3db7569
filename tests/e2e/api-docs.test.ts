import t from 'tap';
import { DESKTOP, HAS_CHROMIUM, launchBrowser, NO_CHROMIUM, newContext, startApp, watchCsp } from './browser.ts';

// An integrator opens the API reference at /api/docs: Swagger UI, served by
// the server itself under the page's own narrow CSP, renders every operation
// of /api/v1/openapi.json, and "Try it out" reaches the API from the page.

/** Some operations every build documents; the full list comes from the document the page shows. */
const KNOWN = ['GET /api/v1/surveys/{code}', 'POST /api/v1/responses', 'PUT /api/v1/dossier-volumes'];

if (!HAS_CHROMIUM) {
  t.skip(NO_CHROMIUM, async () => {});
} else {
  t.setTimeout(300_000);
  t.test('the API reference renders every operation, with nothing blocked', async (t) => {
    const { base } = await startApp(t);
    const browser = await launchBrowser(t);
    const context = await newContext(t, browser, DESKTOP);
    const violations = watchCsp(context);
    const failed: string[] = [];
    context.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
    const page = await context.newPage();
    const response = await page.goto(`${base}/api/docs`);
    t.equal(response?.status(), 200);

    await page.locator('.opblock').first().waitFor();
    // Each summary holds the method and the path.
    const shown = (await page.locator('.opblock-summary').allTextContents()).map((s) => s.replace(/\s+/g, ' '));
    const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as { paths: Record<string, object> };
    const OPERATIONS = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    t.ok(
      KNOWN.every((op) => OPERATIONS.includes(op)),
      'the document lists the known operations',
    );
    for (const op of OPERATIONS) {
      const [method, path] = op.split(' ');
      t.ok(
        shown.some((s) => s.startsWith(method!) && s.includes(path!)),
        `${op} is shown (${shown.length} operations)`,
      );
    }
    t.equal(await page.locator('.opblock').count(), OPERATIONS.length, 'and nothing else');
    t.match(await page.title(), /Hài Lòng API/);

    // Open the survey operation and try it: the page calls the API on its own origin.
    const survey = page.locator('.opblock-get').filter({ hasText: '/api/v1/surveys/{code}' });
    await survey.locator('.opblock-summary').click();
    await survey.getByRole('button', { name: 'Try it out' }).click();
    await survey.locator('input[placeholder="code"]').fill('sipas-quick');
    await survey.getByRole('button', { name: 'Execute' }).click();
    const live = survey.locator('.live-responses-table tr.response .response-col_status').first();
    await live.waitFor();
    t.equal((await live.textContent())?.trim(), '200', 'the request from the page is answered');
    t.match(await survey.locator('.live-responses-table .microlight').first().textContent(), /sipas-quick/);
    // The declared refusals name the one error body.
    t.match(await survey.locator('.responses-wrapper').textContent(), /404/);

    t.same(violations, [], 'the CSP blocked nothing');
    t.same(failed, [], 'every asset loaded');
  });
}
