import { readdirSync, readFileSync } from 'node:fs';

// Where the CPU goes during a load run of the national bench: the CPU time
// of each part (the app nodes, PostgreSQL with its backends, HAProxy, the
// load generator in this process) from /proc, as cores used on average.
// On a 2-core machine the sum says whether a second node had a core to run on.

export interface CpuPart {
  name: string;
  /** The part's main process; PostgreSQL's backends are its descendants. */
  pid: number | undefined;
  /** Count the process's descendants too (PostgreSQL's backends), not just itself. */
  withDescendants?: boolean;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Stat {
  ppid: number;
  /** utime + stime of the process, and cutime + cstime of its children already reaped. */
  own: number;
  reaped: number;
}

function readStats(): Map<number, Stat> {
  const stats = new Map<number, Stat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which may itself hold spaces and parentheses.
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), {
        ppid: Number(f[1]),
        own: Number(f[11]) + Number(f[12]),
        reaped: Number(f[13]) + Number(f[14]),
      });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return stats;
}

/** CPU seconds used so far by each part. */
export function cpuSeconds(parts: CpuPart[]): Record<string, number> {
  const stats = readStats();
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  const out: Record<string, number> = {};
  for (const part of parts) {
    let ticks = 0;
    const todo = part.pid ? [part.pid] : [];
    while (todo.length) {
      const pid = todo.pop() as number;
      const s = stats.get(pid);
      if (!s) continue;
      ticks += s.own + (part.withDescendants ? s.reaped : 0);
      if (part.withDescendants) todo.push(...(children.get(pid) ?? []));
    }
    out[part.name] = ticks / TICKS_PER_SECOND;
  }
  return out;
}

/** Cores each part used on average between two readings. */
export function coresUsed(
  before: Record<string, number>,
  after: Record<string, number>,
  seconds: number,
): Record<string, number> {
  const used: Record<string, number> = {};
  for (const name of Object.keys(after)) {
    used[name] = Math.round((((after[name] ?? 0) - (before[name] ?? 0)) / seconds) * 100) / 100;
  }
  return used;
}
