import { sql } from 'kysely';
import type { InboundRepliesHook } from '../ingest/events.js';
import { blockStopOnReply } from './policies.js';

const CLOCK_SKEW_SLACK_MS = 3_600_000;

/**
 * Stop-on-reply as an ingest subscriber (ingest/events.ts): run inside the ingest transaction for
 * newly stored incoming messages from contacts, so a reply and the outbound block it causes
 * commit together. Each contact comes with the time of its newest new reply, because only
 * outbound messages written before the reply are to be stopped by it.
 */
export const stopOnReply: InboundRepliesHook = async (trx, scope, replies) => {
  // An outbound message of this project cannot predate the project, so a reply from before the
  // project existed can stop nothing: skipping those keeps a history backfill from running the
  // policy statement at all.
  const { rows } = await sql<{ created_at: Date }>`
    select created_at from projects where id = ${scope.projectId}::uuid`.execute(trx);
  // An hour of slack for a Chatwoot clock running behind ours.
  const cutoff = (rows[0]?.created_at.getTime() ?? 0) - CLOCK_SKEW_SLACK_MS;
  await blockStopOnReply(
    trx,
    scope,
    replies
      .filter(({ at }) => at.getTime() >= cutoff)
      .map(({ contactGlobalId, at }) => ({ contactGlobalId, repliedAt: at })),
  );
};
