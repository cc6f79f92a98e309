import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { accessPlugin } from './http/access.js';
import { envelopePlugin, requestIdFrom } from './http/envelope.js';
import { loggerOptions } from './http/logger.js';
import { metricsPlugin } from './http/metrics.js';
import { openapiPlugin } from './http/openapi.js';
import { moduleRoutes } from './modules/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    database: Database;
    demo: boolean;
  }
}

export interface AppDeps {
  config: Config;
  database: Database;
  demo?: boolean;
  /** Overrides for tests, e.g. a log stream to assert on. */
  logger?: FastifyServerOptions['logger'];
}

/** Builds the whole API from plugins and module routes. Tests build exactly this. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database } = deps;
  const app = Fastify({
    logger: deps.logger ?? loggerOptions(config),
    genReqId: requestIdFrom,
    requestIdLogLabel: 'requestId',
    bodyLimit: config.BODY_LIMIT_BYTES,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('config', config);
  app.decorate('database', database);
  app.decorate('demo', deps.demo ?? false);
  // JSON only: a text/plain body is how a cross-site form sneaks past CORS preflight.
  app.removeContentTypeParser('text/plain');

  await app.register(envelopePlugin);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'none'"],
        frameAncestors: ["'none'"],
        // The docs UI is the only HTML the API serves.
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
      },
    },
  });
  await app.register(cors, { origin: config.CORS_ORIGIN, credentials: true });
  await app.register(cookie);
  await app.register(metricsPlugin);
  await app.register(openapiPlugin);
  await app.register(accessPlugin, { config, database });

  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/v1/')) route.schema = { ...route.schema, hide: true };
  });
  await app.register(moduleRoutes);
  await app.register(moduleRoutes, { prefix: '/v1' });
  return app;
}
