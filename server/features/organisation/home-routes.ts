import type { FastifyInstance } from 'fastify';
import { isTrialAddress } from '../../platform/config.ts';
import { pickLocale, UI } from '../../platform/i18n.ts';
import { deskSurveyUrl } from './desk-links.ts';
import { listDesks } from './desk-repository.ts';

// The front page: what the platform is, and each desk's survey link and QR.
// Desk codes are public (they are on the posters); staff tools come with
// sign-in.
export default async function homeRoutes(app: FastifyInstance) {
  app.get('/', async (req, reply) => {
    const lang = pickLocale((req.query as { lang?: string }).lang);
    const desks = await listDesks(app.db);
    const byUnit = new Map<string, { unitName: string; desks: typeof desks }>();
    for (const d of desks) {
      const group = byUnit.get(d.unitCode) ?? { unitName: d.unitName, desks: [] };
      group.desks.push(d);
      byUnit.set(d.unitCode, group);
    }
    return reply.type('text/html; charset=utf-8').viewAsync('organisation/home.eta', {
      t: UI[lang],
      lang,
      title: lang === 'vi' ? 'Khảo sát mức độ hài lòng' : 'Satisfaction surveys',
      units: [...byUnit.values()],
      urlOf: (code: string) => deskSurveyUrl(app.config.publicUrl, code),
      // The links below open on this machine only until PUBLIC_URL is set: say so.
      trial: isTrialAddress(app.config.publicUrl),
    });
  });
}
