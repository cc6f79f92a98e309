import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { t } from '../../i18n/index.js';
import type { SystemMail } from '../../lib/mail.js';
import type { GuardedFetch } from '../../lib/net/guarded-http.js';
import type { Secrets } from '../../lib/secrets.js';
import { issueDigestUnsubscribeLink } from './digest-unsubscribe.js';
import { digestDeliveryId, postDigestWebhook } from './digest-webhook.js';

/**
 * The daily digest: per user and UTC day, one email and one webhook POST listing the open signals
 * of every project the user can see, in the user's language (app_users.locale), not sent at all
 * to a user with none.
 *
 * Once per user, day and channel, with any number of workers and crashes — the protocol on
 * `signal_digests` (migrations 0020, 0027), one row per (user_id, day, channel):
 *
 * 1. claim: insert the row in state `sending` (on conflict do nothing). The primary key admits
 *    one row, so of two workers reaching the same user exactly one gets the row back and sends;
 *    the other sees nothing returned and moves on. The claim commits before any mail goes out.
 * 2. send through the system mailer, with the Message-ID derived from (user_id, day)
 *    (`digestHandle`), the same whoever sends it and however often.
 * 3. record: `sending` → `sent`.
 *
 * The crash window is between 2 and 3 (and between 1 and 2): the row stays `sending` and nobody
 * can know from our side whether the SMTP server took the mail, because SMTP has no way to ask
 * it. We choose at most once: a claim is never taken over, so a crash after the send leaves
 * exactly the one mail that went out, and a crash before it costs that day's digest — which is
 * acceptable because the digest is a summary of what is still open, and tomorrow's lists every
 * signal today's would have. (Resending a stale claim would turn every crash after a send into a
 * second mail.) Should anyone resend by hand, the stable Message-ID lets mail servers and clients
 * recognise the copy as the same message. A claim older than `CLAIM_STALE_MINUTES` is marked
 * `unknown` when a later pass finds it, so the ledger says what happened.
 *
 * Two channels, each with its own ledger row (`channel`, migration 0027), so one never suppresses
 * or repeats the other:
 * - `email`, to users with an address whose `digest_email` is on. Each mail carries a one-click
 *   List-Unsubscribe link (digest-unsubscribe.ts) that turns it off.
 * - `webhook`, to users who set a digest webhook (digest-webhook.ts): the same claim, a signed
 *   POST, the same record. Unlike SMTP, an HTTP receiver answers: a refusal (non-2xx, a blocked
 *   address, no connection, a timeout) is recorded `failed` with the reason and claimed again by
 *   the next pass, up to `WEBHOOK_MAX_ATTEMPTS` a day, with the same `X-Cairn-Delivery` id so a
 *   receiver that did take a timed-out delivery can drop the repeat. A worker that dies between
 *   the POST and the record leaves `sending`, which is never taken over: no second POST.
 */

/**
 * The SMTP timeouts (lib/mail.ts) sum to 90 s, the webhook's is 10 s (digest-webhook.ts); a claim
 * this old belongs to a dead worker.
 */
const CLAIM_STALE_MINUTES = 15;
/** Lines per project in one mail; the rest are counted. */
const MAX_LINES_PER_PROJECT = 20;
/** Tries of one day's webhook delivery (one per pass, every five minutes). */
export const WEBHOOK_MAX_ATTEMPTS = 6;

export type DigestChannel = 'email' | 'webhook';

export interface DigestMailer {
  send(mail: SystemMail): Promise<{ messageId: string }>;
}

