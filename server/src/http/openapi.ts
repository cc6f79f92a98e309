import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** `/openapi.json` generated from the route schemas, and a docs UI at `/docs`. */
export const openapiPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Cairn API',
          version: '0.1.0',
          description:
            'Evidence-first workspace over client conversations. Every route is also served under /v1. ' +
            'Protected routes need the session cookie (mutations also the x-csrf-token header) or a ' +
            'personal API token as `Authorization: Bearer cairn_pat_…` (with `X-Cairn-Project`). ' +
            'Each route needs one permission (docs/api.md, "Team and access").',
        },
        components: {
          securitySchemes: {
            session: { type: 'apiKey', in: 'cookie', name: 'sid' },
            csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
            token: {
              type: 'http',
              scheme: 'bearer',
              description: 'a personal API token, cairn_pat_…',
            },
          },
        },
      },
      // Only the unversioned twin is documented; /v1 mirrors it.
      hiddenTag: 'v1-mirror',
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
    app.get(
      '/openapi.json',
      { config: { access: 'public', permission: 'public' }, schema: { hide: true } },
      async () => app.swagger(),
    );
  },
  { name: 'openapi' },
);
