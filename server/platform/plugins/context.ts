import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import { createMailer, type Mailer } from '../mail/mailer.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Db;
    /** Undefined without SMTP_URL and MAIL_FROM: then pages say no mail was sent. */
    mailer: Mailer | undefined;
  }
}

/** Makes the configuration, the database handle and the mailer available to routes. */
export default fp<{ config: Config; db: Db }>(
  async (app, { config, db }) => {
    app.decorate('config', config);
    app.decorate('db', db);
    const mailer = createMailer(config.mail);
    app.decorate('mailer', mailer);
    if (mailer) app.addHook('onClose', async () => mailer.close());
  },
  { name: 'context' },
);
