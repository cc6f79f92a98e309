import type { PreflightCheck } from '@cairn/contract';
import { sql, type Transaction } from 'kysely';
import type { Scope } from '../../db/database.js';
import { inScope } from '../../db/scoped-sql.js';
import type { DB, EvidenceRef } from '../../db/schema.js';
import type { AuditActor } from '../../http/actor.js';
import { AppError } from '../../http/errors.js';
import { recordAudit } from '../audit/service.js';
import type { OutboundRow } from './sql.js';

export const SYSTEM_ACTOR = 'system:outbound';

export interface PolicyRow {
  contact_global_id: string;
  channel: 'chatwoot' | 'email';
  opted_out: boolean;
  opted_out_at: Date | null;
  stop_on_reply: boolean;
  max_per_window: number | null;
  window_hours: number | null;
  updated_at: Date;
}

const POLICY_COLUMNS = sql`contact_global_id, channel, opted_out, opted_out_at, stop_on_reply, max_per_window, window_hours, updated_at`;

export async function findPolicy(
  trx: Transaction<DB>,
  scope: Scope,
  contactGlobalId: string,
  channel: string,
): Promise<PolicyRow | undefined> {
  const { rows } = await sql<PolicyRow>`
    select ${POLICY_COLUMNS} from contact_channel_policies
    where ${inScope(scope)}
      and contact_global_id = ${contactGlobalId} and channel = ${channel}`.execute(trx);
  return rows[0];
}

export type PolicyDecision =
  | { outcome: 'pass'; checks: PreflightCheck[] }
  | { outcome: 'block'; reason: 'opt_out' | 'stop_on_reply'; checks: PreflightCheck[] }
  | {
      outcome: 'defer';
      reason: 'frequency_cap_reached';
      eligibleAt: Date;
      checks: PreflightCheck[];
    };

/**
 * Every contact policy for one message, as the sender applies it and the preflight explains it:
 * all checks are evaluated and reported, then the strongest decides.
 * Called inside the sending transaction after `lockContactChannel`, so an opt-out, a reply or a
 * send to the same contact that commits first is seen here, never raced.
 */
export async function evaluatePolicies(
  trx: Transaction<DB>,
  scope: Scope,
  message: OutboundRow,
): Promise<PolicyDecision> {
  const checks: PreflightCheck[] = [];
  const contact = message.contact_global_id;
  const policy = contact ? await findPolicy(trx, scope, contact, message.channel) : undefined;
  const policyRef = (): EvidenceRef[] =>
    policy
      ? [
          {
            source: 'external',
            ref: `contact_channel_policies:${contact}:${message.channel}`,
            meta: { ...policy },
          },
        ]
      : [];

  if (policy?.opted_out) {
    checks.push({
      check: 'opt_out',
      outcome: 'block',
      reason: `the contact opted out of ${message.channel} messages`,
      evidence: policyRef(),
      details: { opted_out_at: policy.opted_out_at },
    });
  } else {
    checks.push({
      check: 'opt_out',
      outcome: 'pass',
      reason: 'the contact has not opted out',
      evidence: policyRef(),
      details: {},
    });
  }

  if (policy?.stop_on_reply && contact) {
    const reply = await latestReplySince(trx, scope, contact, message.created_at);
    if (reply) {
      checks.push({
        check: 'stop_on_reply',
        outcome: 'block',
        reason: 'the contact replied after this draft was written',
        evidence: [
          {
            source: 'cw_messages',
            ref: reply.id,
            snippet: (reply.content ?? '').slice(0, 280),
            meta: { at: reply.at },
          },
        ],
        details: { replied_at: reply.at, draft_created_at: message.created_at },
      });
    } else {
      checks.push({
        check: 'stop_on_reply',
        outcome: 'pass',
        reason: 'no reply since the draft was written',
        evidence: [],
        details: {},
      });
    }
  } else {
    checks.push({
      check: 'stop_on_reply',
      outcome: 'pass',
      reason: 'stop-on-reply is off for this contact',
      evidence: [],
      details: {},
    });
  }

  let eligibleAt: Date | null = null;
  if (policy?.max_per_window && policy.window_hours && contact) {
    const usage = await windowUsage(trx, scope, message, policy.window_hours);
    const details = {
      used: usage.used,
      max_per_window: policy.max_per_window,
      window_hours: policy.window_hours,
    };
    if (usage.used >= policy.max_per_window) {
      eligibleAt = usage.oldest
        ? new Date(usage.oldest.getTime() + policy.window_hours * 3_600_000)
        : new Date(Date.now() + 60_000);
      checks.push({
        check: 'frequency_cap',
        outcome: 'defer',
        reason: `${usage.used} of ${policy.max_per_window} sends used in the last ${policy.window_hours} h`,
        evidence: policyRef(),
        details: { ...details, eligible_at: eligibleAt },
      });
    } else {
      checks.push({
        check: 'frequency_cap',
        outcome: 'pass',
        reason: `${usage.used} of ${policy.max_per_window} sends used in the last ${policy.window_hours} h`,
        evidence: policyRef(),
        details,
      });
    }
  } else {
    checks.push({
      check: 'frequency_cap',
      outcome: 'pass',
      reason: 'no frequency cap for this contact',
      evidence: [],
      details: {},
    });
  }
  // An opt-out outranks a reply, and both outrank a cap: a block is final, a deferral is not.
  if (policy?.opted_out) return { outcome: 'block', reason: 'opt_out', checks };
  if (checks.some((c) => c.check === 'stop_on_reply' && c.outcome === 'block')) {
    return { outcome: 'block', reason: 'stop_on_reply', checks };
  }
  if (eligibleAt) return { outcome: 'defer', reason: 'frequency_cap_reached', eligibleAt, checks };
  return { outcome: 'pass', checks };
}

