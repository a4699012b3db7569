import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import t from 'tap';
import { buildApp } from '../../server/app.ts';
import { createApiKey } from '../../server/features/access/api-key-service.ts';
import { listServiceAreas } from '../../server/features/organisation/service-area-repository.ts';
import { buildSatisfactionReport } from '../../server/features/reports/report-service.ts';
import { monthRows } from '../../server/features/volumes/volume-repository.ts';
import { templateXlsx } from '../../server/features/volumes/volume-template.ts';
import { createCentre, unitCode } from '../helpers/fixtures.ts';
import { TEST_PUBLIC_URL, testConfig, testDatabase } from '../helpers/harness.ts';
import { runScript } from '../helpers/process.ts';
import { staffClient } from '../helpers/staff.ts';
import { upload } from '../helpers/volume-upload.ts';

// npm run cli -- volumes import FILE: the staff page's template filled in and
// imported from a shell, as a real process against a test database; and the
// same figures by the API and the staff page's upload.

t.test('the CLI imports a filled template; a bad file stores nothing and exits 1', async (t) => {
  const { url, db } = await testDatabase(t);
  const env = { DATABASE_URL: url, PUBLIC_URL: TEST_PUBLIC_URL };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hl-volumes-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { centreId } = await createCentre(db, 'Xã Dòng Lệnh');
  const centre = await unitCode(db, centreId);
  const areas = await listServiceAreas(db, { activeOnly: true });

  // The page's template for the centre and November, filled for one area.
  const template = await templateXlsx({
    unit: { code: centre, name: 'Trung tâm Phục vụ hành chính công Xã Dòng Lệnh' },
    month: '2026-11',
    areas,
    stored: [],
  });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(template as never);
  const ws = wb.worksheets[0]!;
  ws.eachRow((row, n) => {
    if (n === 1) return;
    if (row.getCell(3).value !== 'dat-dai') row.values = [];
    else row.splice(4, 8, 2, '1.234', 0, 1000, 200, 36, 0, 0);
  });
  const good = path.join(dir, 'so-lieu.xlsx');
  writeFileSync(good, Buffer.from(await wb.xlsx.writeBuffer()));
  const bad = path.join(dir, 'sai.csv');
  writeFileSync(
    bad,
    [
      'Mã đơn vị;Tháng (mm/yyyy);Mã lĩnh vực;Tiếp nhận trong kỳ - Trực tuyến;Tiếp nhận trong kỳ – Trực tiếp, dịch vụ bưu chính;Từ kỳ trước chuyển qua;Đã giải quyết - Trước hạn;Đã giải quyết - Đúng hạn;Đã giải quyết - Quá hạn;Đang giải quyết - Trong hạn;Đang giải quyết - Quá hạn',
      `${centre};10/2026;ho-tich;1;1;0;1;1;0;0;0`,
      `${centre};10/2026;cu-tru;1;1;0;1;1;12,5;0;0`,
      `khong-co-don-vi;10/2026;dat-dai;1;1;0;1;1;0;0;0`,
    ].join('\n'),
  );

  const [dry, refused] = await Promise.all([
    runScript('server/cli.ts', ['volumes', 'import', good, '--dry-run'], env),
    runScript('server/cli.ts', ['volumes', 'import', bad], env),
  ]);
  t.equal(dry.code, 0, dry.stderr);
  t.match(dry.stdout, 'Trung tâm Phục vụ hành chính công Xã Dòng Lệnh');
  t.match(dry.stdout, /Chạy thử: .* Chưa lưu gì\./);
  t.same(await monthRows(db, centreId, '2026-11'), [], 'a dry run stores nothing');

  t.equal(refused.code, 1, 'a bad file exits 1');
  t.match(refused.stderr, `Tệp ${bad} có 2 lỗi; chưa lưu gì.`);
  t.match(
    refused.stderr,
    'Dòng 3, cột "Đã giải quyết - Quá hạn": phải là số nguyên không âm (ví dụ 1.234); đang ghi "12,5".',
  );
  t.match(refused.stderr, 'Dòng 4, cột "Mã đơn vị": không có đơn vị mã «khong-co-don-vi» trong phạm vi của Ông/Bà.');
  t.same(await monthRows(db, centreId, '2026-10'), [], 'not even the sound row of a bad file is stored');

  const run = await runScript('server/cli.ts', ['volumes', 'import', good], env);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /Trung tâm Phục vụ hành chính công Xã Dòng Lệnh \(.+\), tháng 11\/2026: mới, 1 lĩnh vực/);
  t.match(run.stdout, 'Đã lưu: 1 đơn vị × tháng: 1 mới.');
  t.same(await monthRows(db, centreId, '2026-11'), [
    {
      serviceArea: 'dat-dai',
      receivedOnline: 2,
      receivedDirect: 1234,
      carriedOver: 0,
      resolvedEarly: 1000,
      resolvedOnTime: 200,
      resolvedLate: 36,
      pendingOnTime: 0,
      pendingOverdue: 0,
      dissatisfiedOrComplained: null,
      complaints: null,
      complaintsOnTime: null,
    },
  ]);
  const audit = await db
    .selectFrom('audit_event')
    .select(['actor_label', 'unit_id'])
    .where('action', '=', 'dossier_volume.replace')
    .execute();
  t.same(audit, [{ actor_label: 'cli', unit_id: centreId }], 'audited as the CLI');

  // The same figures by the two other doors, into two more centres: the API
  // (a manager key) and the staff page (the same workbook, uploaded and
  // confirmed). The report's dossiers are the same for all three.
  const app = await buildApp({ config: testConfig({ databaseUrl: url }), db });
  t.teardown(() => app.close());
  const byApi = await createCentre(db, 'Xã Qua API');
  const byPage = await createCentre(db, 'Xã Qua Trang');
  const apiKey = (await createApiKey(db, {
    unitCode: await unitCode(db, byApi.centreId),
    role: 'manager',
    label: 'x',
  }))!;
  const put = await app.inject({
    method: 'PUT',
    url: '/api/v1/dossier-volumes',
    headers: { authorization: `Bearer ${apiKey.key}` },
    payload: {
      unit: await unitCode(db, byApi.centreId),
      month: '2026-11',
      rows: [
        {
          serviceArea: 'dat-dai',
          receivedOnline: 2,
          receivedDirect: 1234,
          carriedOver: 0,
          resolvedEarly: 1000,
          resolvedOnTime: 200,
          resolvedLate: 36,
          pendingOnTime: 0,
          pendingOverdue: 0,
        },
      ],
    },
  });
  t.equal(put.statusCode, 200, put.body);
  const pageCentre = await unitCode(db, byPage.centreId);
  ws.eachRow((row, n) => {
    if (n > 1 && row.getCell(1).value) row.getCell(1).value = pageCentre;
  });
  const manager = await staffClient(app, db, { role: 'manager', unitCode: pageCentre });
  const posted = await upload(app, manager, { name: 'so-lieu.xlsx', data: Buffer.from(await wb.xlsx.writeBuffer()) });
  t.equal(posted.statusCode, 303, posted.body);
  t.equal((await manager.post(`${posted.headers.location}/confirm`)).statusCode, 200);

  const admin = { userId: null, keyId: null, role: 'admin' as const, unitId: null, unitPath: '/', label: 'test' };
  const figures = async (unitId: number) => {
    const r = (await buildSatisfactionReport(db, admin, { unitId, from: '2026-11-01', to: '2026-11-30' }))!;
    return { dossiers: r.dossiers, areas: r.serviceAreas.map((a) => [a.code, a.dossiers]), qd766: r.qd766 };
  };
  const cli = await figures(centreId);
  t.equal(cli.dossiers?.resolved, 1236, 'the CLI’s figures are there');
  t.same(await figures(byApi.centreId), cli, 'the API gives the same figures');
  t.same(await figures(byPage.centreId), cli, 'the uploaded template gives the same figures');
});
