import fp from 'fastify-plugin';
import { AppError } from '../../http/errors.js';
import { createDatabaseProbe, type DatabaseProbe } from './database-probe.js';
import type { StartState } from './start-phase.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Where start-up is (start-phase.ts); `ready` in an app built without one, as in tests. */
    start: StartState;
    /** Database reachability for /health (database-probe.ts). */
    databaseProbe: DatabaseProbe;
  }
}

/**
 * The system module's state on the app. While the database is migrating, everything but
 * `/health` answers `503 starting`, so a request never meets a half-built schema; registered
 * before access control, whose session lookup needs the tables.
 */
export const systemPlugin = fp<{ start: StartState }>(
  async (app, options) => {
    app.decorate('start', options.start);
    const probe = createDatabaseProbe(app.database.connectionString);
    app.decorate('databaseProbe', probe);
    app.addHook('onClose', async () => probe.close());
    app.addHook('onRequest', async (request) => {
      if (options.start.phase !== 'migrating' && options.start.phase !== 'starting') return;
      const url = request.routeOptions.url ?? '';
      if (url === '/health' || url === '/v1/health') return;
      throw new AppError('starting', 'Cairn is starting: migrating its database', {
        phase: options.start.phase,
      });
    });
  },
  { name: 'cairn-system', decorators: { fastify: ['database'] } },
);
