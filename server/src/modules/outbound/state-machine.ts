import type { OutboundStatus } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';

/** What a person or the sender does to a message. */
export type OutboundAction = 'edit' | 'approve' | 'cancel' | 'send' | 'fail' | 'retry' | 'block';

export const OUTBOUND_ACTIONS: readonly OutboundAction[] = [
  'edit',
  'approve',
  'cancel',
  'send',
  'fail',
  'retry',
  'block',
];
export const OUTBOUND_STATUSES: readonly OutboundStatus[] = [
  'draft',
  'approved',
  'sent',
  'failed',
  'blocked_opt_out',
  'cancelled',
];

/**
 * draft → approved → sent; approved → failed → approved (retry); approved returns to draft on
 * edit; blocked_opt_out, cancelled and sent are terminal. The database trigger of migration 0006
 * (`outbound_transition_allowed`) holds the same list, so a code path that skips this check
 * still cannot move a message illegally.
 */
const TRANSITIONS: Record<OutboundStatus, Partial<Record<OutboundAction, OutboundStatus>>> = {
  draft: { edit: 'draft', approve: 'approved', cancel: 'cancelled' },
  approved: {
    edit: 'draft',
    send: 'sent',
    fail: 'failed',
    block: 'blocked_opt_out',
    cancel: 'cancelled',
  },
  failed: { retry: 'approved', block: 'blocked_opt_out', cancel: 'cancelled' },
  sent: {},
  blocked_opt_out: {},
  cancelled: {},
};

export function transitionTarget(
  from: OutboundStatus,
  action: OutboundAction,
): OutboundStatus | null {
  return TRANSITIONS[from][action] ?? null;
}

/** The status `action` leads to from `from`, or 409 invalid_transition naming both. */
export function nextStatus(from: OutboundStatus, action: OutboundAction): OutboundStatus {
  const to = transitionTarget(from, action);
  if (!to) {
    throw new AppError('invalid_transition', `cannot ${action} a message that is ${from}`, {
      from,
      action,
    });
  }
  return to;
}
