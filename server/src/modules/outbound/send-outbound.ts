import { sql, type Transaction } from 'kysely';
import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { AuditActor } from '../../http/actor.js';
import { fromDatabaseError } from '../../http/database-errors.js';
import { AppError } from '../../http/errors.js';
import type { Secrets } from '../../lib/secrets.js';
import { recordAudit } from '../audit/service.js';
import {
  DeliveryError,
  type DeliveryAdapters,
  type DeliveryRequest,
  type DeliveryResult,
} from './adapters/types.js';
import {
  finishAttempt,
  priorAttempts,
  reserveAttempt,
  reservedAttempt,
  type ReservedAttempt,
} from './attempts.js';
import { evaluatePolicies, lockContactChannel } from './policies.js';
import { getMessage, updateMessage, type OutboundRow } from './sql.js';
import { nextStatus } from './state-machine.js';
import { issueUnsubscribeLink, unsubscribeBase } from './unsubscribe.js';
// Automatic retries back off exponentially from 30 s to at most an hour, with jitter so messages
// that failed together (a provider outage) do not retry together.
const RETRY_BASE_SECONDS = 30;
const RETRY_MAX_SECONDS = 3_600;

export interface OutboundDeps {
  database: Database;
  config: Config;
  secrets: Secrets;
  adapters: DeliveryAdapters;
  /**
   * Test-only fault injection around the provider call: a hook that throws stands for a process
   * crash at that point (the reservation is committed, the result is not).
   */
  hooks?: {
    beforeProviderCall?: (attempt: { id: string; messageId: string }) => void | Promise<void>;
    afterProviderCall?: (attempt: { id: string; messageId: string }) => void | Promise<void>;
  };
}

export type SendResult = 'sent' | 'already_sent' | 'failed' | 'blocked' | 'deferred';
export interface SendOutcome {
  result: SendResult;
  message: OutboundRow;
}

/** The provider-side idempotency handle: one per message, identical on every attempt. */
export const providerHandle = (messageId: string) => `cairn-${messageId}`;

type Prepared =
  | { kind: 'done'; outcome: SendOutcome }
  | {
      kind: 'reconcile';
      attempt: ReservedAttempt;
      request: DeliveryRequest;
      channel: OutboundRow['channel'];
    }
  | {
      kind: 'deliver';
      attemptId: string;
      request: DeliveryRequest;
      channel: OutboundRow['channel'];
      reconcileFirst: boolean;
    };

/**
 * Sends one message at most once. Three short transactions, none open across the provider call:
 * 1. reserve: lock the message, check state and every policy, insert a `reserved` attempt (one
 *    per message at a time, by unique index) and commit;
 * 2. call the provider with our handle (Chatwoot `echo_id`, email Message-ID);
 * 3. record: the attempt's result and the message's new state, with its audit row.
 * A second sender finds the reservation and, rather than sending, asks the provider whether the
 * handle already arrived (reconcile); so does any later attempt after an unknown outcome or a
 * crash between steps 2 and 3. See docs/outbound.md for the full argument.
 */
export async function sendOutbound(
  deps: OutboundDeps,
  options: { scope: Scope; messageId: string; actor: AuditActor; mode: 'manual' | 'process' },
): Promise<SendOutcome> {
  // Two rounds at most: a crashed attempt found undelivered is closed, then a fresh one reserved.
  for (let round = 0; round < 2; round++) {
    const prepared = await prepare(deps, options).catch((error: unknown) => {
      throw fromDatabaseError(error);
    });
    if (prepared.kind === 'done') return prepared.outcome;
    const adapter = deps.adapters[prepared.channel];

    if (prepared.kind === 'reconcile') {
      const found = adapter.lookup
        ? await adapter.lookup(prepared.request).catch(() => null)
        : null;
      if (found)
        return record(deps, options, prepared.attempt.id, {
          ok: true,
          result: found,
          durationMs: null,
        });
      if (!prepared.attempt.lease_expired) {
        throw new AppError(
          'conflict',
          'a delivery of this message is in progress; it is sent at most once',
          {
            attempt_no: prepared.attempt.attempt_no,
          },
        );
      }
      if (!adapter.lookup) {
        // SMTP cannot be asked whether it took the message: never resend on a guess.
        return record(deps, options, prepared.attempt.id, {
          ok: false,
          error: new DeliveryError(
            'the attempt crashed with an unknown outcome; resend by hand if it did not arrive',
            false,
            true,
          ),
          durationMs: null,
        });
      }
      await abandonAttempt(deps, options.scope, prepared.attempt.id);
      continue;
    }

    await deps.hooks?.beforeProviderCall?.({
      id: prepared.attemptId,
      messageId: options.messageId,
    });
    const started = Date.now();
    let outcome: { ok: true; result: DeliveryResult } | { ok: false; error: DeliveryError };
    try {
      const earlier =
        prepared.reconcileFirst && adapter.lookup ? await adapter.lookup(prepared.request) : null;
      outcome = { ok: true, result: earlier ?? (await adapter.deliver(prepared.request)) };
    } catch (error) {
      outcome = {
        ok: false,
        error:
          error instanceof DeliveryError ? error : new DeliveryError(describe(error), true, true),
      };
    }
    await deps.hooks?.afterProviderCall?.({ id: prepared.attemptId, messageId: options.messageId });
    return record(deps, options, prepared.attemptId, {
      ...outcome,
      durationMs: Date.now() - started,
    });
  }
  throw new AppError('conflict', 'the message could not be reserved for sending; retry');
}

