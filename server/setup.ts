import { shippedVersions } from '../surveys/instruments.ts';
import { taskNames } from './background.ts';
import { createUser } from './features/access/auth-service.ts';
import { countUsers } from './features/access/user-repository.ts';
import { type SeedSummary, seedDemo } from './features/demo/demo.ts';
import { countUnits } from './features/organisation/unit-repository.ts';
import { ensureSurveys } from './features/surveys/survey-version-repository.ts';
import type { Db } from './platform/db/connect.ts';
import { installJobSchema, registerTaskNames } from './platform/db/job-schema.ts';
import { withAdvisoryLock } from './platform/db/lock-repository.ts';
import { migrateToLatest } from './platform/db/migrate.ts';
import type { MoveProgress } from './platform/db/partition-move.ts';

const FIRST_START_LOCK = 0x4a1_5eed;

/**
 * What every start does before serving: migrate (and finish moving responses into monthly
 * partitions, see partition-move.ts; the job queue's schema too), publish the shipped
 * survey versions that are missing (unless staff published their own), seed the demo into an empty database, and
 * create the first administrator from ADMIN_EMAIL/ADMIN_PASSWORD when there
 * are no users yet.
 */
export async function prepareDatabase(
  db: Db,
  opts: {
    seedDemo: boolean;
    admin?: { email: string; password: string };
    /** Hears each batch of responses moved into the monthly partitions (once, after the upgrade of issue 19). */
    onMoveProgress?: (p: MoveProgress) => void;
  },
): Promise<{ seeded?: SeedSummary; adminCreated?: string; noUsers?: boolean; surveysKeptByStaff: string[] }> {
  await migrateToLatest(db, { onMoveProgress: opts.onMoveProgress });
  // The job queue's own schema (graphile_worker), after ours: see job-schema.ts.
  await installJobSchema(db);
  await registerTaskNames(db, taskNames());
  const { keptByStaff } = await ensureSurveys(db, shippedVersions());
  // Two instances started together must not both do the one-time work.
  return withAdvisoryLock(db, FIRST_START_LOCK, async (conn) => {
    const out: { seeded?: SeedSummary; adminCreated?: string; noUsers?: boolean } = {};
    if (opts.seedDemo && (await countUnits(conn)) === 0) out.seeded = await seedDemo(conn);
    if (opts.admin && (await countUsers(conn)) === 0) {
      const created = await createUser(conn, { ...opts.admin, name: 'Quản trị hệ thống', role: 'admin' });
      if (created.status === 'ok') out.adminCreated = opts.admin.email;
    }
    out.noUsers = (await countUsers(conn)) === 0;
    return { ...out, surveysKeptByStaff: keptByStaff };
  });
}
