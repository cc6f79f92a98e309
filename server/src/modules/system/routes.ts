import { HealthResponseSchema } from '@cairn/contract';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../http/errors.js';

export const systemRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    {
      config: { access: 'public', permission: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Liveness, database reachability and start-up phase',
        description:
          'Answers from memory and the last database probe (at most a second old), so it stays ' +
          'fast under load. 503 `starting` with `details.phase` while the database migrates; ' +
          '200 with `phase` afterwards (`syncing the demo`, `indexing`, then `ready`).',
        response: { 200: HealthResponseSchema },
      },
    },
    async () => {
      if (app.start.phase === 'migrating' || app.start.phase === 'starting') {
        throw new AppError('starting', `Cairn is starting: ${app.start.phase}`, {
          phase: app.start.phase,
        });
      }
      const db = await app.databaseProbe.check();
      if (!db.ok) throw new AppError('db_unavailable', 'the database is unreachable');
      return {
        ok: true as const,
        status: 'ok' as const,
        phase: app.start.phase,
        db: { ok: true, latency_ms: db.latencyMs, embedded: app.database.embedded },
        demo: app.demo,
        version: '0.1.0',
      };
    },
  );
};
