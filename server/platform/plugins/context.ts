import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Db;
  }
}

/** Makes the configuration and the database handle available to routes. */
export default fp<{ config: Config; db: Db }>(
  async (app, { config, db }) => {
    app.decorate('config', config);
    app.decorate('db', db);
  },
  { name: 'context' },
);
