import { Type, type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { TLocalizedValidationError } from 'typebox/error';
import { scrubJson } from '../../../lib/text.js';
import { isChatwootTime } from './time.js';

/**
 * The shapes Chatwoot sends (docs/chatwoot.md §2–§8), as one set of schemas for both ways its data
 * arrives: the API client's responses and the webhook receiver's bodies. A signed webhook is
 * still input, and a REST page is still an upstream's word: both are checked against the same
 * fields before anything is written.
 *
 * Only the fields ingestion reads are described, and every one but `id` is optional: a webhook
 * may carry a part of an object (normalize.ts then writes only what it carries). What a field
 * does carry must be of its type: an unknown conversation status, a message type outside the
 * four Chatwoot has, or a time that is not a time is refused, never stored. Other keys pass
 * through untouched into the raw `data` column.
 */

const Id = Type.Integer({ minimum: 1 });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Json = Type.Record(Type.String(), Type.Unknown());

/** Unix seconds (integer or float), their string form, ISO-8601, or empty (docs/chatwoot.md §2). */
const ChatwootTime = Type.Refine(
  Type.Unknown(),
  isChatwootTime,
  () => 'must be a time (Unix seconds or ISO-8601)',
);

export const CONVERSATION_STATUSES = ['open', 'resolved', 'pending', 'snoozed'] as const;
/** REST and push events send the integer, webhooks the name (docs/chatwoot.md §2). */
export const MESSAGE_TYPES = { incoming: 0, outgoing: 1, activity: 2, template: 3 } as const;

export const ChatwootContactSchema = Type.Object({
  id: Id,
  name: Type.Optional(Nullable(Type.String())),
  email: Type.Optional(Nullable(Type.String())),
  phone_number: Type.Optional(Nullable(Type.String())),
  identifier: Type.Optional(Nullable(Type.String())),
  custom_attributes: Type.Optional(Nullable(Json)),
  created_at: Type.Optional(ChatwootTime),
});

export const ChatwootMessageSchema = Type.Object({
  id: Id,
  content: Type.Optional(Nullable(Type.String())),
  conversation_id: Type.Optional(Id),
  message_type: Type.Optional(
    Type.Union([
      Type.Enum(Object.values(MESSAGE_TYPES)),
      Type.Enum(Object.keys(MESSAGE_TYPES) as (keyof typeof MESSAGE_TYPES)[]),
    ]),
  ),
  content_type: Type.Optional(Nullable(Type.String())),
  content_attributes: Type.Optional(Nullable(Json)),
  created_at: Type.Optional(ChatwootTime),
  updated_at: Type.Optional(ChatwootTime),
  private: Type.Optional(Type.Boolean()),
  sender_type: Type.Optional(Nullable(Type.String())),
  sender_id: Type.Optional(Nullable(Type.Integer())),
  sender: Type.Optional(
    Nullable(
      Type.Object({ id: Type.Optional(Type.Integer()), type: Type.Optional(Type.String()) }),
    ),
  ),
});

export const ChatwootConversationSchema = Type.Object({
  id: Id,
  inbox_id: Type.Optional(Nullable(Type.Integer())),
  status: Type.Optional(Type.Enum([...CONVERSATION_STATUSES])),
  meta: Type.Optional(
    Type.Object({
      sender: Type.Optional(ChatwootContactSchema),
      assignee: Type.Optional(Nullable(Type.Object({ id: Type.Optional(Type.Integer()) }))),
    }),
  ),
  messages: Type.Optional(Type.Array(ChatwootMessageSchema)),
  created_at: Type.Optional(ChatwootTime),
  updated_at: Type.Optional(ChatwootTime),
  last_activity_at: Type.Optional(ChatwootTime),
  timestamp: Type.Optional(ChatwootTime),
});

type Open<T> = T & Record<string, unknown>;
export type ChatwootContact = Open<Static<typeof ChatwootContactSchema>>;
export type ChatwootMessage = Open<Static<typeof ChatwootMessageSchema>>;
export type ChatwootConversation = Open<Static<typeof ChatwootConversationSchema>>;

const Meta = Type.Optional(Json);

export const ConversationPageSchema = Type.Object({
  data: Type.Object({ meta: Meta, payload: Type.Array(ChatwootConversationSchema) }),
});
export const MessagePageSchema = Type.Object({
  meta: Meta,
  payload: Type.Array(ChatwootMessageSchema),
});
export const ContactPageSchema = Type.Object({
  meta: Type.Optional(
    Type.Object({
      count: Type.Optional(Type.Integer()),
      current_page: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
    }),
  ),
  payload: Type.Array(ChatwootContactSchema),
});
export const ProfileSchema = Type.Object({
  id: Id,
  accounts: Type.Optional(
    Type.Array(
      Type.Object({
        id: Id,
        name: Type.Optional(Nullable(Type.String())),
        role: Type.Optional(Nullable(Type.String())),
      }),
    ),
  ),
});

/** A webhook body: the object, its `event`, and for message events the conversation it is in. */
export const ContactEventSchema = ChatwootContactSchema;
export const ConversationEventSchema = ChatwootConversationSchema;
export const MessageEventSchema = Type.Intersect([
  ChatwootMessageSchema,
  Type.Object({ conversation: ChatwootConversationSchema }),
]);

export interface PayloadProblem {
  /** Dotted path of the first offending field, e.g. `status` or `meta.sender.id`. */
  field: string;
  message: string;
}

/** A checker for one schema: the scrubbed value, or the first problem in words. */
export function payloadReader<T extends TSchema>(schema: T) {
  const validator = Compile(schema);
  return (
    raw: unknown,
  ): { ok: true; value: Open<Static<T>> } | { ok: false; problem: PayloadProblem } => {
    // Ingested text is kept, never refused for a NUL (lib/text.ts): one odd message must not
    // stop a sync. Scrubbed before the check so the stored `data` is what was checked.
    const value = scrubJson(raw);
    if (validator.Check(value)) return { ok: true, value: value as Open<Static<T>> };
    return { ok: false, problem: describeProblem(validator.Errors(value)) };
  };
}

/** The deepest error names the field itself, not the union or object that holds it. */
function describeProblem(errors: TLocalizedValidationError[]): PayloadProblem {
  const depth = (path: string) => path.split('/').length;
  const path = errors.reduce(
    (deepest, e) => (depth(e.instancePath) > depth(deepest) ? e.instancePath : deepest),
    errors[0]?.instancePath ?? '',
  );
  const here = errors.filter((e) => e.instancePath === path);
  const missing = here.flatMap((e) =>
    e.keyword === 'required' ? e.params.requiredProperties : [],
  );
  if (missing.length > 0)
    return {
      field: [...path.split('/').filter(Boolean), missing[0]].join('.'),
      message: 'is required',
    };
  // An enum (or a union of them, as message_type's integer and name) lists what it accepts.
  const allowed = here.flatMap((e) => (e.keyword === 'enum' ? e.params.allowedValues : []));
  return {
    field: path.replace(/^\//, '').replaceAll('/', '.') || 'body',
    message: allowed.length
      ? `must be one of ${allowed.map(String).join(', ')}`
      : (here.find((e) => e.keyword !== 'anyOf')?.message ?? here[0]?.message ?? 'is invalid'),
  };
}

export const readConversationPage = payloadReader(ConversationPageSchema);
export const readMessagePage = payloadReader(MessagePageSchema);
export const readContactPage = payloadReader(ContactPageSchema);
export const readProfile = payloadReader(ProfileSchema);
export const readContactEvent = payloadReader(ContactEventSchema);
export const readConversationEvent = payloadReader(ConversationEventSchema);
export const readMessageEvent = payloadReader(MessageEventSchema);
