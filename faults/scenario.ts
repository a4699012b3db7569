import type { Context } from './context.ts';

// The shape every scenario reports in: figures for the table and the JSON
// report, and whether the target was met.

export type Figure = number | string | boolean | null;

export interface ScenarioResult {
  name: string;
  /** The target, in words. */
  target: string;
  figures: Record<string, Figure>;
  /** null: the scenario could not run (said why in notes); counts as not failed. */
  pass: boolean | null;
  notes?: string[];
}

export type Say = (line: string) => void;

export interface Scenario {
  name: string;
  run(ctx: Context, say: Say): Promise<ScenarioResult>;
}

/** Stops a server child and waits for it; SIGKILL if it will not go. */
export async function stopServer(child: import('node:child_process').ChildProcess, signal: NodeJS.Signals = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await gone;
  clearTimeout(timer);
}

/** Distinct errors the server logged as 500s ("request failed"), for the report's notes. */
export function loggedFailures(output: string): string[] {
  const seen = new Map<string, number>();
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; err?: { message?: string; code?: string; type?: string } };
      if (entry.msg !== 'request failed') continue;
      const key = `${entry.err?.type ?? ''} ${entry.err?.code ?? ''} ${entry.err?.message ?? ''}`.trim();
      seen.set(key, (seen.get(key) ?? 0) + 1);
    } catch {
      // not a log line
    }
  }
  return [...seen].map(([k, n]) => `server logged ×${n}: ${k}`);
}
