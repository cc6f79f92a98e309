import fp from 'fastify-plugin';
import { rebuildPeople } from './rebuild.js';

/** People linking's part in a source's change: relink the project (idempotent, cheap when unchanged). */
export const peoplePlugin = fp(
  async (app) => {
    app.sourceSyncedHooks.push((scope) => rebuildPeople(app.database, app.config, scope));
  },
  { name: 'cairn-people', decorators: { fastify: ['database', 'config', 'sourceSyncedHooks'] } },
);