export interface DigestOptions {
  database: Database;
  /** Null when SMTP is not configured: no email channel. */
  mailer: DigestMailer | null;
  /** Who is sending, recorded on the claim. */
  workerId: string;
  now?: Date;
  /** Where the mail's unsubscribe links point (digest-unsubscribe.ts `digestUnsubscribeBase`). */
  unsubscribeBase?: string;
  /** The webhook channel: a guarded fetch and the secrets to decrypt the signing keys. */
  webhook?: { fetch: GuardedFetch; secrets: Secrets } | null;
  /**
   * Tests: runs once the users due are read (userId ''), between claim and send, and between
   * send and record (a crash is a throw).
   */
  checkpoint?: (
    at: 'listed' | 'claimed' | 'sent',
    userId: string,
    channel?: DigestChannel,
  ) => void | Promise<void>;
  onError?: (error: unknown, userId: string, channel: DigestChannel) => void;
}

export interface DigestCounts {
  sent: number;
  /** Users already sent (or claimed by another worker) today. */
  skipped: number;
  failed: number;
  /** Stale claims found and marked unknown. */
  unknown: number;
  webhook_sent: number;
  webhook_skipped: number;
  webhook_failed: number;
}

/** The Message-ID's local part: stable per user and day. */
export const digestHandle = (userId: string, day: string) => `signals-digest.${day}.${userId}`;

interface DigestLine {
  user_id: string;
  username: string;
  email: string | null;
  locale: string | null;
  email_due: boolean;
  webhook_due: boolean;
  webhook_url: string | null;
  webhook_secret: string | null;
  project_id: string;
  project_name: string;
  signal_id: string;
  kind: string;
  severity: string;
  title: string;
  due_at: Date | null;
}

/**
 * One pass: every user due a digest today gets it. Reads across projects on the owner connection
 * (like the scheduler's tick), since a digest is about one user in all their projects; the user's
 * visibility is the same rule row-level security applies: an owner sees every project, a member
 * those with a membership.
 */
