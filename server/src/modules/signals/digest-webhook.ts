import { createHmac, randomBytes } from 'node:crypto';
import type { DigestSettings } from '@cairn/contract';
import type { Database } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { blockedCause, type GuardedFetch } from '../../lib/net/guarded-http.js';
import type { HostPolicy } from '../../lib/net/host-policy.js';
import { checkOutboundUrl, OutboundUrlError } from '../../lib/net/outbound-url.js';
import type { Secrets } from '../../lib/secrets.js';

/**
 * The digest as a signed JSON POST to a URL the user chose (for a chat tool's incoming webhook or
 * a small relay). Signed the way Cairn checks the webhooks it receives
 * (connectors/chatwoot/receive-webhook.ts `verifyChatwootSignature`), so the receiver's check is the same
 * few lines:
 *
 *   X-Cairn-Timestamp: <unix seconds>
 *   X-Cairn-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 *   X-Cairn-Delivery:  <day>.<user id>   (the same for every attempt of that digest)
 *   X-Cairn-Event:     signals.digest
 *
 * The URL is user input: every request goes through the guarded agent (lib/net/guarded-http.ts:
 * address check at connect, no redirects, capped response, total timeout), and the URL is checked
 * against the same policy when it is set.
 */

export const DIGEST_WEBHOOK_EVENT = 'signals.digest';
/** A chat tool answers within seconds; a worker must not be held longer. */
export const DIGEST_WEBHOOK_TIMEOUT_MS = 10_000;
/** The receiver's answer is not read beyond a status line's worth. */
export const DIGEST_WEBHOOK_MAX_RESPONSE_BYTES = 64 * 1024;

export const digestDeliveryId = (day: string, userId: string) => `${day}.${userId}`;

/** The four headers for one body, signed at `timestampSeconds`. */
export function signDigestWebhook(input: {
  secret: string;
  body: string;
  deliveryId: string;
  timestampSeconds: number;
}): Record<string, string> {
  const timestamp = String(input.timestampSeconds);
  const signature = createHmac('sha256', input.secret)
    .update(`${timestamp}.`)
    .update(input.body)
    .digest('hex');
  return {
    'content-type': 'application/json',
    'user-agent': 'Cairn-Digest/1',
    'x-cairn-event': DIGEST_WEBHOOK_EVENT,
    'x-cairn-delivery': input.deliveryId,
    'x-cairn-timestamp': timestamp,
    'x-cairn-signature': `sha256=${signature}`,
  };
}

export class DigestWebhookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DigestWebhookError';
  }
}

/**
 * POSTs one signed body; resolves on a 2xx, throws a `DigestWebhookError` saying why otherwise
 * (a status, a blocked address, a timeout — never the URL, which may hold a token in its path).
 */
export async function postDigestWebhook(
  fetch: GuardedFetch,
  input: { url: string; secret: string; body: string; deliveryId: string },
): Promise<{ status: number }> {
  const headers = signDigestWebhook({
    secret: input.secret,
    body: input.body,
    deliveryId: input.deliveryId,
    timestampSeconds: Math.floor(Date.now() / 1000),
  });
  let response: Response;
  try {
    response = await fetch(input.url, { method: 'POST', headers, body: input.body });
  } catch (error) {
    const blocked = blockedCause(error);
    if (blocked) throw new DigestWebhookError(`address refused: ${blocked.message}`);
    const name = (error as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError')
      throw new DigestWebhookError('no answer within the time allowed');
    const code = (error as { cause?: { code?: string } }).cause?.code;
    throw new DigestWebhookError(`request failed${code ? `: ${code}` : ''}`);
  }
  // The body is not needed; reading (capped) lets the connection be reused.
  await response.arrayBuffer().catch(() => undefined);
  if (response.status >= 300 && response.status < 400)
    throw new DigestWebhookError(`HTTP ${response.status}: redirects are not followed`);
  if (!response.ok) throw new DigestWebhookError(`HTTP ${response.status}`);
  return { status: response.status };
}

/** A new signing secret: 32 random bytes, shown once to the user, stored encrypted. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

export async function readDigestSettings(
  database: Database,
  userId: string,
): Promise<DigestSettings> {
  const row = await database.db
    .selectFrom('app_users')
    .select(['digest_email', 'digest_webhook_url', 'digest_webhook_set_at'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  return {
    email: row.digest_email,
    webhook_url: row.digest_webhook_url,
    webhook_set_at: row.digest_webhook_set_at
      ? new Date(row.digest_webhook_set_at).toISOString()
      : null,
  };
}

/**
 * Changes the user's own digest settings. Setting a webhook URL checks it against the outbound
 * guard (a private address is a 400 naming `webhook_url` unless SOURCE_HOST_ALLOWLIST opens it)
 * and makes a new secret, returned here once.
 */
export async function updateDigestSettings(
  database: Database,
  secrets: Secrets,
  policy: HostPolicy,
  userId: string,
  body: { email?: boolean; webhook_url?: string | null },
): Promise<{ digest: DigestSettings; webhook_secret?: string }> {
  let secret: string | undefined;
  let url: string | null | undefined;
  if (typeof body.webhook_url === 'string') {
    try {
      url = (await checkOutboundUrl(body.webhook_url.trim(), policy)).toString();
    } catch (error) {
      if (!(error instanceof OutboundUrlError)) throw error;
      throw new AppError('validation_error', `invalid webhook_url: ${error.message}`, {
        fields: [{ field: 'webhook_url', message: error.message }],
      });
    }
    secret = newWebhookSecret();
  } else if (body.webhook_url === null) url = null;
  await database.db
    .updateTable('app_users')
    .set({
      ...(body.email === undefined ? {} : { digest_email: body.email }),
      ...(url === undefined
        ? {}
        : {
            digest_webhook_url: url,
            digest_webhook_secret: secret ? secrets.encrypt(secret) : null,
            digest_webhook_set_at: url ? new Date() : null,
          }),
      updated_at: new Date(),
    })
    .where('id', '=', userId)
    .execute();
  return {
    digest: await readDigestSettings(database, userId),
    ...(secret ? { webhook_secret: secret } : {}),
  };
}
