import { formatDateTimeVi } from '../../../analysis/local-time.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/connect.ts';
import { createMailer } from '../../platform/mail/mailer.ts';
import { ACCOUNT_USAGE } from './account-cli-usage.ts';
import {
  accountIdByEmail,
  CLI_ACTOR,
  listAccountsUnder,
  passwordLinkUrl,
  resetAccountPassword,
  setAccountActive,
} from './account-service.ts';
import { mailPasswordLink } from './password-link-mail.ts';

export { ACCOUNT_USAGE };

// `npm run cli -- user list|disable|enable|reset`: what the accounts page
// does, for the operator of the server (a system administrator's reach,
// audited as 'cli'). `user create` stays in server/cli.ts.

const out = (text: string) => process.stdout.write(text);
const fail = (text: string, code = 1) => {
  process.stderr.write(text);
  return code;
};

/** Runs a `user` subcommand other than create; undefined when it is not one of them. */
export async function accountCommand(
  db: Db,
  config: Pick<Config, 'publicUrl' | 'mail'>,
  args: string[],
): Promise<number | undefined> {
  const { publicUrl } = config;
  const [sub] = args;
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  if (sub === 'list') {
    const unit = opt('unit');
    const rows = await listAccountsUnder(db, unit);
    if (!rows) return fail(`No unit with code ${unit}\n`);
    if (args.includes('--json')) {
      const json = rows.map((r) => ({
        email: r.email,
        name: r.name,
        role: r.role,
        unit: r.unitCode,
        unitName: r.unitName,
        active: r.active,
        lastSignInAt: r.lastSignInAt?.toISOString() ?? null,
      }));
      out(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      for (const r of rows) {
        const last = r.lastSignInAt ? formatDateTimeVi(r.lastSignInAt) : 'never';
        out(`${r.email}\t${r.name}\t${r.role}\t${r.unitCode ?? '-'}\t${r.active ? 'active' : 'disabled'}\t${last}\n`);
      }
    }
    return 0;
  }
  if (sub !== 'disable' && sub !== 'enable' && sub !== 'reset') return undefined;
  const email = opt('email');
  if (!email) return fail(`Usage: npm run cli -- user ${sub} --email EMAIL\n`, 2);
  const id = await accountIdByEmail(db, email);
  if (!id) return fail(`No account with ${email}\n`);
  if (sub === 'reset') {
    const result = await resetAccountPassword(db, CLI_ACTOR, id);
    if (result.status !== 'ok') return fail(`${email} is disabled: enable it first.\n`);
    const url = passwordLinkUrl(publicUrl, result.link.token);
    out(
      `The password of ${email} no longer works and its sessions have ended.\n` +
        `One-time link to set a new one (valid until ${formatDateTimeVi(result.link.expiresAt)} Asia/Ho_Chi_Minh):\n` +
        `${url}\n`,
    );
    // With SMTP_URL and MAIL_FROM, mailed to the account as well (issue 18), as the accounts page does.
    const mailer = createMailer(config.mail);
    try {
      const sent = await mailPasswordLink(db, mailer, {
        userId: id,
        link: result.link,
        url,
        purpose: 'reset',
        actor: CLI_ACTOR,
        publicUrl,
      });
      if (sent?.status === 'sent') out(`Mailed the link to ${sent.email}.\n`);
      if (sent?.status === 'failed') out(`Could not mail the link (${sent.error}): hand it over yourself.\n`);
    } finally {
      mailer?.close();
    }
    return 0;
  }
  const active = sub === 'enable';
  await setAccountActive(db, CLI_ACTOR, id, active);
  out(active ? `Enabled ${email}.\n` : `Disabled ${email}; its sessions have ended.\n`);
  return 0;
}
