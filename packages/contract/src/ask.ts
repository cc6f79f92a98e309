// Request, response and stream-event schemas of Ask (answers composed from the project's evidence,
// every sentence checked against what it cites). Shared by the server, the web and any client
// (MCP, CLI): the stream events below are the whole protocol of `POST /ask`.
import { Type, type Static } from 'typebox';
import { NullableTimestamp, Ok, TimestampSchema, UuidSchema } from './common.js';
import { SearchEvidenceRefSchema } from './rag.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);

export const ASK_SOURCES = ['chatwoot', 'linear', 'attio'] as const;
export const AskSourceSchema = Type.Union(
  [Type.Literal('chatwoot'), Type.Literal('linear'), Type.Literal('attio')],
  { description: 'only evidence from this source kind; today every chunk comes from Chatwoot' },
);
export type AskSource = Static<typeof AskSourceSchema>;

export const AskBodySchema = Type.Object(
  {
    question: Type.String({ minLength: 1, maxLength: 2000 }),
    source: Type.Optional(AskSourceSchema),
    since: Type.Optional(TimestampSchema),
    until: Type.Optional(TimestampSchema),
  },
  { additionalProperties: false },
);
export type AskBody = Static<typeof AskBodySchema>;

export const AskModeSchema = Type.Union([Type.Literal('model'), Type.Literal('extractive')], {
  description:
    '`model`: written by the configured language model; `extractive`: sentences quoted from the ' +
    'evidence (no model configured)',
});
export type AskMode = Static<typeof AskModeSchema>;

/** A line shown above the answer; `code` is what a client localizes, `text` is English. */
export const AskHeadingSchema = Type.Object({
  code: Type.Union([Type.Literal('extractive'), Type.Literal('no_evidence')]),
  text: Type.String(),
  evidence_count: Type.Integer({ minimum: 0 }),
});
export type AskHeading = Static<typeof AskHeadingSchema>;

/** One numbered item of evidence given to the answer; `[n]` in the answer points here. */
export const AskEvidenceSchema = Type.Object({
  n: Type.Integer({ minimum: 1 }),
  chunk_id: UuidSchema,
  message_global_id: Type.String(),
  conversation_global_id: Type.String(),
  contact_name: NullableString,
  sender_type: NullableString,
  message_created_at: NullableTimestamp,
  quote: Type.String({ description: 'the chunk text as it was given to the answer; plain text' }),
  deep_link: NullableString,
  evidence: SearchEvidenceRefSchema,
});
export type AskEvidence = Static<typeof AskEvidenceSchema>;

/** A citation of given evidence, with how well that item supports its sentence. */
export const AskCitationSchema = Type.Object({
  n: Type.Integer({ minimum: 1 }),
  chunk_id: UuidSchema,
  score: Type.Number({ description: 'support of the sentence by this item alone, 0..1' }),
  supports: Type.Boolean({ description: 'score at or above ASK_SUPPORT_THRESHOLD' }),
});
export type AskCitation = Static<typeof AskCitationSchema>;

/** A citation of something that was not given (a made-up `[n]` or id): removed, never shown. */
export const AskRemovedCitationSchema = Type.Object({
  marker: Type.String({ description: 'as written in the answer, e.g. "[9]"' }),
  reason: Type.Literal('not_in_evidence'),
});
export type AskRemovedCitation = Static<typeof AskRemovedCitationSchema>;

export const AskUnsupportedReasonSchema = Type.Union([
  Type.Literal('no_citation'),
  Type.Literal('weak_support'),
  Type.Literal('unmatched_facts'),
]);
export type AskUnsupportedReason = Static<typeof AskUnsupportedReasonSchema>;

export const AskSentenceSchema = Type.Object({
  index: Type.Integer({ minimum: 0 }),
  start: Type.Integer({
    minimum: 0,
    description: 'offset of the sentence in `answer` (UTF-16 code units, as JavaScript counts)',
  }),
  end: Type.Integer({ minimum: 0 }),
  text: Type.String({ description: 'the sentence without its citation markers' }),
  supported: Type.Boolean(),
  score: Type.Number({ description: 'best support among the cited items, 0..1' }),
  reason: Type.Union([AskUnsupportedReasonSchema, Type.Null()], {
    description: 'why the sentence is unsupported; null when supported',
  }),
  unmatched: Type.Array(Type.String(), {
    description: 'numbers, dates and names in the sentence found in no cited item',
  }),
  citations: Type.Array(AskCitationSchema, { description: 'kept: citations of given evidence' }),
  removed: Type.Array(AskRemovedCitationSchema),
});
export type AskSentence = Static<typeof AskSentenceSchema>;

export const AskUsageSchema = Type.Object({
  prompt_tokens: Type.Integer({ minimum: 0 }),
  completion_tokens: Type.Integer({ minimum: 0 }),
  total_tokens: Type.Integer({ minimum: 0 }),
});
export type AskUsage = Static<typeof AskUsageSchema>;

export const AskTotalsSchema = Type.Object({
  sentences: Type.Integer({ minimum: 0 }),
  supported: Type.Integer({ minimum: 0 }),
  unsupported: Type.Integer({ minimum: 0 }),
  citations: Type.Integer({ minimum: 0, description: 'kept citations' }),
  removed_citations: Type.Integer({ minimum: 0 }),
  support_rate: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
    description: 'supported / sentences; null for an answer with no sentence',
  }),
  evidence_count: Type.Integer({ minimum: 0 }),
  usage: AskUsageSchema,
  duration_ms: Type.Integer({ minimum: 0 }),
});
export type AskTotals = Static<typeof AskTotalsSchema>;

