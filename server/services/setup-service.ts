import { SHIPPED_SURVEYS } from '../../surveys/instruments.ts';
import type { Db } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { ensureSurveys } from '../repositories/survey-repository.ts';
import { countUnits } from '../repositories/unit-repository.ts';
import { seedDemo, type SeedSummary } from '../seed/demo.ts';

/**
 * What every start does before serving: migrate, publish the shipped
 * instruments that are missing, and seed the demo into an empty database.
 */
export async function prepareDatabase(db: Db, opts: { seedDemo: boolean }): Promise<{ seeded?: SeedSummary }> {
  await migrateToLatest(db);
  await ensureSurveys(db, SHIPPED_SURVEYS);
  if (opts.seedDemo && (await countUnits(db)) === 0) return { seeded: await seedDemo(db) };
  return {};
}
