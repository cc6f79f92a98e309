// Request and response schemas of the chatwoot module.
import { Type, type Static } from 'typebox';
import { CursorSchema, NullableTimestamp, Ok, UuidSchema } from './common.js';

const GlobalId = Type.String({ minLength: 1, maxLength: 300 });
const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableInteger = Type.Union([Type.Integer(), Type.Null()]);
const Limit = (fallback: number) => Type.Integer({ minimum: 1, maximum: 500, default: fallback });
const NextCursor = Type.Union([Type.String(), Type.Null()], {
  description: 'pass as `cursor` for the next page; null on the last page',
});

// ---- GET /contacts ------------------------------------------------------------------------------

export const ContactsQuerySchema = Type.Object(
  {
    limit: Type.Optional(Limit(50)),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'substring of name, email, phone or identifier',
      }),
    ),
    cursor: Type.Optional(CursorSchema),
  },
  { additionalProperties: false },
);
export type ContactsQuery = Static<typeof ContactsQuerySchema>;

export const ContactSchema = Type.Object({
  id: Type.String({ description: 'cwc:<project_id>:<account_id>:<contact_id>' }),
  contact_id: Type.Integer(),
  name: NullableString,
  email: NullableString,
  phone: NullableString,
  identifier: NullableString,
  custom_attributes: Type.Record(Type.String(), Type.Unknown()),
  source_created_at: NullableTimestamp,
  updated_at: Type.String({ format: 'date-time' }),
});
export type Contact = Static<typeof ContactSchema>;

export const ContactListResponseSchema = Ok({
  contacts: Type.Array(ContactSchema),
  next_cursor: NextCursor,
});

// ---- GET /conversations -------------------------------------------------------------------------

export const ConversationStatusSchema = Type.Union([
  Type.Literal('open'),
  Type.Literal('resolved'),
  Type.Literal('pending'),
  Type.Literal('snoozed'),
]);

export const ConversationsQuerySchema = Type.Object(
  {
    limit: Type.Optional(Limit(50)),
    cursor: Type.Optional(CursorSchema),
    status: Type.Optional(ConversationStatusSchema),
    contact_global_id: Type.Optional(GlobalId),
  },
  { additionalProperties: false },
);
export type ConversationsQuery = Static<typeof ConversationsQuerySchema>;

export const ConversationSchema = Type.Object({
  id: Type.String({ description: 'cw:<project_id>:<account_id>:<conversation_id>' }),
  conversation_id: Type.Integer({ description: "Chatwoot's display id" }),
  inbox_id: NullableInteger,
  status: NullableString,
  assignee_id: NullableInteger,
  contact_global_id: NullableString,
  contact_name: NullableString,
  message_count: Type.Integer(),
  last_activity_at: NullableTimestamp,
  source_created_at: NullableTimestamp,
  deep_link: NullableString,
  last_message: Type.Union(
    [
      Type.Object({
        preview: Type.String({ description: 'the start of its text (at most 200 characters)' }),
        sender_type: NullableString,
        created_at: NullableTimestamp,
      }),
      Type.Null(),
    ],
    { description: 'the last public message (private notes and activity left out); null if none' },
  ),
  awaiting_reply: Type.Boolean({
    description: 'the last public message came from the client: the studio owes an answer',
  }),
});
export type Conversation = Static<typeof ConversationSchema>;

export const ConversationListResponseSchema = Ok({
  conversations: Type.Array(ConversationSchema, { description: 'newest activity first' }),
  next_cursor: NextCursor,
});

// ---- GET /conversations/:id ---------------------------------------------------------------------

export const ConversationParamsSchema = Type.Object(
  { id: GlobalId },
  { additionalProperties: false },
);
export const ConversationResponseSchema = Ok({ conversation: ConversationSchema });

// ---- GET /messages ------------------------------------------------------------------------------

export const MessagesQuerySchema = Type.Object(
  {
    limit: Type.Optional(Limit(100)),
    cursor: Type.Optional(CursorSchema),
    conversation_global_id: Type.Optional(GlobalId),
  },
  { additionalProperties: false },
);
export type MessagesQuery = Static<typeof MessagesQuerySchema>;

export const MessageTypeNameSchema = Type.Union([
  Type.Literal('incoming'),
  Type.Literal('outgoing'),
  Type.Literal('activity'),
  Type.Literal('template'),
]);

export const MessageSchema = Type.Object({
  id: Type.String({ description: 'cwmsg:<project_id>:<account_id>:<message_id>' }),
  message_id: Type.Integer(),
  conversation_global_id: Type.String(),
  contact_global_id: NullableString,
  sender_type: NullableString,
  sender_id: NullableInteger,
  sender_name: NullableString,
  message_type: MessageTypeNameSchema,
  private: Type.Boolean(),
  deleted: Type.Boolean(),
  content_type: NullableString,
  content: NullableString,
  source_created_at: NullableTimestamp,
});
export type Message = Static<typeof MessageSchema>;

export const MessageListResponseSchema = Ok({
  messages: Type.Array(MessageSchema, {
    description: 'with conversation_global_id: thread order (oldest first); otherwise newest first',
  }),
  next_cursor: NextCursor,
});

// ---- GET /sources/:id/completeness, POST /sources/:id/test ---------------------------------------

