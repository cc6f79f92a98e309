// Request and response schemas of the rag module.
import { Type, type Static } from 'typebox';
import { NullableTimestamp, Ok, TimestampSchema, RequiredText } from './common.js';

const GlobalId = Type.String({ minLength: 1, maxLength: 300 });

export const SearchSenderSchema = Type.Union([Type.Literal('client'), Type.Literal('studio')], {
  description:
    '`client`: messages the client wrote (Chatwoot `Contact`); `studio`: the studio’s replies ' +
    '(`User`, `AgentBot`)',
});
export type SearchSender = Static<typeof SearchSenderSchema>;

export const SearchFiltersSchema = Type.Object(
  {
    from: Type.Optional(TimestampSchema),
    to: Type.Optional(TimestampSchema),
    since: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'messages written at or after this instant (the same as `from`, as in /ask)',
      }),
    ),
    until: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'messages written before this instant (the same as `to`, as in /ask)',
      }),
    ),
    conversation_global_id: Type.Optional(GlobalId),
    contact_global_id: Type.Optional(GlobalId),
    sender_type: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    sender: Type.Optional(SearchSenderSchema),
  },
  { additionalProperties: false },
);
export type SearchFilters = Static<typeof SearchFiltersSchema>;

/** Which source's hits a search returns (issue 18, item 7); all of them when absent. */
export const SearchSourceSchema = Type.Union(
  [Type.Literal('chatwoot'), Type.Literal('linear'), Type.Literal('attio')],
  { description: 'only hits from Chatwoot messages, Linear issues and comments, or Attio' },
);
export type SearchSource = Static<typeof SearchSourceSchema>;

export const SearchBodySchema = Type.Object(
  {
    query: RequiredText({ maxLength: 2000 }),
    topK: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
    filters: Type.Optional(SearchFiltersSchema),
    source: Type.Optional(SearchSourceSchema),
  },
  { additionalProperties: false },
);
export type SearchBody = Static<typeof SearchBodySchema>;

/** `{ source, ref, snippet, meta }`: the evidence reference used everywhere (docs/architecture.md, "Stable ids and evidence references"). */
export const SearchEvidenceRefSchema = Type.Object({
  source: Type.Union([
    Type.Literal('cw_messages'),
    Type.Literal('cw_conversations'),
    Type.Literal('rag_chunks'),
    Type.Literal('audit_events'),
    Type.Literal('external'),
  ]),
  ref: Type.String(),
  snippet: Type.String(),
  meta: Type.Record(Type.String(), Type.Unknown()),
});
export type SearchEvidenceRef = Static<typeof SearchEvidenceRefSchema>;

const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);

export const SearchHitSchema = Type.Object({
  chunk_id: Type.String({ format: 'uuid' }),
  message_global_id: Type.String(),
  conversation_global_id: Type.String(),
  contact_global_id: NullableString,
  contact_name: NullableString,
  sender_type: NullableString,
  message_created_at: NullableTimestamp,
  snippet: Type.String({
    description: 'chunk text around the matches; matched terms between [[ and ]]; plain text',
  }),
  scores: Type.Object({ vector: NullableNumber, text: NullableNumber, fused: Type.Number() }),
  deep_link: Type.Union([Type.String(), Type.Null()], {
    description:
      'Chatwoot: {base_url}/app/accounts/{account_id}/conversations/{conversation_id}; ' +
      "Linear: the issue's or comment's url; Attio: a note's parent record's web_url, " +
      "a task's first linked record's web_url",
  }),
  source: Type.Optional(
    Type.Union([Type.Literal('chatwoot'), Type.Literal('linear'), Type.Literal('attio')], {
      description:
        'where the hit comes from: a Chatwoot message, a Linear issue or comment, or an Attio note or task',
    }),
  ),
  evidence: SearchEvidenceRefSchema,
});
export type SearchHit = Static<typeof SearchHitSchema>;

/** Hits whose text is the same or nearly (numbers, case, spacing and punctuation aside). */
export const SearchGroupSchema = Type.Object({
  key: Type.String({ description: 'the chunk id of the first (best-ranked) member' }),
  members: Type.Array(SearchHitSchema, {
    description: 'best first; each with its own evidence and deep link; the first is the card',
  }),
  size: Type.Integer({ minimum: 1, description: 'members.length' }),
  conversation_count: Type.Integer({
    minimum: 1,
    description: 'distinct conversations of members',
  }),
  similar_conversation_count: Type.Integer({
    minimum: 0,
    description: 'distinct conversations of the members after the first ("+N similar in M")',
  }),
});
export type SearchGroup = Static<typeof SearchGroupSchema>;

export const SearchResponseSchema = Ok({
  hits: Type.Array(SearchHitSchema, { description: 'the best topK hits, one by one' }),
  groups: Type.Array(SearchGroupSchema, {
    description:
      'the best topK distinct results: near-identical hits among the best 3 × topK collapsed ' +
      'into one group',
  }),
  mode: Type.Union([Type.Literal('hybrid'), Type.Literal('vector'), Type.Literal('text')]),
  vector_path: Type.Union([Type.Literal('exact'), Type.Literal('hnsw'), Type.Null()]),
  degraded: Type.Union([
    Type.Literal('embeddings_pending'),
    Type.Literal('embedding_provider_unavailable'),
    Type.Null(),
  ]),
});
export type SearchResponse = Static<typeof SearchResponseSchema>;

export const EvidenceSearchQuerySchema = Type.Object(
  {
    q: RequiredText({ maxLength: 2000 }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
);
export type EvidenceSearchQuery = Static<typeof EvidenceSearchQuerySchema>;

export const EvidenceSearchResponseSchema = Ok({
  items: Type.Array(
    Type.Intersect([
      SearchEvidenceRefSchema,
      Type.Object({
        rank: Type.Number({
          description:
            'Best first: the share of the query’s words the item holds, plus 1 if it matches the ' +
            'whole query as written, plus its ts_rank.',
        }),
      }),
    ]),
  ),
});
export type EvidenceSearchResponse = Static<typeof EvidenceSearchResponseSchema>;
