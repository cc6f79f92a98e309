import { Type, type Static } from 'typebox';
import { NullableTimestamp, Ok, TimestampSchema, UuidSchema, RequiredText } from './common.js';

export const OUTBOUND_STATUSES = [
  'draft',
  'approved',
  'sent',
  'failed',
  'blocked_opt_out',
  'cancelled',
] as const;
export const OutboundStatusSchema = Type.Union([
  Type.Literal('draft'),
  Type.Literal('approved'),
  Type.Literal('sent'),
  Type.Literal('failed'),
  Type.Literal('blocked_opt_out'),
  Type.Literal('cancelled'),
]);
export type OutboundStatus = (typeof OUTBOUND_STATUSES)[number];

export const ChannelSchema = Type.Union([Type.Literal('chatwoot'), Type.Literal('email')]);
export type Channel = Static<typeof ChannelSchema>;

/**
 * A pointer to what a message or an audited action rests on; refs to rows must resolve in the
 * project. A Linear or Attio ref names the row's id as the source gives it, or the stable id a
 * search hit carries as `message_global_id` (`lin:`, `lincmt:`, `atn:`, `att:` + project + id).
 */
export const EvidenceRefSchema = Type.Object(
  {
    source: Type.Union([
      Type.Literal('cw_messages'),
      Type.Literal('cw_conversations'),
      Type.Literal('rag_chunks'),
      Type.Literal('lin_issues'),
      Type.Literal('lin_comments'),
      Type.Literal('att_notes'),
      Type.Literal('att_tasks'),
      Type.Literal('external'),
    ]),
    ref: Type.String({ minLength: 1, maxLength: 500 }),
    snippet: Type.Optional(Type.String({ maxLength: 2000 })),
    meta: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
export type EvidenceRefInput = Static<typeof EvidenceRefSchema>;

export const OutboundPayloadSchema = Type.Object(
  {
    content: RequiredText({ maxLength: 150_000 }),
    subject: Type.Optional(RequiredText({ maxLength: 300 })),
  },
  { additionalProperties: false },
);

export const CreateDraftBodySchema = Type.Object(
  {
    channel: ChannelSchema,
    recipient_ref: Type.String({
      minLength: 1,
      maxLength: 300,
      description: 'chatwoot: the conversation_global_id to reply into; email: a contact_global_id',
    }),
    payload: OutboundPayloadSchema,
    idempotency_key: Type.String({ minLength: 1, maxLength: 255 }),
    dedupe_key: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    max_retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
    evidence_refs: Type.Optional(Type.Array(EvidenceRefSchema, { maxItems: 50 })),
  },
  { additionalProperties: false },
);
export type CreateDraftBody = Static<typeof CreateDraftBodySchema>;

export const EditDraftBodySchema = Type.Object(
  {
    payload: Type.Optional(OutboundPayloadSchema),
    evidence_refs: Type.Optional(Type.Array(EvidenceRefSchema, { maxItems: 50 })),
    max_retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type EditDraftBody = Static<typeof EditDraftBodySchema>;

export const OutboundMessageSchema = Type.Object({
  id: UuidSchema,
  channel: ChannelSchema,
  recipient_ref: Type.String(),
  contact_global_id: Type.Union([Type.String(), Type.Null()]),
  conversation_global_id: Type.Union([Type.String(), Type.Null()]),
  payload: Type.Object({ content: Type.String(), subject: Type.Optional(Type.String()) }),
  status: OutboundStatusSchema,
  block_reason: Type.Union([Type.String(), Type.Null()]),
  idempotency_key: Type.String(),
  dedupe_key: Type.Union([Type.String(), Type.Null()]),
  max_retries: Type.Integer(),
  retry_count: Type.Integer(),
  next_attempt_at: NullableTimestamp,
  last_error: Type.Union([Type.String(), Type.Null()]),
  evidence_refs: Type.Array(EvidenceRefSchema),
  created_by: Type.Union([UuidSchema, Type.Null()]),
  approved_by: Type.Union([UuidSchema, Type.Null()]),
  approved_at: NullableTimestamp,
  sent_at: NullableTimestamp,
  cancelled_at: NullableTimestamp,
  provider_message_id: Type.Union([Type.String(), Type.Null()]),
  created_at: TimestampSchema,
  updated_at: TimestampSchema,
});
export type OutboundMessage = Static<typeof OutboundMessageSchema>;

export const OutboundAttemptSchema = Type.Object({
  id: UuidSchema,
  attempt_no: Type.Integer(),
  status: Type.Union([Type.Literal('reserved'), Type.Literal('succeeded'), Type.Literal('failed')]),
  provider_handle: Type.Union([Type.String(), Type.Null()]),
  request_summary: Type.Record(Type.String(), Type.Unknown()),
  provider_response: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  duration_ms: Type.Union([Type.Integer(), Type.Null()]),
  created_at: TimestampSchema,
  updated_at: TimestampSchema,
});

export const OutboundAuditEntrySchema = Type.Object({
  id: Type.Integer(),
  action: Type.String(),
  status: Type.String(),
  actor: Type.String(),
  payload: Type.Record(Type.String(), Type.Unknown()),
  created_at: TimestampSchema,
});

export const OutboundListQuerySchema = Type.Object(
  {
    status: Type.Optional(OutboundStatusSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const OutboundListResponseSchema = Ok({
  items: Type.Array(OutboundMessageSchema),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
});
export const OutboundResponseSchema = Ok({ message: OutboundMessageSchema });
/** An evidence ref read in the project for display: what it says, who, when, and where it lives. */
export const ResolvedEvidenceSchema = Type.Object({
  source: Type.String(),
  ref: Type.String(),
  found: Type.Boolean({ description: 'false when the row is gone (deleted since it was cited)' }),
  text: Type.Union([Type.String(), Type.Null()], {
    description: 'the cited text as stored; written by a client or a teammate, plain text',
  }),
  author: Type.Union([Type.String(), Type.Null()], {
    description:
      "the message's sender, the comment's or the Attio note's or task's author, the Linear issue's assignee",
  }),
  at: NullableTimestamp,
  deep_link: Type.Union([Type.String(), Type.Null()], {
    description:
      "Linear: the issue's or comment's url; Attio: a note's parent record's web_url, a task's " +
      "first linked record's web_url; an external http(s) ref itself; null for Chatwoot rows (the " +
      'conversation page in Cairn, by conversation_id)',
  }),
  conversation_id: Type.Union([Type.String(), Type.Null()]),
});
export type ResolvedEvidence = Static<typeof ResolvedEvidenceSchema>;

export const OutboundDetailResponseSchema = Ok({
  message: OutboundMessageSchema,
  evidence: Type.Array(ResolvedEvidenceSchema, {
    description: 'evidence_refs, read now, in order',
  }),
  attempts: Type.Array(OutboundAttemptSchema),
  audit: Type.Array(OutboundAuditEntrySchema),
});

export const SendResultSchema = Type.Union([
  Type.Literal('sent'),
  Type.Literal('already_sent'),
  Type.Literal('failed'),
  Type.Literal('blocked'),
  Type.Literal('deferred'),
]);
export const SendResponseSchema = Ok({ result: SendResultSchema, message: OutboundMessageSchema });

export const ProcessResponseSchema = Ok({
  processed: Type.Integer(),
  sent: Type.Integer(),
  failed: Type.Integer(),
  blocked: Type.Integer(),
  deferred: Type.Integer(),
});

export const PolicySchema = Type.Object({
  contact_global_id: Type.String(),
  channel: ChannelSchema,
  opted_out: Type.Boolean(),
  opted_out_at: NullableTimestamp,
  stop_on_reply: Type.Boolean(),
  max_per_window: Type.Union([Type.Integer(), Type.Null()]),
  window_hours: Type.Union([Type.Integer(), Type.Null()]),
  updated_at: TimestampSchema,
});
export type Policy = Static<typeof PolicySchema>;

export const SetPolicyBodySchema = Type.Object(
  {
    contact_global_id: Type.String({ minLength: 1, maxLength: 300 }),
    channel: ChannelSchema,
    opted_out: Type.Optional(Type.Boolean()),
    stop_on_reply: Type.Optional(Type.Boolean()),
    max_per_window: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: 10_000 }), Type.Null()]),
    ),
    window_hours: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: 24 * 366 }), Type.Null()]),
    ),
  },
  { additionalProperties: false },
);
export type SetPolicyBody = Static<typeof SetPolicyBodySchema>;

export const PolicyResponseSchema = Ok({ policy: PolicySchema });
export const PolicyListQuerySchema = Type.Object(
  {
    contact_global_id: Type.Optional(Type.String({ maxLength: 300 })),
    channel: Type.Optional(ChannelSchema),
  },
  { additionalProperties: false },
);
export const PolicyListResponseSchema = Ok({ policies: Type.Array(PolicySchema) });

/** One line of the preflight: what a policy decides for this message right now, and why. */
export const PreflightCheckSchema = Type.Object({
  check: Type.Union([
    Type.Literal('approval'),
    Type.Literal('opt_out'),
    Type.Literal('stop_on_reply'),
    Type.Literal('frequency_cap'),
    Type.Literal('recipient'),
  ]),
  outcome: Type.Union([Type.Literal('pass'), Type.Literal('block'), Type.Literal('defer')]),
  reason: Type.String(),
  evidence: Type.Array(EvidenceRefSchema),
  details: Type.Record(Type.String(), Type.Unknown()),
});
export type PreflightCheck = Static<typeof PreflightCheckSchema>;

export const PreflightResponseSchema = Ok({
  message_id: UuidSchema,
  would_send: Type.Boolean(),
  checks: Type.Array(PreflightCheckSchema),
});