export const CompletenessGapSchema = Type.Object({
  conversation_global_id: Type.String(),
  conversation_id: Type.Integer(),
  source_message_count: NullableInteger,
  stored_message_count: Type.Integer(),
  source_newest_message_id: NullableInteger,
  stored_newest_message_id: NullableInteger,
  missing_messages: NullableInteger,
  reason: Type.String(),
  last_error: NullableString,
  last_fetched_at: NullableTimestamp,
});
export type CompletenessGap = Static<typeof CompletenessGapSchema>;

export const CompletenessResponseSchema = Ok({
  source_id: UuidSchema,
  conversations_total: Type.Integer(),
  conversations_complete: Type.Integer(),
  /** complete conversations / all known conversations × 100, two decimals; 100 when none known. */
  percentage: Type.Number(),
  messages_reported: Type.Integer({
    description: 'messages the source listed at the last complete fetches',
  }),
  messages_stored: Type.Integer(),
  gaps: Type.Array(CompletenessGapSchema, { description: 'at most 500, most missing first' }),
  gaps_total: Type.Integer(),
  last_sync_at: NullableTimestamp,
});
export type Completeness = Static<typeof CompletenessResponseSchema>;

/** One entity kind of a Linear source: what Linear reported at the last sync against what is stored. */
export const LinearCompletenessKindSchema = Type.Object({
  kind: Type.String({ description: 'users, customers, projects, issues or comments' }),
  reported: NullableInteger,
  stored: Type.Integer({ description: 'archived entities count as stored' }),
  archived: Type.Integer({ description: 'of stored, how many Linear has archived (flagged)' }),
  percentage: Type.Union([Type.Number(), Type.Null()], {
    description: 'stored / reported × 100, two decimals, at most 100; null before the first sync',
  }),
});
export type LinearCompletenessKind = Static<typeof LinearCompletenessKindSchema>;

export const LinearCompletenessResponseSchema = Ok({
  source_id: UuidSchema,
  source_kind: Type.Literal('linear_workspace'),
  kinds: Type.Array(LinearCompletenessKindSchema),
  percentage: Type.Number({ description: 'all kinds together; 100 when nothing is reported' }),
  last_sync_at: NullableTimestamp,
});
export type LinearCompleteness = Static<typeof LinearCompletenessResponseSchema>;

/** One entity kind of an Attio source: what the last sync's listing held against what is stored. */
export const AttioCompletenessKindSchema = Type.Object({
  kind: Type.String({ description: 'members, companies, people, deals, notes or tasks' }),
  reported: NullableInteger,
  stored: Type.Integer(),
  percentage: Type.Union([Type.Number(), Type.Null()], {
    description: 'stored / reported × 100, two decimals, at most 100; null before the first sync',
  }),
});
export type AttioCompletenessKind = Static<typeof AttioCompletenessKindSchema>;

export const AttioCompletenessResponseSchema = Ok({
  source_id: UuidSchema,
  source_kind: Type.Literal('attio_workspace'),
  kinds: Type.Array(AttioCompletenessKindSchema),
  percentage: Type.Number({ description: 'all kinds together; 100 when nothing is reported' }),
  last_sync_at: NullableTimestamp,
});
export type AttioCompleteness = Static<typeof AttioCompletenessResponseSchema>;

/** `GET /sources/:id/completeness`: Chatwoot's per-conversation ledger, Linear's or Attio's per kind. */
export const SourceCompletenessResponseSchema = Type.Union([
  CompletenessResponseSchema,
  LinearCompletenessResponseSchema,
  AttioCompletenessResponseSchema,
]);

export const TestConnectionResponseSchema = Ok({
  reachable: Type.Literal(true),
  user_id: Type.Integer(),
  account_id: Type.Integer(),
  account_name: NullableString,
  role: NullableString,
  /** Ingestion needs an administrator: an agent sees only the inboxes they belong to. */
  warnings: Type.Array(Type.String()),
});

export const LinearTestConnectionResponseSchema = Ok({
  reachable: Type.Literal(true),
  source_kind: Type.Literal('linear_workspace'),
  organization_id: Type.String(),
  organization_name: Type.String(),
  viewer: Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() }),
  warnings: Type.Array(Type.String()),
});

export const AttioTestConnectionResponseSchema = Ok({
  reachable: Type.Literal(true),
  source_kind: Type.Literal('attio_workspace'),
  workspace_id: Type.String(),
  workspace_name: Type.String(),
  workspace_slug: Type.String(),
  /** The token's scopes as `GET /v2/self` lists them (space-separated there). */
  scopes: Type.Array(Type.String()),
  warnings: Type.Array(Type.String()),
});

export const SourceTestResponseSchema = Type.Union([
  TestConnectionResponseSchema,
  LinearTestConnectionResponseSchema,
  AttioTestConnectionResponseSchema,
]);

export const WebhookParamsSchema = Type.Object({ source_id: Type.String({ maxLength: 64 }) });
export const WebhookQuerySchema = Type.Object({
  token: Type.Optional(Type.String({ maxLength: 200 })),
});
export const WebhookResponseSchema = Ok({
  event: NullableString,
  applied: Type.Boolean(),
  duplicate: Type.Boolean(),
});