export async function sendDailyDigests(options: DigestOptions): Promise<DigestCounts> {
  const { database, mailer, workerId } = options;
  const webhook = options.webhook ?? null;
  const now = options.now ?? new Date();
  const day = now.toISOString().slice(0, 10);
  const counts: DigestCounts = {
    sent: 0,
    skipped: 0,
    failed: 0,
    unknown: 0,
    webhook_sent: 0,
    webhook_skipped: 0,
    webhook_failed: 0,
  };

  const stale = await sql`
    update signal_digests set state = 'unknown'
    where state = 'sending'
      and claimed_at < ${now}::timestamptz - make_interval(mins => ${CLAIM_STALE_MINUTES})`.execute(
    database.db,
  );
  counts.unknown = Number(stale.numAffectedRows ?? 0);

  const emailOn = mailer !== null;
  const webhookOn = webhook !== null;
  const { rows } = await sql<DigestLine>`
    with due as (
      select u.id, u.username, u.email, u.locale,
        (${emailOn}::boolean and u.email is not null and u.digest_email and not exists (
          select 1 from signal_digests d
          where d.user_id = u.id and d.day = ${day}::date and d.channel = 'email')) as email_due,
        (${webhookOn}::boolean and u.digest_webhook_url is not null and not exists (
          select 1 from signal_digests d
          where d.user_id = u.id and d.day = ${day}::date and d.channel = 'webhook'
            and not (d.state = 'failed' and d.attempts < ${WEBHOOK_MAX_ATTEMPTS}))) as webhook_due,
        u.digest_webhook_url as webhook_url, u.digest_webhook_secret as webhook_secret, u.role
      from app_users u
      where u.active
    )
    select u.id as user_id, u.username, u.email, u.locale, u.email_due, u.webhook_due,
           u.webhook_url, u.webhook_secret,
           p.id as project_id, p.name as project_name,
           s.id as signal_id, s.kind, s.severity, s.title, s.due_at
    from due u
    join projects p
      on u.role = 'owner'
      or exists (select 1 from project_members m where m.user_id = u.id and m.project_id = p.id)
    join signals s on s.project_id = p.id and s.status = 'open'
    where u.email_due or u.webhook_due
    order by u.id, p.name, p.id,
      case s.severity when 'critical' then 0 when 'warning' then 1 else 2 end,
      s.due_at nulls last, s.created_at`.execute(database.db);

  const byUser = new Map<string, DigestLine[]>();
  for (const row of rows) {
    const list = byUser.get(row.user_id) ?? [];
    list.push(row);
    byUser.set(row.user_id, list);
  }

  await options.checkpoint?.('listed', '');
  for (const [userId, lines] of byUser) {
    const first = lines[0]!;
    if (first.email_due && mailer) await sendEmail(userId, lines);
    if (first.webhook_due && webhook) await sendWebhook(userId, lines, webhook);
  }
  return counts;

  async function sendEmail(userId: string, lines: DigestLine[]) {
    const handle = digestHandle(userId, day);
    const claimed = await sql<{ user_id: string }>`
      insert into signal_digests (user_id, day, channel, state, message_id, signal_count, claimed_by, claimed_at)
      values (${userId}::uuid, ${day}::date, 'email', 'sending', ${handle}, ${lines.length}, ${workerId}, ${now})
      on conflict (user_id, day, channel) do nothing
      returning user_id`.execute(database.db);
    if (claimed.rows.length === 0) {
      counts.skipped++;
      return;
    }
    try {
      await options.checkpoint?.('claimed', userId, 'email');
      const unsubscribeUrl = options.unsubscribeBase
        ? await issueDigestUnsubscribeLink(database, userId, options.unsubscribeBase)
        : undefined;
      const mail = composeDigest(lines, day, unsubscribeUrl);
      const { messageId } = await mailer!.send({ ...mail, handle });
      await options.checkpoint?.('sent', userId, 'email');
      await sql`
        update signal_digests set state = 'sent', sent_at = now(), message_id = ${messageId}
        where user_id = ${userId}::uuid and day = ${day}::date and channel = 'email'
          and claimed_by = ${workerId}`.execute(database.db);
      counts.sent++;
    } catch (error) {
      // Refused by the server or crashed: the claim stays, so this day is not retried (above).
      counts.failed++;
      options.onError?.(error, userId, 'email');
    }
  }

  async function sendWebhook(
    userId: string,
    lines: DigestLine[],
    channel: NonNullable<DigestOptions['webhook']>,
  ) {
    const deliveryId = digestDeliveryId(day, userId);
    // A first claim inserts; a retry takes over only a row recorded `failed` (never `sending`:
    // that one may have been delivered by a worker that died before recording it).
    const claimed = await sql<{ user_id: string }>`
      insert into signal_digests (user_id, day, channel, state, message_id, signal_count, claimed_by, claimed_at)
      values (${userId}::uuid, ${day}::date, 'webhook', 'sending', ${deliveryId}, ${lines.length}, ${workerId}, ${now})
      on conflict (user_id, day, channel) do update
        set state = 'sending', attempts = signal_digests.attempts + 1,
            claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at,
            signal_count = excluded.signal_count
        where signal_digests.state = 'failed' and signal_digests.attempts < ${WEBHOOK_MAX_ATTEMPTS}
      returning user_id`.execute(database.db);
    if (claimed.rows.length === 0) {
      counts.webhook_skipped++;
      return;
    }
    const first = lines[0]!;
    let posted = false;
    try {
      await options.checkpoint?.('claimed', userId, 'webhook');
      const body = JSON.stringify(composeDigestPayload(lines, day, deliveryId));
      let secret: string;
      try {
        secret = channel.secrets.decrypt(first.webhook_secret!);
      } catch {
        throw new Error('the webhook secret cannot be decrypted (SECRETS_KEY changed?)');
      }
      await postDigestWebhook(channel.fetch, {
        url: first.webhook_url!,
        secret,
        body,
        deliveryId,
      });
      posted = true;
      await options.checkpoint?.('sent', userId, 'webhook');
      await sql`
        update signal_digests set state = 'sent', sent_at = now(), last_error = null
        where user_id = ${userId}::uuid and day = ${day}::date and channel = 'webhook'
          and claimed_by = ${workerId}`.execute(database.db);
      counts.webhook_sent++;
    } catch (error) {
      counts.webhook_failed++;
      options.onError?.(error, userId, 'webhook');
      // Not delivered (refused, unreachable, timed out, blocked): recorded with the reason, and
      // the next pass claims it again. Once posted, the claim stays whatever happens after.
      if (posted) return;
      const reason = error instanceof Error ? error.message : String(error);
      await sql`
        update signal_digests set state = 'failed', last_error = ${reason.slice(0, 500)}
        where user_id = ${userId}::uuid and day = ${day}::date and channel = 'webhook'
          and claimed_by = ${workerId} and state = 'sending'`
        .execute(database.db)
        .catch((recordError: unknown) => options.onError?.(recordError, userId, 'webhook'));
    }
  }
}

