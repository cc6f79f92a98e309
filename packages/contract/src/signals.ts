import { Type, type Static } from 'typebox';
import { CursorSchema, NullableTimestamp, Ok, TimestampSchema, UuidSchema } from './common.js';
import { OutboundMessageSchema } from './outbound.js';

// Request and response schemas of the signals module (issue 19, docs/signals.md).

export const SIGNAL_KINDS = [
  'awaiting_reply',
  'commitment',
  'client_deadline',
  'payment',
  'risk',
  'stalled',
] as const;
export const SignalKindSchema = Type.Union([
  Type.Literal('awaiting_reply'),
  Type.Literal('commitment'),
  Type.Literal('client_deadline'),
  Type.Literal('payment'),
  Type.Literal('risk'),
  Type.Literal('stalled'),
]);
export type SignalKind = (typeof SIGNAL_KINDS)[number];

export const SIGNAL_STATUSES = ['open', 'snoozed', 'resolved', 'dismissed'] as const;
export const SignalStatusSchema = Type.Union([
  Type.Literal('open'),
  Type.Literal('snoozed'),
  Type.Literal('resolved'),
  Type.Literal('dismissed'),
]);
export type SignalStatus = (typeof SIGNAL_STATUSES)[number];

export const SeveritySchema = Type.Union([
  Type.Literal('info'),
  Type.Literal('warning'),
  Type.Literal('critical'),
]);
export type Severity = Static<typeof SeveritySchema>;

/** A ref as stored: the cited text, and `meta.match` = [start, end) of the phrase that fired. */
export const SignalEvidenceRefSchema = Type.Object({
  source: Type.String(),
  ref: Type.String(),
  snippet: Type.Optional(Type.String()),
  meta: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const SignalSchema = Type.Object({
  id: UuidSchema,
  kind: SignalKindSchema,
  severity: SeveritySchema,
  status: SignalStatusSchema,
  title: Type.String(),
  detail: Type.String(),
  due_at: NullableTimestamp,
  snoozed_until: NullableTimestamp,
  subject: Type.Record(Type.String(), Type.String(), {
    description: 'conversation_id, contact_id, … whichever apply',
  }),
  evidence_refs: Type.Array(SignalEvidenceRefSchema, { minItems: 1 }),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  detector: Type.String(),
  detector_version: Type.String(),
  first_seen_at: TimestampSchema,
  last_seen_at: TimestampSchema,
  resolved_at: NullableTimestamp,
  resolution: Type.Union([Type.String(), Type.Null()], {
    description: '`auto: <why>` when the condition cleared, otherwise the person’s reason',
  }),
  resolved_by: Type.Union([UuidSchema, Type.Null()]),
  created_at: TimestampSchema,
});
export type Signal = Static<typeof SignalSchema>;

export const ListSignalsQuerySchema = Type.Object(
  {
    status: Type.Optional(SignalStatusSchema),
    kind: Type.Optional(SignalKindSchema),
    severity: Type.Optional(SeveritySchema),
    due_before: Type.Optional(TimestampSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(CursorSchema),
  },
  { additionalProperties: false },
);
export type ListSignalsQuery = Static<typeof ListSignalsQuerySchema>;

export const ListSignalsResponseSchema = Ok({
  signals: Type.Array(SignalSchema),
  next_cursor: Type.Union([CursorSchema, Type.Null()]),
});

/** One evidence ref with what it points at, read in the project (found: false if it is gone). */
export const ExpandedEvidenceSchema = Type.Object({
  source: Type.String(),
  ref: Type.String(),
  found: Type.Boolean(),
  quote: Type.Union([Type.String(), Type.Null()]),
  match: Type.Union([Type.Tuple([Type.Integer(), Type.Integer()]), Type.Null()]),
  author: Type.Union([Type.String(), Type.Null()]),
  direction: Type.Union([
    Type.Literal('inbound'),
    Type.Literal('outbound'),
    Type.Literal('note'),
    Type.Null(),
  ]),
  at: NullableTimestamp,
  conversation_id: Type.Union([Type.String(), Type.Null()]),
});
export type ExpandedEvidence = Static<typeof ExpandedEvidenceSchema>;

export const SignalDetailResponseSchema = Ok({
  signal: SignalSchema,
  evidence: Type.Array(ExpandedEvidenceSchema),
});

export const SignalResponseSchema = Ok({ signal: SignalSchema });

export const CloseSignalBodySchema = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
export type CloseSignalBody = Static<typeof CloseSignalBodySchema>;

export const SnoozeSignalBodySchema = Type.Object(
  { until: TimestampSchema, reason: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
export type SnoozeSignalBody = Static<typeof SnoozeSignalBodySchema>;

export const DraftFollowUpBodySchema = Type.Object(
  {
    content: Type.String({ minLength: 1, maxLength: 150_000, pattern: '\\S' }),
    idempotency_key: Type.String({ minLength: 1, maxLength: 255 }),
  },
  { additionalProperties: false },
);
export type DraftFollowUpBody = Static<typeof DraftFollowUpBodySchema>;

export const DraftFollowUpResponseSchema = Ok({ message: OutboundMessageSchema });
