import { createMailTransport } from '../../../lib/mail.js';
import { DeliveryError, type DeliveryAdapter } from './types.js';

/**
 * Sends over SMTP with nodemailer. The Message-ID is derived from the message id, so every
 * attempt of one message carries the same one and receivers that dedupe by it keep one copy.
 * RFC 8058 one-click unsubscribe: an HTTPS List-Unsubscribe link with an opaque token plus
 * List-Unsubscribe-Post. SMTP offers no way to ask "did you take this message?", so there is no
 * `lookup`: an attempt with an unknown outcome is not resent automatically (docs/outbound.md).
 */
export function createEmailAdapter(options: {
  smtpUrl: string | undefined;
  from: string;
}): DeliveryAdapter {
  const transport = createMailTransport(options.smtpUrl);
  const domain = /@([^>\s]+)>?\s*$/.exec(options.from)?.[1] ?? 'cairn.local';

  return {
    channel: 'email',
    async deliver(request) {
      if (!transport) throw new DeliveryError('SMTP_URL is not configured', false, false);
      if (!request.email) throw new DeliveryError('the contact has no email address', false, false);
      const messageId = `<${request.handle}@${domain}>`;
      try {
        const info = await transport.sendMail({
          from: options.from,
          to: request.email.toName
            ? { name: request.email.toName, address: request.email.to }
            : request.email.to,
          subject: request.subject ?? '',
          text: request.content,
          messageId,
          headers: {
            'List-Unsubscribe': `<${request.email.unsubscribeUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
        });
        return {
          providerMessageId: messageId,
          response: {
            message_id: messageId,
            accepted: info.accepted,
            rejected: info.rejected,
            response: info.response,
          },
        };
      } catch (error) {
        const e = error as {
          responseCode?: number;
          code?: string;
          command?: string;
          message?: string;
        };
        if (typeof e.responseCode === 'number') {
          // A 4xx/5xx reply means the server did not take the message: the outcome is known.
          throw new DeliveryError(
            `SMTP ${e.responseCode}: ${e.message ?? ''}`,
            e.responseCode < 500,
            false,
            {
              response_code: e.responseCode,
            },
          );
        }
        const beforeData =
          e.code === 'ECONNECTION' ||
          e.command === 'CONN' ||
          e.code === 'EAUTH' ||
          e.code === 'EENVELOPE';
        throw new DeliveryError(
          `SMTP failed: ${e.code ?? ''} ${e.message ?? String(error)}`,
          true,
          !beforeData,
        );
      }
    },
  };
}
