import type { Transaction } from 'kysely';
import type { Scope } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { blockStopOnReplyForContacts } from '../outbound/policies.js';

/**
 * Stop-on-reply: called inside the ingestion transaction for newly stored incoming messages from
 * contacts, so a reply and the outbound block it causes commit together. Each contact is passed
 * with the time of its newest new reply, because only outbound messages written before the reply
 * are to be stopped by it.
 */
export async function notifyInboundContactMessages(
  trx: Transaction<DB>,
  scope: Scope,
  replies: { contactGlobalId: string; at: Date }[],
): Promise<void> {
  const newest = new Map<string, Date>();
  for (const { contactGlobalId, at } of replies) {
    const seen = newest.get(contactGlobalId);
    if (!seen || at > seen) newest.set(contactGlobalId, at);
  }
  for (const [contactGlobalId, at] of newest)
    await blockStopOnReplyForContacts(trx, scope, [contactGlobalId], at);
}
