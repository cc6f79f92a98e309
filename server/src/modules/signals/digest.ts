import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { t } from '../../i18n/index.js';
import type { SystemMail } from '../../lib/mail.js';

/**
 * The daily digest: one email per user and UTC day listing the open signals of every project the
 * user can see, in the user's language (app_users.locale), not sent at all to a user with none.
 *
 * Once per user and day, with any number of workers and crashes — the protocol on
 * `signal_digests` (migration 0020), one row per (user_id, day):
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
 */

/** The SMTP timeouts (lib/mail.ts) sum to 90 s; a claim this old belongs to a dead worker. */
const CLAIM_STALE_MINUTES = 15;
/** Lines per project in one mail; the rest are counted. */
const MAX_LINES_PER_PROJECT = 20;

export interface DigestMailer {
  send(mail: SystemMail): Promise<{ messageId: string }>;
}

export interface DigestOptions {
  database: Database;
  mailer: DigestMailer;
  /** Who is sending, recorded on the claim. */
  workerId: string;
  now?: Date;
  /**
   * Tests: runs once the users due are read (userId ''), between claim and send, and between
   * send and record (a crash is a throw).
   */
  checkpoint?: (at: 'listed' | 'claimed' | 'sent', userId: string) => void | Promise<void>;
  onError?: (error: unknown, userId: string) => void;
}

export interface DigestCounts {
  sent: number;
  /** Users already sent (or claimed by another worker) today. */
  skipped: number;
  failed: number;
  /** Stale claims found and marked unknown. */
  unknown: number;
}

/** The Message-ID's local part: stable per user and day. */
export const digestHandle = (userId: string, day: string) => `signals-digest.${day}.${userId}`;

interface DigestLine {
  user_id: string;
  email: string;
  locale: string | null;
  project_id: string;
  project_name: string;
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
  const now = options.now ?? new Date();
  const day = now.toISOString().slice(0, 10);
  const counts: DigestCounts = { sent: 0, skipped: 0, failed: 0, unknown: 0 };

  const stale = await sql`
    update signal_digests set state = 'unknown'
    where state = 'sending'
      and claimed_at < ${now}::timestamptz - make_interval(mins => ${CLAIM_STALE_MINUTES})`.execute(
    database.db,
  );
  counts.unknown = Number(stale.numAffectedRows ?? 0);

  const { rows } = await sql<DigestLine>`
    select u.id as user_id, u.email, u.locale, p.id as project_id, p.name as project_name,
           s.kind, s.severity, s.title, s.due_at
    from app_users u
    join projects p
      on u.role = 'owner'
      or exists (select 1 from project_members m where m.user_id = u.id and m.project_id = p.id)
    join signals s on s.project_id = p.id and s.status = 'open'
    where u.active and u.email is not null
      and not exists (select 1 from signal_digests d where d.user_id = u.id and d.day = ${day}::date)
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
    const handle = digestHandle(userId, day);
    const claimed = await sql<{ user_id: string }>`
      insert into signal_digests (user_id, day, state, message_id, signal_count, claimed_by, claimed_at)
      values (${userId}::uuid, ${day}::date, 'sending', ${handle}, ${lines.length}, ${workerId}, ${now})
      on conflict (user_id, day) do nothing
      returning user_id`.execute(database.db);
    if (claimed.rows.length === 0) {
      counts.skipped++;
      continue;
    }
    try {
      await options.checkpoint?.('claimed', userId);
      const mail = composeDigest(lines, day);
      const { messageId } = await mailer.send({ ...mail, handle });
      await options.checkpoint?.('sent', userId);
      await sql`
        update signal_digests set state = 'sent', sent_at = now(), message_id = ${messageId}
        where user_id = ${userId}::uuid and day = ${day}::date and claimed_by = ${workerId}`.execute(
        database.db,
      );
      counts.sent++;
    } catch (error) {
      // Refused by the server or crashed: the claim stays, so this day is not retried (above).
      counts.failed++;
      options.onError?.(error, userId);
    }
  }
  return counts;
}

/** The mail for one user's lines (all of one user, ordered by project). */
export function composeDigest(lines: DigestLine[], day: string): Omit<SystemMail, 'handle'> {
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
  return {
    to: first.email,
    subject: t(locale, 'digest.subject', { count: lines.length }),
    text: parts.join('\n'),
    locale,
  };
}
