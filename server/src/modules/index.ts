import type { FastifyPluginAsync } from 'fastify';
import { systemRoutes } from './system/routes.js';

/** Every module's routes; registered at `/` and again under `/v1`. */
export const moduleRoutes: FastifyPluginAsync = async (app) => {
  await app.register(systemRoutes);
};