export const AskFeedbackSchema = Type.Object({
  helpful: Type.Boolean(),
  note: NullableString,
  updated_at: TimestampSchema,
});
export type AskFeedback = Static<typeof AskFeedbackSchema>;

export const AskAnswerSchema = Type.Object({
  id: UuidSchema,
  question: Type.String(),
  filters: Type.Object({
    source: Type.Optional(AskSourceSchema),
    since: Type.Optional(TimestampSchema),
    until: Type.Optional(TimestampSchema),
  }),
  mode: AskModeSchema,
  model: Type.Union([Type.String(), Type.Null()], { description: 'ASK_MODEL, for `model` mode' }),
  heading: Type.Union([AskHeadingSchema, Type.Null()]),
  answer: Type.String({ description: 'the answer as written, citation markers included' }),
  sentences: Type.Array(AskSentenceSchema),
  evidence: Type.Array(AskEvidenceSchema),
  totals: AskTotalsSchema,
  feedback: Type.Union([AskFeedbackSchema, Type.Null()], { description: 'the caller’s own' }),
  created_at: TimestampSchema,
});
export type AskAnswer = Static<typeof AskAnswerSchema>;

export const AskResponseSchema = Ok({ answer: AskAnswerSchema });
export type AskResponse = Static<typeof AskResponseSchema>;

export const AskFeedbackBodySchema = Type.Object(
  {
    helpful: Type.Boolean(),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type AskFeedbackBody = Static<typeof AskFeedbackBodySchema>;

export const AskFeedbackResponseSchema = Ok({ feedback: AskFeedbackSchema });
export type AskFeedbackResponse = Static<typeof AskFeedbackResponseSchema>;

export const AskRecentQuerySchema = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })) },
  { additionalProperties: false },
);
export type AskRecentQuery = Static<typeof AskRecentQuerySchema>;

export const AskRecentItemSchema = Type.Object({
  id: UuidSchema,
  question: Type.String(),
  mode: AskModeSchema,
  support_rate: Type.Union([Type.Number(), Type.Null()]),
  created_at: TimestampSchema,
});
export type AskRecentItem = Static<typeof AskRecentItemSchema>;

export const AskRecentResponseSchema = Ok({ items: Type.Array(AskRecentItemSchema) });
export type AskRecentResponse = Static<typeof AskRecentResponseSchema>;

// ---------------------------------------------------------------------------------------------
// The stream of `POST /ask` (text/event-stream). Events arrive in this order: `answer.started`
// once; then `answer.delta` as text is written, and for each sentence as soon as it is complete,
// its `citation` events followed by its `sentence.verdict`; then `done` once, or `error` once
// (after which nothing follows). Each `data:` line is one JSON object of the schema below.

export const AskStartedEventSchema = Type.Object({
  answer_id: UuidSchema,
  mode: AskModeSchema,
  model: Type.Union([Type.String(), Type.Null()]),
  heading: Type.Union([AskHeadingSchema, Type.Null()]),
  evidence: Type.Array(AskEvidenceSchema),
});
export type AskStartedEvent = Static<typeof AskStartedEventSchema>;

export const AskDeltaEventSchema = Type.Object({
  text: Type.String({
    description: 'the next piece of `answer`; concatenated, they are all of it',
  }),
});
export type AskDeltaEvent = Static<typeof AskDeltaEventSchema>;

export const AskCitationEventSchema = Type.Object({
  sentence: Type.Integer({ minimum: 0 }),
  marker: Type.String(),
  status: Type.Union([Type.Literal('kept'), Type.Literal('removed')]),
  n: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  chunk_id: Type.Union([UuidSchema, Type.Null()]),
  score: Type.Union([Type.Number(), Type.Null()]),
  supports: Type.Boolean(),
});
export type AskCitationEvent = Static<typeof AskCitationEventSchema>;

export const AskVerdictEventSchema = AskSentenceSchema;
export type AskVerdictEvent = AskSentence;

export const AskDoneEventSchema = Type.Intersect([
  Type.Object({ answer_id: UuidSchema, mode: AskModeSchema }),
  AskTotalsSchema,
]);
export type AskDoneEvent = Static<typeof AskDoneEventSchema>;

export const AskErrorCodeSchema = Type.Union([
  Type.Literal('provider_rate_limited'),
  Type.Literal('provider_timeout'),
  Type.Literal('provider_error'),
  Type.Literal('token_budget_exhausted'),
  Type.Literal('internal_error'),
]);
export type AskErrorCode = Static<typeof AskErrorCodeSchema>;

export const AskErrorEventSchema = Type.Object({
  code: AskErrorCodeSchema,
  message: Type.String(),
  retry_after_seconds: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  request_id: Type.String(),
});
export type AskErrorEvent = Static<typeof AskErrorEventSchema>;

/** Every event of the stream by its `event:` name. */
export const ASK_EVENT_SCHEMAS = {
  'answer.started': AskStartedEventSchema,
  'answer.delta': AskDeltaEventSchema,
  citation: AskCitationEventSchema,
  'sentence.verdict': AskVerdictEventSchema,
  done: AskDoneEventSchema,
  error: AskErrorEventSchema,
} as const;
export type AskEventName = keyof typeof ASK_EVENT_SCHEMAS;
export type AskEvent =
  | { event: 'answer.started'; data: AskStartedEvent }
  | { event: 'answer.delta'; data: AskDeltaEvent }
  | { event: 'citation'; data: AskCitationEvent }
  | { event: 'sentence.verdict'; data: AskVerdictEvent }
  | { event: 'done'; data: AskDoneEvent }
  | { event: 'error'; data: AskErrorEvent };
