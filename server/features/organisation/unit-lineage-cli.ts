import { parseDateInput } from '../../../analysis/local-time.ts';
import type { Db } from '../../platform/db/connect.ts';
import { CLI_ACTOR } from '../access/account-service.ts';
import type { LineagePlan, LineageRequest } from './unit-lineage-rules.ts';
import { applyLineage, previewLineage } from './unit-lineage-service.ts';

// npm run cli -- unit merge|split|rename|move …: the same service as the
// staff page (/staff/units/reorganise), acting as the CLI administrator.

export const LINEAGE_USAGE = `Usage:
  unit merge --into CODE --from CODE,CODE --on YYYY-MM-DD [--new-name NAME --parent CODE]
             [--desk-to CODE] [--retire-desk DESK …] [--carry-targets] [--move-accounts] [--dry-run]
             (--new-name: the successor CODE is created under --parent)
  unit split --from CODE --into CODE,CODE --on YYYY-MM-DD [--desk DESK=UNIT …] [--dry-run]
  unit rename CODE --name NAME --on YYYY-MM-DD [--dry-run]
  unit move CODE --to PARENT_CODE --on YYYY-MM-DD [--dry-run]
`;

const FLAGS = new Set(['--dry-run', '--carry-targets', '--move-accounts']);
const REPEATED = new Set(['--desk', '--retire-desk']);
const VALUED = new Set([
  '--into',
  '--from',
  '--on',
  '--name',
  '--to',
  '--desk-to',
  '--new-name',
  '--parent',
  ...REPEATED,
]);

interface Parsed {
  positional: string[];
  flags: Set<string>;
  values: Map<string, string[]>;
}

function parse(args: string[]): Parsed | string {
  const out: Parsed = { positional: [], flags: new Set(), values: new Map() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (FLAGS.has(a)) out.flags.add(a);
    else if (VALUED.has(a)) {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) return `${a} needs a value`;
      if (!REPEATED.has(a) && out.values.has(a)) return `${a} is given twice`;
      out.values.set(a, [...(out.values.get(a) ?? []), v]);
    } else if (a.startsWith('--')) return `unknown option ${a}`;
    else out.positional.push(a);
  }
  return out;
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function toRequest(kind: string | undefined, p: Parsed): LineageRequest | string {
  const one = (flag: string) => p.values.get(flag)?.[0];
  const on = parseDateInput(one('--on') ?? '');
  if (!on) return '--on YYYY-MM-DD is required';
  const need = (flag: string) => (one(flag) ? undefined : `${flag} is required`);
  switch (kind) {
    case 'merge': {
      const missing = need('--into') ?? need('--from');
      if (missing) return missing;
      if (Boolean(one('--new-name')) !== Boolean(one('--parent'))) return '--new-name and --parent go together';
      return {
        newInto: one('--new-name') ? { name: one('--new-name')!, parent: one('--parent')! } : undefined,
        kind,
        into: one('--into')!,
        from: list(one('--from')),
        on,
        deskTo: one('--desk-to'),
        retireDesks: p.values.get('--retire-desk') ?? [],
        carryTargets: p.flags.has('--carry-targets'),
        moveAccounts: p.flags.has('--move-accounts'),
      };
    }
    case 'split': {
      const missing = need('--from') ?? need('--into');
      if (missing) return missing;
      const desks: Record<string, string> = {};
      for (const pair of p.values.get('--desk') ?? []) {
        const [desk, unit] = pair.split('=');
        if (!desk || !unit) return `--desk takes DESK=UNIT, not ${pair}`;
        desks[desk] = unit;
      }
      return { kind, from: one('--from')!, into: list(one('--into')), on, desks };
    }
    case 'rename':
      if (p.positional.length !== 1) return 'unit rename takes one unit CODE';
      return need('--name') ?? { kind, unit: p.positional[0]!, name: one('--name')!, on };
    case 'move':
      if (p.positional.length !== 1) return 'unit move takes one unit CODE';
      return need('--to') ?? { kind, unit: p.positional[0]!, to: one('--to')!, on };
    default:
      return `unknown unit command: ${kind ?? '(none)'}`;
  }
}

function printPlan(plan: LineagePlan): void {
  for (const s of plan.sections) {
    process.stdout.write(`${s.title}\n`);
    for (const item of s.items) process.stdout.write(`  - ${item}\n`);
  }
}

export async function lineageCommand(db: Db, args: string[]): Promise<number> {
  const [kind, ...rest] = args;
  const parsed = parse(rest);
  const req = typeof parsed === 'string' ? parsed : toRequest(kind, parsed);
  if (typeof req === 'string') {
    process.stderr.write(`${req}\n\n${LINEAGE_USAGE}`);
    return 2;
  }
  const dryRun = typeof parsed !== 'string' && parsed.flags.has('--dry-run');
  const result = dryRun ? await previewLineage(db, CLI_ACTOR, req) : await applyLineage(db, CLI_ACTOR, req);
  if (!result.ok) {
    for (const [field, message] of Object.entries(result.errors)) process.stderr.write(`${field}: ${message}\n`);
    return 1;
  }
  printPlan(result.plan);
  process.stdout.write(
    dryRun ? 'Dry run: nothing was changed.\n' : `Applied (event ${'eventId' in result ? result.eventId : ''}).\n`,
  );
  return 0;
}
