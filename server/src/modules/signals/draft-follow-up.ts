import type { DraftFollowUpBody } from '@cairn/contract';
import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { runIdempotent } from '../outbound/idempotency.js';
import type { Actor } from '../../http/actor.js';
import { createDraft } from '../outbound/service.js';
import { auditableRefs, loadSignal } from './service.js';

/**
 * "Draft a follow-up": an outbound draft replying into the signal's conversation whose
 * evidence_refs are the signal's. It is the outbound module's own draft operation, idempotent on
 * the caller's key, so everything a draft goes through (the recipient resolved in the project,
 * refs checked, dedupe, the audit entry, later approval and the contact's policies at send) holds
 * exactly as for a draft made in the composer.
 */
export async function draftFollowUp(options: {
  database: Database;
  scope: Scope;
  config: Config;
  signalId: string;
  body: DraftFollowUpBody;
  actor: Actor;
}) {
  const { database, scope, config, signalId, body, actor } = options;
  return runIdempotent({
    database,
    scope,
    userId: actor.userId,
    operation: 'signals.draft',
    key: body.idempotency_key,
    body: { ...body, signal_id: signalId },
    requestId: actor.requestId,
    execute: async (trx) => {
      const signal = await loadSignal(trx, scope, signalId);
      const conversation = signal.subject.conversation_id;
      if (!conversation) {
        throw new AppError('invalid_input', 'the signal has no conversation to reply into', {
          fields: [{ field: 'id', message: 'the signal has no conversation to reply into' }],
        });
      }
      const message = await createDraft(
        trx,
        scope,
        config,
        {
          channel: 'chatwoot',
          recipient_ref: conversation,
          payload: { content: body.content },
          idempotency_key: body.idempotency_key,
          evidence_refs: auditableRefs(signal.evidence_refs),
        },
        actor,
      );
      const json = JSON.parse(
        JSON.stringify({ ok: true, message, request_id: actor.requestId }),
      ) as Record<string, unknown>;
      return { status: 201, body: json };
    },
  });
}
