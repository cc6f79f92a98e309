import fp from 'fastify-plugin';
import { stopOnReply } from './stop-on-reply.js';

/**
 * Outbound's part in ingestion: stop-on-reply subscribes to the ingest stage's inbound replies
 * (ingest/events.ts), so a webhook that stores a contact's reply blocks the messages it stops in
 * the same transaction (the sync job passes the same subscriber from jobs/handlers.ts).
 */
export const outboundPlugin = fp(
  async (app) => {
    app.ingestSubscribers.onInboundReplies.push(stopOnReply);
  },
  { name: 'cairn-outbound' },
);
