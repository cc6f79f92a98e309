import type { FastifyPluginAsync } from 'fastify';
import { accessRoutes } from './access/routes.js';
import { auditRoutes } from './audit/routes.js';
import { authRoutes } from './auth/routes.js';
import { chatwootRoutes } from './connectors/chatwoot/routes.js';
import { attioRoutes } from './connectors/attio/routes.js';
import { linearRoutes } from './connectors/linear/routes.js';
import { jobRoutes } from './jobs/routes.js';
import { mcpRoutes } from './mcp/routes.js';
import { outboundRoutes } from './outbound/routes.js';
import { peopleRoutes } from './people/routes.js';
import { projectRoutes } from './projects/routes.js';
import { ragRoutes } from './rag/routes.js';
import { signalRoutes } from './signals/routes.js';
import { sourceRoutes } from './sources/routes.js';
import { systemRoutes } from './system/routes.js';

/** Every module's routes; registered at `/` and again under `/v1`. */
export const moduleRoutes: FastifyPluginAsync = async (app) => {
  await app.register(systemRoutes);
  await app.register(chatwootRoutes);
  await app.register(linearRoutes);
  await app.register(attioRoutes);
  await app.register(authRoutes);
  await app.register(accessRoutes);
  await app.register(projectRoutes);
  await app.register(ragRoutes);
  await app.register(sourceRoutes);
  await app.register(jobRoutes);
  await app.register(outboundRoutes);
  await app.register(auditRoutes);
  await app.register(peopleRoutes);
  await app.register(signalRoutes);
  await app.register(mcpRoutes);
};
