import type { Db } from '../../platform/db/connect.ts';
import { setPublicationByCode } from './public-switch-service.ts';

// npm run cli -- unit public CODE on|off: publishes a unit's results at
// /cong-khai/CODE, or stops. Audited with the actor 'cli'.

const USAGE = 'usage: npm run cli -- unit public CODE on|off\n';

/** Where the command writes; tests pass their own. */
export interface CliOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

const STD: CliOutput = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) };

export async function publicCommand(db: Db, args: string[], io: CliOutput = STD): Promise<number> {
  const [code, state, ...rest] = args;
  if (!code || (state !== 'on' && state !== 'off') || rest.length) {
    io.err(USAGE);
    return 2;
  }
  const result = await setPublicationByCode(db, code.trim().toLowerCase(), state === 'on');
  if (result === 'not_found') {
    io.err(`unit public: no unit with the code "${code}"\n`);
    return 2;
  }
  io.out(
    state === 'on'
      ? `unit ${code}: results published at /cong-khai/${code}\n`
      : `unit ${code}: results no longer published\n`,
  );
  return 0;
}
