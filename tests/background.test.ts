import { readdirSync, readFileSync } from 'node:fs';
import { parseCrontab } from 'graphile-worker';
import t from 'tap';
import { backgroundWork } from '../server/background.ts';
import { loadConfig } from '../server/platform/config.ts';
import type { Db } from '../server/platform/db/connect.ts';

// The background work holds together: every scheduled line parses and runs
// a task that exists, and every job the database queues (add_job in a
// migration's SQL) has a task to run it. A job queued under a name no
// worker knows would wait forever, silently.

const work = backgroundWork({ db: {} as Db, config: loadConfig({}), mailer: undefined, log: () => {} });

t.test('every crontab line parses and names a task', async (t) => {
  t.ok(work.crontab.length > 0);
  for (const line of work.crontab) {
    const [item] = parseCrontab(line);
    t.ok(item && item.task in work.tasks, `${line}: task "${item?.task}" exists`);
  }
});

t.test('every job the migrations queue has a task', async (t) => {
  const dir = new URL('../migrations/', import.meta.url);
  const queued = new Set<string>();
  for (const file of readdirSync(dir)) {
    for (const m of readFileSync(new URL(file, dir), 'utf8').matchAll(/add_job\(\s*'([a-z_]+)'/g)) queued.add(m[1]!);
  }
  t.ok(queued.has('webhook_deliver'), 'the scan finds the queued jobs');
  for (const name of queued) t.ok(name in work.tasks, `"${name}" has a task`);
});
