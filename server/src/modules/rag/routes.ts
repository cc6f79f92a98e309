import {
  EvidenceSearchQuerySchema,
  EvidenceSearchResponseSchema,
  SearchBodySchema,
  SearchResponseSchema,
  type SearchBody,
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
      const { query, topK, filters, source } = request.body;
      checkFilters(filters);
      try {
        const result = await searchChunks({
          database: app.database,
          config: app.config,
          scope: request.scope,
          provider,
          query,
          topK,
          filters,
          source,
          group: true,
        });
        return { ok: true as const, ...result, groups: result.groups ?? [] };
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

/** The aliases must not disagree, and a range must not be empty: each names its field. */
function checkFilters(filters: SearchBody['filters']) {
  if (!filters) return;
  const invalid = (field: string, message: string) =>
    new AppError('validation_error', `invalid filters.${field}: ${message}`, {
      fields: [{ field: `filters.${field}`, message }],
    });
  if (filters.from && filters.since && filters.from !== filters.since) {
    throw invalid('since', 'differs from filters.from; give one of them');
  }
  if (filters.to && filters.until && filters.to !== filters.until) {
    throw invalid('until', 'differs from filters.to; give one of them');
  }
  if (filters.sender && filters.sender_type) {
    throw invalid('sender', 'give sender or sender_type, not both');
  }
  const from = filters.from ?? filters.since;
  const to = filters.to ?? filters.until;
  if (from && to && Date.parse(from) >= Date.parse(to)) {
    throw invalid(filters.until ? 'until' : 'to', 'must be after the start of the range');
  }
}

function invalidQuery(message: string, field = 'query') {
  return new AppError('validation_error', `invalid ${field}: ${message}`, {
    fields: [{ field, message }],
  });
}