async function prepare(
  deps: OutboundDeps,
  options: { scope: Scope; messageId: string; actor: AuditActor; mode: 'manual' | 'process' },
): Promise<Prepared> {
  const { scope } = options;
  const stored = await deps.database.withScope(scope, (trx) =>
    getMessage(trx, scope, options.messageId),
  );
  // The channel's own adapter says where the message goes (adapters/types.ts `resolveTarget`).
  const target =
    (await deps.adapters[stored.channel].resolveTarget?.(
      { database: deps.database, secrets: deps.secrets, scope },
      {
        conversationGlobalId: stored.conversation_global_id,
        contactGlobalId: stored.contact_global_id,
      },
    )) ?? {};

  return deps.database.withScope(scope, async (trx) => {
    let message = await getMessage(trx, scope, options.messageId, { lock: true });
    const audit = auditWriter(trx, scope, options.actor, message.id);

    if (options.mode === 'process' && message.status === 'failed') {
      message = await updateMessage(trx, scope, message.id, {
        status: nextStatus('failed', 'retry'),
        next_attempt_at: null,
      });
      await audit('outbound.retry', 'ok', { retry_count: message.retry_count, automatic: true });
    }
    if (message.status !== 'approved') nextStatus(message.status, 'send');

    const reserved = await reservedAttempt(trx, scope, message.id);
    const request = await deliveryRequest(trx, scope, message, target, deps.config);
    if (reserved)
      return { kind: 'reconcile', attempt: reserved, request, channel: message.channel };

    await lockContactChannel(trx, scope, message.contact_global_id, message.channel);
    const decision = await evaluatePolicies(trx, scope, message);
    if (decision.outcome === 'block') {
      const blocked = await updateMessage(trx, scope, message.id, {
        status: nextStatus(message.status, 'block'),
        block_reason: decision.reason,
        next_attempt_at: null,
      });
      await audit('outbound.block', 'blocked', {
        reason: decision.reason,
        checks: decision.checks,
      });
      return { kind: 'done', outcome: { result: 'blocked', message: blocked } };
    }
    if (decision.outcome === 'defer') {
      const firstDeferral = message.block_reason !== decision.reason;
      const deferred = await updateMessage(trx, scope, message.id, {
        block_reason: decision.reason,
        next_attempt_at: decision.eligibleAt,
      });
      // Audited when the cap first holds a message back, not on every poll that finds it still held.
      if (firstDeferral)
        await audit('outbound.defer', 'blocked', {
          reason: decision.reason,
          eligible_at: decision.eligibleAt,
        });
      return { kind: 'done', outcome: { result: 'deferred', message: deferred } };
    }

    const prior = await priorAttempts(trx, scope, message.id);
    if (request.email)
      request.email.unsubscribeUrl = await issueUnsubscribeLink(trx, scope, message, deps.config);
    const attempt = await reserveAttempt(trx, scope, {
      messageId: message.id,
      attemptNo: prior.attempts + 1,
      handle: request.handle,
      summary: requestSummary(message, request),
    });
    if (message.block_reason) await updateMessage(trx, scope, message.id, { block_reason: null });
    request.firstAttemptAt = prior.first_at ?? undefined;
    return {
      kind: 'deliver',
      attemptId: attempt.id,
      request,
      channel: message.channel,
      // After any earlier attempt the provider may already hold the message: ask before sending.
      reconcileFirst: prior.attempts > 0,
    };
  });
}

