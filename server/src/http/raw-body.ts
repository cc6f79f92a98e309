import type {
  FastifyPluginAsyncTypebox,
  TypeBoxTypeProvider,
} from '@fastify/type-provider-typebox';

type App = Parameters<FastifyPluginAsyncTypebox>[0];

/**
 * Registers `routes` in a plugin of their own whose JSON bodies stay raw Buffers. A webhook's
 * signature covers the exact bytes received; parsing and re-serialising would change them. The
 * plugin is encapsulated, so every other route keeps the normal JSON parser.
 */
export async function withRawJsonBodies(
  app: App,
  routes: (scoped: App) => void | Promise<void>,
): Promise<void> {
  await app.register(async (scoped) => {
    const raw = scoped.withTypeProvider<TypeBoxTypeProvider>();
    raw.removeContentTypeParser('application/json');
    raw.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
      done(null, body),
    );
    await routes(raw);
  });
}

/** The body of a route registered by `withRawJsonBodies`; empty when none was sent. */
export const rawBodyOf = (body: unknown): Buffer =>
  Buffer.isBuffer(body) ? body : Buffer.alloc(0);
