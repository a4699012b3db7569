import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';

// Outgoing e-mail over SMTP with nodemailer (a well-kept client that speaks
// STARTTLS, authentication, pooling and encodings; not worth hand-writing).
// Without SMTP_URL and MAIL_FROM there is no mailer and callers send
// nothing: the platform never guesses a relay.

export interface Mail {
  to: string | string[];
  subject: string;
  /** Plain text: every mail has it, so any client reads it. */
  text: string;
  html?: string;
}

export interface Mailer {
  /** Resolves when the relay accepted the mail; throws otherwise (the job that sends it retries). */
  send(mail: Mail): Promise<void>;
  close(): void;
}

export function createMailer(conf: Config['mail']): Mailer | undefined {
  if (!conf) return undefined;
  // A relay that does not answer must not hold a job for minutes.
  const url = new URL(conf.url);
  for (const [k, v] of Object.entries({ connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 })) {
    if (!url.searchParams.has(k)) url.searchParams.set(k, String(v));
  }
  const transport = nodemailer.createTransport(url.toString());
  return {
    async send(mail) {
      await transport.sendMail({ ...mail, from: conf.from });
    },
    close() {
      transport.close();
    },
  };
}
