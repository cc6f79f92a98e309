import type { PreflightCheck } from '@cairn/contract';
import type { Database, Scope } from '../../db/database.js';
import { evaluatePolicies } from './policies.js';
import { getMessage } from './sql.js';

/**
 * Explains, before anyone presses send, what the sender would decide right now: the approval
 * state, the recipient, and each contact policy with the evidence behind it (the policy row, the
 * reply that trips stop-on-reply, the cap's usage in its window). Reads only.
 */
export async function preflight(database: Database, scope: Scope, id: string) {
  return database.withScope(scope, async (trx) => {
    const message = await getMessage(trx, scope, id);
    const checks: PreflightCheck[] = [];
    checks.push(
      message.status === 'approved'
        ? {
            check: 'approval',
            outcome: 'pass',
            reason: 'approved',
            evidence: [],
            details: { approved_by: message.approved_by, approved_at: message.approved_at },
          }
        : {
            check: 'approval',
            outcome: 'block',
            reason:
              message.status === 'draft'
                ? 'the draft is not approved yet'
                : `the message is ${message.status}`,
            evidence: [],
            details: { status: message.status, block_reason: message.block_reason },
          },
    );
    checks.push(
      message.contact_global_id
        ? {
            check: 'recipient',
            outcome: 'pass',
            reason: 'the recipient resolves to a contact',
            evidence: [],
            details: { contact_global_id: message.contact_global_id },
          }
        : {
            check: 'recipient',
            outcome: 'pass',
            reason: 'the conversation has no contact; contact policies cannot apply',
            evidence: [],
            details: {},
          },
    );
    const decision = await evaluatePolicies(trx, scope, message);
    checks.push(...decision.checks);
    return {
      message_id: message.id,
      would_send: message.status === 'approved' && decision.outcome === 'pass',
      checks,
    };
  });
}