/** The webhook's JSON body (docs/signals.md): the same lines as the mail, as data. */
export function composeDigestPayload(lines: DigestLine[], day: string, deliveryId: string) {
  const first = lines[0]!;
  const projects = new Map<
    string,
    { id: string; name: string; signals: Record<string, unknown>[] }
  >();
  for (const line of lines) {
    const project = projects.get(line.project_id) ?? {
      id: line.project_id,
      name: line.project_name,
      signals: [],
    };
    project.signals.push({
      id: line.signal_id,
      kind: line.kind,
      severity: line.severity,
      title: line.title,
      due_at: line.due_at ? new Date(line.due_at).toISOString() : null,
    });
    projects.set(line.project_id, project);
  }
  return {
    event: 'signals.digest',
    delivery_id: deliveryId,
    day,
    user: { id: first.user_id, username: first.username },
    count: lines.length,
    projects: [...projects.values()].map((p) => ({ ...p, count: p.signals.length })),
  };
}

/** The mail for one user's lines (all of one user, ordered by project). */
export function composeDigest(
  lines: DigestLine[],
  day: string,
  unsubscribeUrl?: string,
): Omit<SystemMail, 'handle'> {
  const first = lines[0]!;
  const locale = first.locale ?? 'en';
  const byProject = new Map<string, DigestLine[]>();
  for (const line of lines) {
    const list = byProject.get(line.project_id) ?? [];
    list.push(line);
    byProject.set(line.project_id, list);
  }
  const parts: string[] = [t(locale, 'digest.intro', { count: lines.length, day })];
  for (const projectLines of byProject.values()) {
    parts.push('');
    parts.push(
      t(locale, 'digest.project', {
        project: projectLines[0]!.project_name,
        count: projectLines.length,
      }),
    );
    for (const line of projectLines.slice(0, MAX_LINES_PER_PROJECT)) {
      const kind = t(locale, `digest.kinds.${line.kind}` as 'digest.kinds.risk');
      const due = line.due_at
        ? ' ' +
          t(locale, 'digest.due', {
            due: new Date(line.due_at).toISOString().slice(0, 16).replace('T', ' '),
          })
        : '';
      parts.push(`- [${kind}] ${line.title}${due}`);
    }
    if (projectLines.length > MAX_LINES_PER_PROJECT) {
      parts.push(t(locale, 'digest.more', { count: projectLines.length - MAX_LINES_PER_PROJECT }));
    }
  }
  parts.push('', t(locale, 'digest.footer'));
  if (unsubscribeUrl) parts.push(t(locale, 'digest.unsubscribe', { url: unsubscribeUrl }));
  return {
    to: first.email!,
    subject: t(locale, 'digest.subject', { count: lines.length }),
    text: parts.join('\n'),
    locale,
    // RFC 8058: mailbox providers show an unsubscribe button and POST to the link themselves.
    ...(unsubscribeUrl
      ? {
          headers: {
            'List-Unsubscribe': `<${unsubscribeUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
        }
      : {}),
  };
}
