import Fastify from 'fastify';
import t from 'tap';
import { requireUser } from '../server/features/access/session-plugin.ts';
import type { Role } from '../server/platform/db/schema.ts';
import { STAFF_MENU, trackStaffMenu } from '../server/staff-menu.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { staffClient } from './helpers/staff.ts';

// The staff menu and home show a user only the pages their role opens
// (issue 13): every link shown opens, every page left out refuses them.

const menuLinks = (html: string) =>
  [...(/<nav aria-label="Trình đơn chính">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '').matchAll(/href="([^"]+)"/g)].map(
    (m) => m[1]!,
  );
const homeLinks = (html: string) =>
  [...(/<div class="card">\s*<ul>([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(/href="([^"]+)"/g)].map(
    (m) => m[1]!,
  );

t.test('each role sees the pages it may open, and only those', async (t) => {
  const { app, db } = await testApp(t);
  const { provinceId, centreId } = await createCentre(db);
  const centre = await unitCode(db, centreId);
  const province = await unitCode(db, provinceId);
  const users: [Role, string | undefined][] = [
    ['admin', undefined],
    ['official', province],
    ['manager', centre],
    ['staff', centre],
  ];
  const seen: Record<string, string[]> = {};
  for (const [role, unit] of users) {
    const user = await staffClient(app, db, { role, unitCode: unit });
    const home = await user.get('/staff');
    t.equal(home.statusCode, 200);
    const shown = menuLinks(home.body);
    seen[role] = shown;
    t.same(homeLinks(home.body), shown, `${role}: the home lists what the menu does`);
    for (const { href } of STAFF_MENU) {
      const res = await user.get(href);
      if (shown.includes(href)) t.equal(res.statusCode, 200, `${role}: ${href} is shown and opens`);
      else t.equal(res.statusCode, 403, `${role}: ${href} is left out and refuses`);
    }
    // A refused page keeps the same menu.
    const refused = STAFF_MENU.find((e) => !shown.includes(e.href));
    if (refused) t.same(menuLinks((await user.get(refused.href)).body), shown, `${role}: the 403 page has the menu`);
  }
  // What issue 13 saw: a counter clerk was offered three pages that refused them.
  for (const page of ['/staff/feedback', '/staff/suspects', '/staff/audit']) {
    t.notOk(seen.staff?.includes(page), `staff: no link to ${page}`);
  }
  t.same(
    seen.admin,
    STAFF_MENU.map((e) => e.href),
    'an administrator sees every page',
  );
  t.ok(
    seen.manager?.includes('/staff/feedback') && !seen.manager?.includes('/staff/audit'),
    'a manager: feedback, no audit',
  );
  t.ok(
    seen.official?.includes('/staff/suspects') && seen.official?.includes('/staff/audit'),
    'an official reviews and audits',
  );
});

t.test('the menu follows what a route declares, and a link to no guarded page fails at start', async (t) => {
  const app = Fastify();
  t.teardown(() => app.close());
  trackStaffMenu(app, [
    { href: '/staff/open', label: 'Mở', description: 'mở' },
    { href: '/staff/oversee', label: 'Theo dõi', description: 'theo dõi' },
    { href: '/staff/checked', label: 'Kiểm', description: 'kiểm', alsoRequires: (a) => a.role === 'manager' },
  ]);
  app.get('/staff/open', { preHandler: requireUser() }, async () => 'ok');
  app.get('/staff/oversee', { preHandler: [requireUser('oversee')] }, async () => 'ok');
  app.get('/staff/checked', { preHandler: requireUser() }, async () => 'ok');
  await app.ready();
  const actor = (role: Role) => ({ userId: 1, keyId: null, role, unitId: 1, unitPath: '/1/', label: 'x' });
  const hrefs = (role: Role) => app.staffMenu?.(actor(role)).map((l) => l.href);
  t.same(hrefs('staff'), ['/staff/open']);
  t.same(hrefs('official'), ['/staff/open', '/staff/oversee']);
  t.same(hrefs('manager'), ['/staff/open', '/staff/checked']);

  const broken = Fastify();
  t.teardown(() => broken.close());
  trackStaffMenu(broken, [{ href: '/staff/nowhere', label: 'Không', description: 'không' }]);
  broken.get('/staff/elsewhere', { preHandler: requireUser() }, async () => 'ok');
  await t.rejects(async () => broken.ready(), /staff menu links without a guarded GET route: \/staff\/nowhere/);
});
