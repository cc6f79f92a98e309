import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Scope } from '../db/database.js';
import type { DB } from '../db/schema.js';

/**
 * Replay protection for every webhook receiver (Chatwoot today; Linear and Attio call the same).
 * A signature proves who sent a body, not that it is the first time it arrives: a captured request
 * replays perfectly for as long as its timestamp is within the tolerance. So each accepted delivery
 * leaves a receipt keyed on what the signature covers: the SHA-256 of those exact bytes (for
 * Chatwoot `<timestamp>.<raw body>`), which no unsigned header, and no other spelling of the same
 * signature, can change. The provider's delivery id, when there is one, is a second key: a
 * provider's retry re-signs with a new timestamp but keeps its id. Receipts are kept for at least
 * the whole window in which a signature stays acceptable (the caller passes twice its tolerance or
 * more: a timestamp may be that far in the future at first and that far in the past at replay).
 *
 * The claim runs in the caller's transaction, with the writes it guards: a delivery whose writes
 * fail leaves no receipt and can be sent again, and of two identical deliveries racing, the second
 * waits on the first's primary key and then finds it.
 */

export interface WebhookDelivery {
  /** Which receiver, e.g. `chatwoot`. */
  receiver: string;
  /** The endpoint (source) the delivery was addressed to. */
  endpointId: string;
  /** Exactly the bytes the signature (or, unsigned, the URL token) vouches for. */
  signed: Buffer;
  /** The provider's delivery id header, if it sends one; unsigned, so only ever a second key. */
  deliveryId?: string;
  event?: string | null;
  /** How long receipts are remembered; at least twice the signature tolerance. */
  rememberSeconds: number;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** `new` the first time; `replay` when either key was seen within the memory window. */
export async function claimWebhookDelivery(
  trx: Transaction<DB>,
  scope: Scope,
  delivery: WebhookDelivery,
): Promise<'new' | 'replay'> {
  const keys = [`signed:${sha256(delivery.signed)}`];
  if (delivery.deliveryId) keys.push(`delivery:${sha256(delivery.deliveryId)}`);
  await sql`delete from webhook_receipts
    where receiver = ${delivery.receiver} and endpoint_id = ${delivery.endpointId}::uuid
      and received_at < now() - make_interval(secs => ${delivery.rememberSeconds})`.execute(trx);
  const { rows } = await sql`
    insert into webhook_receipts (project_id, account_scope_id, receiver, endpoint_id, receipt_key, event)
    select ${scope.projectId}::uuid, ${scope.accountScopeId}::uuid, ${delivery.receiver},
      ${delivery.endpointId}::uuid, key, ${delivery.event?.slice(0, 100) ?? null}
    from unnest(${keys}::text[]) as key
    on conflict (receiver, endpoint_id, receipt_key) do nothing
    returning receipt_key`.execute(trx);
  return rows.length === keys.length ? 'new' : 'replay';
}
