import { fileURLToPath } from 'node:url';
import view from '@fastify/view';
import { Eta } from 'eta';
import fp from 'fastify-plugin';

const VIEWS_DIR = fileURLToPath(new URL('../../../views', import.meta.url));

/** Server-rendered pages with Eta; `<%= %>` escapes, so templates escape by default. */
export default fp(
  async (app) => {
    await app.register(view, {
      engine: { eta: new Eta({ views: VIEWS_DIR, autoEscape: true, autoTrim: [false, 'nl'] }) },
      root: VIEWS_DIR,
      production: process.env.NODE_ENV !== 'development',
    });
  },
  { name: 'views' },
);
