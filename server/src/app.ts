import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import {
  parseHostAllowlist,
  systemResolver,
  type HostPolicy,
  type HostResolver,
} from './lib/net/host-policy.js';
import { createSecrets, type Secrets } from './lib/secrets.js';
import { accessPlugin, assertCoherentDeclaration, permissionOf } from './http/access.js';
import { envelopePlugin, frameworkErrorHandler, requestIdFrom } from './http/envelope.js';
import { loggerOptions } from './http/logger.js';
import { metricsPlugin } from './http/metrics.js';
import { openapiPlugin } from './http/openapi.js';
import { trustedProxies } from './http/trusted-proxies.js';
import { createSchemaController } from './http/validation.js';
import { moduleRoutes } from './modules/index.js';
import { jobsPlugin } from './modules/jobs/plugin.js';
import { peoplePlugin } from './modules/people/plugin.js';
import { systemPlugin } from './modules/system/plugin.js';
import { createStartState, type StartState } from './modules/system/start-phase.js';
import type { ProjectCreatedHook } from './modules/projects/service.js';
import type { SourceSyncedHook } from './modules/sources/synced-hooks.js';
import { createIngestSubscribers } from './modules/ingest/events.js';
import { outboundPlugin } from './modules/outbound/plugin.js';
import { signalsPlugin } from './modules/signals/plugin.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    database: Database;
    secrets: Secrets;
    demo: boolean;
    /** Which hosts requests to user-supplied URLs may reach (SOURCE_HOST_ALLOWLIST). */
    hostPolicy: HostPolicy;
    /**
     * Every registered route with its access and declared permission (undefined when it declares
     * none): the table the access and route-permission tests walk.
     */
    routeTable: {
      method: string;
      url: string;
      access: string;
      permission: string | undefined;
      projectParam: string | undefined;
    }[];
    /** Run inside every project's creation transaction; plugins add theirs (jobs: schedules). */
    projectCreatedHooks: ProjectCreatedHook[];
    /** Run after a source's rows changed (webhook, sync); plugins add theirs (people: relink). */
    sourceSyncedHooks: SourceSyncedHook[];
    /**
     * The ingest stage's subscribers, run inside every webhook write (ingest/events.ts); plugins
     * add theirs (signals: detectors for the conversations touched; outbound: stop-on-reply).
     */
    ingestSubscribers: ReturnType<typeof createIngestSubscribers>;
  }
}

export interface AppDeps {
  config: Config;
  database: Database;
  /** Defaults to one built from SECRETS_KEY. */
  secrets?: Secrets;
  demo?: boolean;
  /** Where start-up is; main.ts builds the app before migrating. Default: ready. */
  start?: StartState;
  /** Overrides for tests, e.g. a log stream to assert on. */
  logger?: FastifyServerOptions['logger'];
  /** Resolves host names for the outbound guard; tests inject one that never leaves loopback. */
  resolveHost?: HostResolver;
  /** Request validation; apps built with one controller share its compiled validators. */
  schemaController?: FastifyServerOptions['schemaController'];
}

const SECURITY_HEADERS = {
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
} as const;

/** Builds the whole API from plugins and module routes. Tests build exactly this. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database } = deps;
  const app = Fastify({
    logger: deps.logger ?? loggerOptions(config),
    genReqId: requestIdFrom,
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Bodies are validated as sent, querystrings and params coerced; no string holds a NUL.
    schemaController: deps.schemaController ?? createSchemaController(),
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: frameworkErrorHandler(SECURITY_HEADERS),
    // request.ip is the client's address only when a trusted proxy (TRUST_PROXY) says so.
    trustProxy: trustedProxies(config.TRUST_PROXY),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('config', config);
  app.decorate('database', database);
  app.decorate('secrets', deps.secrets ?? createSecrets(requireKey(config)));
  app.decorate('demo', deps.demo ?? false);
  app.decorate('hostPolicy', {
    allowlist: parseHostAllowlist(config.SOURCE_HOST_ALLOWLIST),
    resolve: deps.resolveHost ?? systemResolver,
  });
  app.decorate('projectCreatedHooks', []);
  app.decorate('sourceSyncedHooks', []);
  app.decorate('ingestSubscribers', createIngestSubscribers());
  // JSON only: a text/plain body is how a cross-site form sneaks past CORS preflight.
  app.removeContentTypeParser('text/plain');
  // An empty body sent as application/json (as some clients do on a POST that takes no body) is
  // no body at all; a route that needs one still refuses it by its schema.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else parseJson(request, body as string, done);
  });
  app.decorate('routeTable', []);
  app.addHook('onRoute', (route) => {
    assertCoherentDeclaration(route);
    for (const method of [route.method].flat()) {
      app.routeTable.push({
        method,
        url: route.url,
        access: route.url.startsWith('/docs') ? 'public' : (route.config?.access ?? 'project'),
        permission: permissionOf(route),
        projectParam: route.config?.projectParam,
      });
    }
    if (route.url.startsWith('/v1/')) route.schema = { ...route.schema, hide: true };
  });

  await app.register(envelopePlugin);
  await app.register(systemPlugin, { start: deps.start ?? createStartState() });
  await app.register(helmet, SECURITY_HEADERS);
  // A list, not a string: only a matching Origin is reflected, any other gets no CORS header.
  await app.register(cors, { origin: [new URL(config.CORS_ORIGIN).origin], credentials: true });
  await app.register(cookie);
  // No global limit: the access guard applies it per personal token and to the invitation routes.
  await app.register(rateLimit, { global: false, cache: 10_000 });
  await app.register(metricsPlugin);
  await app.register(openapiPlugin);
  await app.register(accessPlugin, { config, database });
  await app.register(jobsPlugin);
  await app.register(peoplePlugin);
  await app.register(signalsPlugin);
  await app.register(outboundPlugin);

  await app.register(moduleRoutes);
  await app.register(moduleRoutes, { prefix: '/v1' });
  return app;
}

function requireKey(config: Config): string {
  if (!config.SECRETS_KEY)
    throw new Error('SECRETS_KEY: required (resolve it with resolveSecretsKey before buildApp)');
  return config.SECRETS_KEY;
}
