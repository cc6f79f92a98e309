import type { FastifyBaseLogger } from 'fastify';
import type { Locale } from '@cairn/contract';
import { t } from '../../i18n/index.js';
import type { SystemMailer } from '../../lib/mail.js';
import type { LinkPurpose } from './one-time-links.js';

/** What became of the email carrying a one-time link; the link itself is in the response anyway. */
export type LinkMailOutcome = 'sent' | 'failed' | 'not_configured';

/**
 * Emails a one-time link (an invitation or a password reset) in the recipient's language. Called
 * after the link's transaction has committed: a refused or unreachable SMTP server costs the email,
 * never the link, which the owner still has in the API response to pass on by hand. The log line
 * names the user, never the URL (it ends in the token).
 */
export async function mailLink(
  mailer: SystemMailer,
  log: FastifyBaseLogger,
  input: {
    to: string;
    locale: Locale;
    purpose: LinkPurpose;
    username: string;
    inviter: string;
    url: string;
    ttlHours: number;
  },
): Promise<LinkMailOutcome> {
  if (!mailer.configured) return 'not_configured';
  const params = {
    username: input.username,
    inviter: input.inviter,
    url: input.url,
    hours: input.ttlHours,
  };
  try {
    await mailer.send({
      to: input.to,
      locale: input.locale,
      subject: t(input.locale, `accessMail.${input.purpose}.subject`, params),
      text: t(input.locale, `accessMail.${input.purpose}.body`, params),
    });
    return 'sent';
  } catch (error) {
    log.warn(
      { username: input.username, purpose: input.purpose, err: (error as Error).message },
      'could not email the one-time link; it is in the response',
    );
    return 'failed';
  }
}
