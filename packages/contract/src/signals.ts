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
  deep_link: Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description: "a Linear or Attio ref's place in that tool (as in ResolvedEvidence)",
    }),
  ),
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

// ---------------------------------------------------------------------------------------------
// Project signal settings (`projects.signal_settings`; the detectors' SignalSettings)
// ---------------------------------------------------------------------------------------------

const HHMM = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
const HHMM_OR_MIDNIGHT = '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';

export const BusinessHoursSchema = Type.Object(
  {
    days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
      minItems: 1,
      maxItems: 7,
      uniqueItems: true,
      description: 'ISO weekdays: 1 = Monday … 7 = Sunday',
    }),
    start: Type.String({ pattern: HHMM, description: '`HH:MM`, local' }),
    end: Type.String({
      pattern: HHMM_OR_MIDNIGHT,
      description: '`HH:MM`, local, after start (`24:00` = midnight)',
    }),
  },
  { additionalProperties: false },
);

export const SignalSettingsSchema = Type.Object({
  time_zone: Type.String({
    minLength: 1,
    maxLength: 64,
    description: 'IANA zone, e.g. Europe/Moscow',
  }),
  business_hours: BusinessHoursSchema,
  holidays: Type.Array(Type.String({ format: 'date' }), {
    maxItems: 366,
    description: '`YYYY-MM-DD` days off',
  }),
  response_target_minutes: Type.Integer({
    minimum: 1,
    maximum: 43_200,
    description: 'working minutes a client message may wait before `awaiting_reply` fires',
  }),
  stalled_days: Type.Integer({ minimum: 1, maximum: 365 }),
  deal_stalled_days: Type.Integer({ minimum: 1, maximum: 3650 }),
});
export type SignalSettingsDto = Static<typeof SignalSettingsSchema>;

/** Any subset; `business_hours` may itself be partial. What is left out keeps its value. */
export const PatchSignalSettingsBodySchema = Type.Object(
  {
    time_zone: Type.Optional(SignalSettingsSchema.properties.time_zone),
    business_hours: Type.Optional(
      Type.Partial(BusinessHoursSchema, { additionalProperties: false }),
    ),
    holidays: Type.Optional(SignalSettingsSchema.properties.holidays),
    response_target_minutes: Type.Optional(SignalSettingsSchema.properties.response_target_minutes),
    stalled_days: Type.Optional(SignalSettingsSchema.properties.stalled_days),
    deal_stalled_days: Type.Optional(SignalSettingsSchema.properties.deal_stalled_days),
  },
  { additionalProperties: false },
);
export type PatchSignalSettingsBody = Static<typeof PatchSignalSettingsBodySchema>;

export const SignalSettingsResponseSchema = Ok({
  settings: SignalSettingsSchema,
  defaults: SignalSettingsSchema,
});

// ---------------------------------------------------------------------------------------------
// Portfolio: every project the caller can see, at a glance
// ---------------------------------------------------------------------------------------------

/** One signal as the portfolio cites it: enough to show it and open its evidence. */
export const PortfolioSignalSchema = Type.Object({
  id: UuidSchema,
  title: Type.String(),
  severity: SeveritySchema,
  due_at: NullableTimestamp,
  first_seen_at: TimestampSchema,
  evidence_ref: SignalEvidenceRefSchema,
  conversation_id: Type.Union([Type.String(), Type.Null()]),
  link: Type.Union([Type.String(), Type.Null()], {
    description: 'the web app path of the cited message (after selecting the project)',
  }),
});
export type PortfolioSignal = Static<typeof PortfolioSignalSchema>;

const countsOf = <K extends readonly string[]>(keys: K) =>
  Type.Object(
    Object.fromEntries(keys.map((k) => [k, Type.Integer({ minimum: 0 })])) as Record<
      K[number],
      ReturnType<typeof Type.Integer>
    >,
  );

export const PortfolioProjectSchema = Type.Object({
  project_id: UuidSchema,
  name: Type.String(),
  role: Type.Union([Type.Literal('manager'), Type.Literal('contributor'), Type.Literal('viewer')]),
  open_total: Type.Integer({ minimum: 0 }),
  by_kind: countsOf(SIGNAL_KINDS),
  by_severity: countsOf(['info', 'warning', 'critical'] as const),
  oldest_waiting_reply: Type.Union([PortfolioSignalSchema, Type.Null()], {
    description: 'the open `awaiting_reply` signal waiting longest',
  }),
  overdue_commitments: Type.Object({
    total: Type.Integer({ minimum: 0 }),
    items: Type.Array(PortfolioSignalSchema, { description: 'the most overdue first, at most 5' }),
  }),
});
export type PortfolioProject = Static<typeof PortfolioProjectSchema>;

export const PortfolioResponseSchema = Ok({
  projects: Type.Array(PortfolioProjectSchema),
  generated_at: TimestampSchema,
});
export type PortfolioResponse = Static<typeof PortfolioResponseSchema>;
