import { SHIPPED_SURVEYS } from '../../surveys/instruments.ts';
import type { Db } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { withAdvisoryLock } from '../repositories/lock-repository.ts';
import { ensureSurveys } from '../repositories/survey-repository.ts';
import { countUnits } from '../repositories/unit-repository.ts';
import { type SeedSummary, seedDemo } from '../seed/demo.ts';

const DEMO_SEED_LOCK = 0x4a1_5eed;

/**
 * What every start does before serving: migrate, publish the shipped
 * instruments that are missing, and seed the demo into an empty database.
 */
export async function prepareDatabase(db: Db, opts: { seedDemo: boolean }): Promise<{ seeded?: SeedSummary }> {
  await migrateToLatest(db);
  await ensureSurveys(db, SHIPPED_SURVEYS);
  if (!opts.seedDemo) return {};
  // Two instances started together must not both seed the empty database.
  return withAdvisoryLock(db, DEMO_SEED_LOCK, async (conn) =>
    (await countUnits(conn)) === 0 ? { seeded: await seedDemo(conn) } : {},
  );
}