/**
 * Serializes sends to one contact on one channel until the transaction ends, so two messages
 * cannot both take the last slot of a frequency cap (count-then-reserve must be atomic).
 */
export async function lockContactChannel(
  trx: Transaction<DB>,
  scope: Scope,
  contact: string | null,
  channel: string,
) {
  if (!contact) return;
  await sql`select pg_advisory_xact_lock(hashtextextended(${`cairn.outbound:${scope.projectId}:${contact}:${channel}`}, 0))`.execute(
    trx,
  );
}

// Chatwoot stamps messages to the second: a reply in the same second as the draft counts as after
// it, because wrongly holding a message back is recoverable and wrongly sending one is not.
async function latestReplySince(trx: Transaction<DB>, scope: Scope, contact: string, since: Date) {
  // message_type 0 is incoming: written by the contact. Private notes are the team's, not theirs.
  const { rows } = await sql<{ id: string; content: string | null; at: Date }>`
    select id, content, coalesce(source_created_at, created_at) as at from cw_messages
    where ${inScope(scope)}
      and contact_global_id = ${contact} and message_type = 0 and not private
      and coalesce(source_created_at, created_at) >= date_trunc('second', ${since}::timestamptz)
    order by coalesce(source_created_at, created_at) desc limit 1`.execute(trx);
  return rows[0];
}

/** Sends to the contact in the window, plus other messages to them whose delivery is in flight. */
async function windowUsage(
  trx: Transaction<DB>,
  scope: Scope,
  message: OutboundRow,
  windowHours: number,
) {
  const { rows } = await sql<{ used: number; oldest: Date | null }>`
    with counted as (
      select m.sent_at as at from outbound_messages m
      where m.project_id = ${scope.projectId}::uuid and m.contact_global_id = ${message.contact_global_id}
        and m.channel = ${message.channel} and m.status = 'sent'
        and m.sent_at > now() - make_interval(hours => ${windowHours})
      union all
      select a.created_at from outbound_attempts a
      join outbound_messages m on m.project_id = a.project_id and m.id = a.outbound_message_id
      where a.project_id = ${scope.projectId}::uuid and a.status = 'reserved' and m.id <> ${message.id}::uuid
        and m.contact_global_id = ${message.contact_global_id} and m.channel = ${message.channel}
    )
    select count(*)::int as used, min(at) as oldest from counted`.execute(trx);
  return rows[0] ?? { used: 0, oldest: null };
}

/**
 * Called by ingestion inside the transaction that stores inbound messages from contacts: every
 * approved (or failed, awaiting retry) message to a replying contact whose policy says
 * stop-on-reply, written before that contact's newest reply, is blocked with reason
 * `stop_on_reply` in the same transaction, so no poll or send can slip between the reply and the
 * block. A message whose delivery is already in flight is left alone: it was sent before the
 * reply could be seen. One statement for the whole batch of replies.
 */
export async function blockStopOnReply(
  trx: Transaction<DB>,
  scope: Scope,
  replies: readonly { contactGlobalId: string; repliedAt: Date }[],
): Promise<string[]> {
  const newest = new Map<string, Date>();
  for (const { contactGlobalId, repliedAt } of replies) {
    const seen = newest.get(contactGlobalId);
    if (contactGlobalId && (!seen || repliedAt > seen)) newest.set(contactGlobalId, repliedAt);
  }
  if (newest.size === 0) return [];
  const { rows } = await sql<{
    id: string;
    contact_global_id: string;
    channel: string;
    previous: string;
    replied_at: Date;
  }>`
    with replies as (
      select * from unnest(${[...newest.keys()]}::text[], ${[...newest.values()]}::timestamptz[])
        as r(contact_global_id, replied_at)
    ), due as (
      select m.id, m.status as previous, r.replied_at from outbound_messages m
      join replies r on r.contact_global_id = m.contact_global_id
      join contact_channel_policies p
        on p.project_id = m.project_id and p.contact_global_id = m.contact_global_id
       and p.channel = m.channel and p.stop_on_reply
      where ${inScope(scope, 'm')}
        and m.status in ('approved', 'failed')
        and date_trunc('second', m.created_at) <= r.replied_at
        and not exists (
          select 1 from outbound_attempts a
          where a.project_id = m.project_id and a.outbound_message_id = m.id and a.status = 'reserved')
      -- Skip rows a concurrent transaction holds rather than wait on them: ingestion then never
      -- waits on a send (no lock cycle with the audit chain lock), and a skipped message is still
      -- stopped by the same check inside its own send transaction, which sees this reply.
      for update of m skip locked
    )
    update outbound_messages m
    set status = 'blocked_opt_out', block_reason = 'stop_on_reply', next_attempt_at = null
    from due
    where m.id = due.id
    returning m.id, m.contact_global_id, m.channel, due.previous, due.replied_at`.execute(trx);
  for (const row of rows) {
    await recordAudit(trx, {
      projectId: scope.projectId,
      accountScopeId: scope.accountScopeId,
      actor: 'system:ingestion',
      action: 'outbound.block',
      entityType: 'outbound_message',
      entityId: row.id,
      status: 'blocked',
      payload: {
        reason: 'stop_on_reply',
        from: row.previous,
        contact_global_id: row.contact_global_id,
        replied_at: row.replied_at,
      },
    });
  }
  return rows.map((r) => r.id);
}

