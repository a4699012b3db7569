import http from 'node:http';
import { sql } from 'kysely';
import { createUser } from '../server/features/access/auth-service.ts';
import { form, request } from './http.ts';
import { type Scenario, type ScenarioResult, stopServer } from './scenario.ts';

// The parallel sign-in race of issue 11: 30 guesses sent at once against a
// limit of 5 used to be checked all 30 times (and one got in). Through a real
// server, from an attacker's address: at most 5 passwords are checked, the
// right one among 30 parallel posts is checked at most 5 times too, and the
// owner still signs in from another address at once.

const PASSWORD = 'mat-khau-dung-cua-chu-tai-khoan';
const LIMIT = 5;

async function signInAttempt(base: string, agent: http.Agent, email: string, password: string) {
  const page = await request(base, { method: 'GET', path: '/staff/sign-in' }, agent);
  const pre = /name="_pre" value="([^"]+)"/.exec(page.reply?.body ?? '')?.[1] ?? '';
  const preCookie = [page.reply?.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('hl_pre='));
  const res = await request(
    base,
    {
      method: 'POST',
      path: '/staff/sign-in',
      ...form({ _pre: pre, email, password, next: '/staff' }),
      headers: { ...form({}).headers, cookie: preCookie?.split(';')[0] ?? '' },
    },
    agent,
  );
  const signedIn = [res.reply?.headers['set-cookie'] ?? []].flat().some((c) => /hl_session=[^;]+/.test(c));
  return { status: res.reply?.status ?? 0, signedIn };
}

export const signInRace: Scenario = {
  name: 'parallel sign-in race',
  async run(ctx, say): Promise<ScenarioResult> {
    const desk = await ctx.desk();
    const [victim, other] = ['nan-nhan', 'chu-khac'].map((n) => `${n}-${desk.code}@example.gov.vn`) as [string, string];
    for (const email of [victim, other]) {
      const made = await createUser(ctx.db, {
        email,
        name: 'Cán bộ thử',
        password: PASSWORD,
        role: 'official',
        unitCode: desk.centreCode,
      });
      if (made.status !== 'ok') throw new Error(`could not create ${email}: ${made.status}`);
    }
    const checked = async (email: string) =>
      (await sql<{ n: number }>`select count(*)::int as n from sign_in_attempt where email = ${email}`.execute(ctx.db))
        .rows[0]!.n;
    const server = await ctx.startServer();
    const attacker = new http.Agent({ keepAlive: true, maxSockets: 60, localAddress: '127.0.0.31' });
    const attacker2 = new http.Agent({ keepAlive: true, maxSockets: 60, localAddress: '127.0.0.32' });
    const owner = new http.Agent({ keepAlive: false, localAddress: '127.0.0.33' });
    try {
      const wrong = await Promise.all(
        Array.from({ length: 30 }, () => signInAttempt(server.url, attacker, victim, 'doan-sai-mat-khau')),
      );
      const wrongChecked = await checked(victim);
      // The right password hidden among 29 wrong ones, all at once, from a fresh address.
      const mixed = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          signInAttempt(server.url, attacker2, other, i === 17 ? PASSWORD : 'doan-sai-mat-khau'),
        ),
      );
      const mixedChecked = await checked(other);
      const ownerIn = await signInAttempt(server.url, owner, victim, PASSWORD);
      say(
        `  30 wrong at once: ${wrongChecked} checked, ${wrong.filter((w) => w.signedIn).length} in; ` +
          `right among 29 wrong: ${mixedChecked} checked; the owner from elsewhere: ${ownerIn.signedIn ? 'in' : 'refused'}`,
      );
      return {
        name: this.name,
        target: `30 parallel sign-ins: at most ${LIMIT} passwords checked; the owner signs in from another address`,
        figures: {
          parallelWrong: wrong.length,
          wrongChecked,
          wrongSignedIn: wrong.filter((w) => w.signedIn).length,
          parallelMixedChecked: mixedChecked,
          ownerSignedIn: ownerIn.signedIn,
        },
        pass:
          wrongChecked <= LIMIT &&
          wrong.every((w) => !w.signedIn) &&
          mixedChecked <= LIMIT &&
          mixed.filter((m) => m.signedIn).length <= 1 &&
          ownerIn.signedIn,
      };
    } finally {
      attacker.destroy();
      attacker2.destroy();
      owner.destroy();
      await stopServer(server.child);
    }
  },
};
