import { recordAudit } from '../audit/service.js';
import type { Executor } from '../../db/scoped-sql.js';

/**
 * Records an access event (users, roles, memberships, sessions, tokens) in the workspace chain:
 * an audit row with no project, chained with sign-ins and sign-outs (migration 0006's `account`
 * chain key, verified by GET /audit/verify). Never put a secret, a token or a hash in `payload`.
 */
export function recordAccessEvent(
  executor: Executor,
  event: {
    actor: string;
    action: string;
    entityType: string;
    entityId: string;
    payload?: Record<string, unknown>;
    status?: 'ok' | 'denied';
    requestId: string;
  },
) {
  return recordAudit(executor, {
    projectId: null,
    accountScopeId: null,
    actor: event.actor,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    status: event.status ?? 'ok',
    payload: event.payload ?? {},
    requestId: event.requestId,
  });
}
