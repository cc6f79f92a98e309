import fp from 'fastify-plugin';
import { signalsAfterMessagesApplied } from './run-signals.js';

/**
 * The signals module's part in ingestion: the detectors run for the conversations every webhook
 * delivery writes, in its transaction (the sync job gets the same hook from jobs/handlers.ts).
 */
export const signalsPlugin = fp(
  async (app) => {
    app.ingestSubscribers.onMessagesApplied.push(signalsAfterMessagesApplied);
  },
  { name: 'cairn-signals' },
);
