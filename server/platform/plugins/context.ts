import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import type { ReportReads } from '../db/replica.ts';
import { createMailer, type Mailer } from '../mail/mailer.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Db;
    /**
     * Where report, dashboard and export reads go: the replica while it is
     * healthy, else the primary (app.db). Reads only: a replica refuses writes.
     */
    readonly reportDb: Db;
    /** Report reads on reportDb, run again on the primary if the replica is lost under them (replica.ts read). */
    readReports<T>(fn: (db: Db) => Promise<T>): Promise<T>;
    /** The replica's watcher; undefined without DATABASE_REPLICA_URL. */
    replica: ReportReads | undefined;
    /** Undefined without SMTP_URL and MAIL_FROM: then pages say no mail was sent. */
    mailer: Mailer | undefined;
  }
}

/** Makes the configuration, the database handle and the mailer available to routes. */
export default fp<{ config: Config; db: Db; replica?: ReportReads }>(
  async (app, { config, db, replica }) => {
    app.decorate('config', config);
    app.decorate('db', db);
    // A getter: the choice is made at each use, so a replica lost between
    // two requests is no longer used by the next one.
    app.decorate('reportDb', { getter: () => replica?.db() ?? db });
    app.decorate('readReports', <T>(fn: (reads: Db) => Promise<T>) => (replica ? replica.read(fn) : fn(db)));
    app.decorate('replica', replica);
    if (replica) app.addHook('onClose', async () => replica.stop());
    const mailer = createMailer(config.mail);
    app.decorate('mailer', mailer);
    if (mailer) app.addHook('onClose', async () => mailer.close());
  },
  { name: 'context' },
);
