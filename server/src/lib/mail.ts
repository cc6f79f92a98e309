import nodemailer from 'nodemailer';

// SMTP timeouts. The outbound lease (modules/outbound/send-outbound.ts) must outlast their sum, so
// a live attempt is never mistaken for a crashed one.
export const SMTP_CONNECTION_TIMEOUT_MS = 15_000;
export const SMTP_GREETING_TIMEOUT_MS = 15_000;
export const SMTP_SOCKET_TIMEOUT_MS = 60_000;

export type MailTransport = ReturnType<typeof nodemailer.createTransport>;

/**
 * The one SMTP transport factory: outbound email (modules/outbound/adapters/email.ts) and the
 * product's own mail (invitations, the daily digest) are sent the same way. SMTP_URL is the
 * operator's configuration, not user input, so it does not go through the outbound guard
 * (lib/net). Returns null when SMTP is not configured.
 */
export function createMailTransport(smtpUrl: string | undefined): MailTransport | null {
  if (!smtpUrl) return null;
  return nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: SMTP_CONNECTION_TIMEOUT_MS,
    greetingTimeout: SMTP_GREETING_TIMEOUT_MS,
    socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
  } as Parameters<typeof nodemailer.createTransport>[0]);
}

export interface SystemMail {
  to: string;
  subject: string;
  text: string;
  /** The user's interface language, set as Content-Language. */
  locale: string;
  /** A stable Message-ID (without angle brackets' domain part) so a resend is recognisable. */
  handle?: string;
  /** Extra headers (the digest's List-Unsubscribe pair, signals/digest.ts). */
  headers?: Record<string, string>;
}

/**
 * Mail Cairn sends on its own behalf (not outbound to clients: no approval, no caps; the digest
 * passes its own List-Unsubscribe headers). Throws when SMTP is not configured or the server refuses the message, so the
 * caller records the failure where a person sees it.
 */
export function createSystemMailer(options: { smtpUrl: string | undefined; from: string }) {
  const transport = createMailTransport(options.smtpUrl);
  const domain = /@([^>\s]+)>?\s*$/.exec(options.from)?.[1] ?? 'cairn.local';
  return {
    configured: transport !== null,
    async send(mail: SystemMail): Promise<{ messageId: string }> {
      if (!transport) throw new Error('SMTP_URL is not configured');
      const messageId = `<${mail.handle ?? crypto.randomUUID()}@${domain}>`;
      await transport.sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId,
        headers: { ...mail.headers, 'Content-Language': mail.locale },
      });
      return { messageId };
    },
  };
}

export type SystemMailer = ReturnType<typeof createSystemMailer>;