export async function listPolicies(
  trx: Transaction<DB>,
  scope: Scope,
  filter: { contactGlobalId?: string; channel?: string },
): Promise<PolicyRow[]> {
  const { rows } = await sql<PolicyRow>`
    select ${POLICY_COLUMNS} from contact_channel_policies
    where ${inScope(scope)}
      ${filter.contactGlobalId ? sql`and contact_global_id = ${filter.contactGlobalId}` : sql``}
      ${filter.channel ? sql`and channel = ${filter.channel}` : sql``}
    order by updated_at desc, contact_global_id, channel
    limit 1000`.execute(trx);
  return rows;
}

export interface PolicyChange {
  contactGlobalId: string;
  channel: 'chatwoot' | 'email';
  optedOut?: boolean;
  stopOnReply?: boolean;
  maxPerWindow?: number | null;
  windowHours?: number | null;
}

/**
 * Upserts one contact's policy on one channel and audits the before and after. Opting out stamps
 * `opted_out_at`; only an explicit `opted_out: false` opts back in.
 */
export async function setPolicy(
  trx: Transaction<DB>,
  scope: Scope,
  change: PolicyChange,
  audit: AuditActor & { via?: string },
): Promise<PolicyRow> {
  const contact = await trx
    .selectFrom('cw_contacts')
    .select('id')
    .where('id', '=', change.contactGlobalId)
    .where('project_id', '=', scope.projectId)
    .executeTakeFirst();
  if (!contact) {
    throw new AppError(
      'invalid_input',
      `no contact ${change.contactGlobalId} in the active project`,
      {
        fields: [{ field: 'contact_global_id', message: 'is not a contact of the active project' }],
      },
    );
  }
  const windowGiven = change.maxPerWindow !== undefined || change.windowHours !== undefined;
  const before = await findPolicy(trx, scope, change.contactGlobalId, change.channel);
  const maxPerWindow =
    change.maxPerWindow !== undefined ? change.maxPerWindow : (before?.max_per_window ?? null);
  const windowHours =
    change.windowHours !== undefined ? change.windowHours : (before?.window_hours ?? null);
  if (windowGiven && (maxPerWindow === null) !== (windowHours === null)) {
    throw new AppError('invalid_input', 'max_per_window and window_hours are set together', {
      fields: [
        {
          field: maxPerWindow === null ? 'max_per_window' : 'window_hours',
          message: 'is required with the other',
        },
      ],
    });
  }
  const optedOut = change.optedOut ?? before?.opted_out ?? false;
  const { rows } = await sql<PolicyRow>`
    insert into contact_channel_policies
      (project_id, account_scope_id, contact_global_id, channel, opted_out, opted_out_at, stop_on_reply, max_per_window, window_hours)
    values (${scope.projectId}::uuid, ${scope.accountScopeId}::uuid, ${change.contactGlobalId}, ${change.channel},
            ${optedOut}, ${optedOut ? sql`now()` : null}, ${change.stopOnReply ?? before?.stop_on_reply ?? false},
            ${maxPerWindow}, ${windowHours})
    on conflict (project_id, contact_global_id, channel) do update set
      opted_out = excluded.opted_out,
      opted_out_at = case when excluded.opted_out and contact_channel_policies.opted_out
                          then contact_channel_policies.opted_out_at else excluded.opted_out_at end,
      stop_on_reply = excluded.stop_on_reply,
      max_per_window = excluded.max_per_window,
      window_hours = excluded.window_hours
    returning ${POLICY_COLUMNS}`.execute(trx);
  const after = rows[0]!;
  await recordAudit(trx, {
    projectId: scope.projectId,
    accountScopeId: scope.accountScopeId,
    actor: audit.username,
    action: 'outbound.policy_change',
    entityType: 'contact_channel_policy',
    entityId: `${change.contactGlobalId}:${change.channel}`,
    payload: { before: before ?? null, after, via: audit.via ?? 'api' },
    requestId: audit.requestId,
  });
  return after;
}
