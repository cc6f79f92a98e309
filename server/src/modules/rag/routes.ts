import {
  EvidenceSearchQuerySchema,
  EvidenceSearchResponseSchema,
  SearchBodySchema,
  SearchResponseSchema,
} from '@cairn/contract';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../http/errors.js';
import { askRoutes } from './ask/routes.js';
import { createEmbeddingProvider, type EmbeddingProvider } from './embeddings/provider.js';
import { searchEvidence } from './index-evidence.js';
import { InvalidQueryError, searchChunks } from './search-chunks.js';

const tags = ['search'];

/**
 * `POST /search` (hybrid search over the active project's chunks, every hit evidence) and
 * `GET /evidence/search` (full text over the project's evidence items). Both project-scoped.
 */
export const ragRoutes: FastifyPluginAsyncTypebox<{ provider?: EmbeddingProvider }> = async (
  app,
  opts,
) => {
  const provider = opts.provider ?? createEmbeddingProvider(app.config);
  await app.register(askRoutes, { provider });

  app.post(
    '/search',
    {
      config: { access: 'project', permission: 'search' },
      schema: {
        tags,
        summary: 'Hybrid (vector + full-text) search over the project, each hit with its evidence',
        body: SearchBodySchema,
        response: { 200: SearchResponseSchema },
      },
    },
    async (request) => {
      const { query, topK, filters } = request.body;
      try {
        const result = await searchChunks({
          database: app.database,
          config: app.config,
          scope: request.scope,
          provider,
          query,
          topK,
          filters,
        });
        return { ok: true as const, ...result };
      } catch (error) {
        if (error instanceof InvalidQueryError) throw invalidQuery(error.message);
        throw error;
      }
    },
  );

  app.get(
    '/evidence/search',
    {
      config: { access: 'project', permission: 'search' },
      schema: {
        tags,
        summary: 'Full-text search over the project’s evidence items',
        querystring: EvidenceSearchQuerySchema,
        response: { 200: EvidenceSearchResponseSchema },
      },
    },
    async (request) => {
      const q = request.query.q.trim();
      if (q === '') throw invalidQuery('q must not be empty', 'q');
      const items = await searchEvidence({
        database: app.database,
        scope: request.scope,
        query: q,
        limit: request.query.limit ?? 20,
      });
      return { ok: true as const, items };
    },
  );
};

function invalidQuery(message: string, field = 'query') {
  return new AppError('validation_error', `invalid ${field}: ${message}`, {
    fields: [{ field, message }],
  });
}
