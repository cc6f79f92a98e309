import { HealthResponseSchema } from '@cairn/contract';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { AppError } from '../../http/errors.js';

// A health check must answer fast even when the database hangs, so the orchestrator can act.
const HEALTH_DB_TIMEOUT_MS = 2_000;

export const systemRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    {
      config: { access: 'public', permission: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Liveness and database reachability',
        response: { 200: HealthResponseSchema },
      },
    },
    async () => {
      const started = Date.now();
      try {
        await Promise.race([
          sql`select 1`.execute(app.database.db),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error('timeout')), HEALTH_DB_TIMEOUT_MS).unref(),
          ),
        ]);
      } catch {
        throw new AppError('db_unavailable', 'the database is unreachable');
      }
      return {
        ok: true as const,
        status: 'ok' as const,
        db: { ok: true, latency_ms: Date.now() - started, embedded: app.database.embedded },
        demo: app.demo,
        version: '0.1.0',
      };
    },
  );
};
