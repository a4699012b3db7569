import type { FastifyInstance, FastifyReply } from 'fastify';
import { CodeSchema } from '../../../surveys/schema.ts';
import { LICENCE, METHOD, OPEN_DATA_LINKS, openDataCsv, openDataJson } from './public-open-data.ts';
import { type PublicPageModel, publicIndex, publicUnitPage } from './public-page-service.ts';
import { publicPageView } from './public-view.ts';

// Public results (công khai kết quả), no sign-in: the index of the units
// that publish, each unit's page, and its open data. A unit that does not
// publish and a code that names no unit get the very same 404, so the page
// tells nobody which codes exist. Figures are cached for a few minutes per
// unit (public-page-service.ts); the switch itself is read on every request,
// hence no-cache for browsers and proxies. The figures come from
// app.reportDb (a healthy streaming replica, else the primary); whether a
// unit publishes, and the public replies, from the primary.

const BASE = '/cong-khai';

function notFound(reply: FastifyReply) {
  return reply
    .code(404)
    .type('text/html; charset=utf-8')
    .header('Cache-Control', 'no-cache')
    .viewAsync('public/not-found.eta', { lang: 'vi', title: 'Không tìm thấy trang công khai' });
}

export default async function publicRoutes(app: FastifyInstance) {
  async function model(params: unknown): Promise<PublicPageModel | undefined> {
    const code = CodeSchema.safeParse((params as { unitCode?: unknown } | undefined)?.unitCode);
    return code.success ? app.readReports((reads) => publicUnitPage(app.db, code.data, new Date(), reads)) : undefined;
  }

  app.get(BASE, async (_req, reply) => {
    const units = (await app.readReports((reads) => publicIndex(app.db, new Date(), reads))).map((m) => ({
      code: m.unit.code,
      ...publicPageView(m),
    }));
    return reply
      .type('text/html; charset=utf-8')
      .header('Cache-Control', 'no-cache')
      .viewAsync('public/index.eta', { lang: 'vi', title: 'Công khai kết quả khảo sát sự hài lòng', units });
  });

  app.get(`${BASE}/:unitCode`, async (req, reply) => {
    const m = await model(req.params);
    if (!m) return notFound(reply);
    const page = `${BASE}/${m.unit.code}`;
    return reply
      .type('text/html; charset=utf-8')
      .header('Cache-Control', 'no-cache')
      .viewAsync('public/unit.eta', {
        lang: 'vi',
        title: `Kết quả khảo sát sự hài lòng – ${m.unit.name}`,
        view: publicPageView(m),
        method: METHOD,
        licence: LICENCE,
        csvUrl: `${page}/du-lieu.csv`,
        jsonUrl: `${page}/du-lieu.json`,
      });
  });

  app.get(`${BASE}/:unitCode/du-lieu.json`, async (req, reply) => {
    const m = await model(req.params);
    if (!m) return notFound(reply);
    const page = `${app.config.publicUrl.replace(/\/$/, '')}${BASE}/${m.unit.code}`;
    return reply
      .header('Cache-Control', 'no-cache')
      .header('Access-Control-Allow-Origin', '*')
      .send(openDataJson(m, page));
  });

  app.get(`${BASE}/:unitCode/du-lieu.csv`, async (req, reply) => {
    const m = await model(req.params);
    if (!m) return notFound(reply);
    const page = `${BASE}/${m.unit.code}`;
    return reply
      .type('text/csv; charset=utf-8')
      .header('Cache-Control', 'no-cache')
      .header('Access-Control-Allow-Origin', '*')
      .header('Link', OPEN_DATA_LINKS(page))
      .header('Content-Disposition', `attachment; filename="cong-khai-${m.unit.code}-${m.quarter.key}.csv"`)
      .send(openDataCsv(m));
  });
}