async function record(
  deps: OutboundDeps,
  options: { scope: Scope; messageId: string; actor: AuditActor },
  attemptId: string,
  outcome: ({ ok: true; result: DeliveryResult } | { ok: false; error: DeliveryError }) & {
    durationMs: number | null;
  },
): Promise<SendOutcome> {
  const { scope } = options;
  return deps.database
    .withScope(scope, async (trx) => {
      const message = await getMessage(trx, scope, options.messageId, { lock: true });
      const audit = auditWriter(trx, scope, options.actor, message.id);
      const attempt = await trx
        .selectFrom('outbound_attempts')
        .select(['id', 'attempt_no', 'status'])
        .where('id', '=', attemptId)
        .where('project_id', '=', scope.projectId)
        .executeTakeFirstOrThrow();

      if (outcome.ok) {
        if (attempt.status === 'reserved') {
          await finishAttempt(trx, scope, {
            attemptId,
            status: 'succeeded',
            response: outcome.result.response,
            error: null,
            durationMs: outcome.durationMs,
            providerMessageId: outcome.result.providerMessageId,
          });
        }
        // Another sender may have reconciled this very delivery first: then it is already recorded.
        if (message.status === 'sent') return { result: 'already_sent' as const, message };
        const sent = await updateMessage(trx, scope, message.id, {
          status: nextStatus(message.status, 'send'),
          sent_at: sql<Date>`now()`,
          provider_message_id: outcome.result.providerMessageId,
          last_error: null,
          block_reason: null,
          next_attempt_at: null,
        });
        await audit('outbound.send', 'ok', {
          attempt_no: attempt.attempt_no,
          provider_message_id: outcome.result.providerMessageId,
          reconciled: outcome.result.response.reconciled === true,
          channel: message.channel,
        });
        return { result: 'sent' as const, message: sent };
      }

      const error = outcome.error;
      if (attempt.status === 'reserved') {
        await finishAttempt(trx, scope, {
          attemptId,
          status: 'failed',
          response: error.response,
          error: error.message,
          durationMs: outcome.durationMs,
          providerMessageId: null,
        });
      }
      if (message.status !== 'approved') return { result: 'failed' as const, message };
      const failures = message.retry_count + 1;
      const canLookup = Boolean(deps.adapters[message.channel].lookup);
      const automatic =
        error.retryable && failures <= message.max_retries && (canLookup || !error.outcomeUnknown);
      const failed = await updateMessage(trx, scope, message.id, {
        status: nextStatus('approved', 'fail'),
        retry_count: failures,
        last_error: error.message.slice(0, 2000),
        next_attempt_at: automatic ? new Date(Date.now() + backoffSeconds(failures) * 1000) : null,
      });
      await audit('outbound.failure', 'failed', {
        attempt_no: attempt.attempt_no,
        error: error.message.slice(0, 500),
        retryable: error.retryable,
        outcome_unknown: error.outcomeUnknown,
        next_attempt_at: failed.next_attempt_at,
      });
      return { result: 'failed' as const, message: failed };
    })
    .catch((error: unknown) => {
      throw fromDatabaseError(error);
    });
}

/** A crashed attempt whose handle the provider does not hold: it never delivered; close it. */
async function abandonAttempt(deps: OutboundDeps, scope: Scope, attemptId: string) {
  await deps.database.withScope(scope, (trx) =>
    finishAttempt(trx, scope, {
      attemptId,
      status: 'failed',
      response: { reconciled: true, found: false },
      error: 'abandoned: the attempt crashed and the provider holds no such message',
      durationMs: null,
      providerMessageId: null,
    }),
  );
}

async function deliveryRequest(
  trx: Transaction<DB>,
  scope: Scope,
  message: OutboundRow,
  target: Pick<DeliveryRequest, 'chatwoot'>,
  config: Config,
): Promise<DeliveryRequest> {
  const request: DeliveryRequest = {
    messageId: message.id,
    handle: providerHandle(message.id),
    content: message.payload.content,
    subject: message.payload.subject,
    ...(message.channel === 'chatwoot' ? target : {}),
  };
  if (message.channel === 'email' && message.contact_global_id) {
    const contact = await trx
      .selectFrom('cw_contacts')
      .select(['email', 'name'])
      .where('id', '=', message.contact_global_id)
      .where('project_id', '=', scope.projectId)
      .executeTakeFirst();
    if (contact?.email)
      request.email = {
        to: contact.email,
        toName: contact.name,
        unsubscribeUrl: unsubscribeBase(config),
      };
  }
  return request;
}

function requestSummary(message: OutboundRow, request: DeliveryRequest): Record<string, unknown> {
  return {
    channel: message.channel,
    handle: request.handle,
    content_chars: message.payload.content.length,
    subject: message.payload.subject ?? null,
    conversation_id: request.chatwoot?.conversationId ?? null,
    to_contact: message.contact_global_id,
  };
}

function auditWriter(trx: Transaction<DB>, scope: Scope, actor: AuditActor, messageId: string) {
  return (action: string, status: 'ok' | 'failed' | 'blocked', payload: Record<string, unknown>) =>
    recordAudit(trx, {
      projectId: scope.projectId,
      accountScopeId: scope.accountScopeId,
      actor: actor.username,
      action,
      entityType: 'outbound_message',
      entityId: messageId,
      status,
      payload,
      requestId: actor.requestId,
    });
}

function backoffSeconds(failures: number): number {
  const ceiling = Math.min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** (failures - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
