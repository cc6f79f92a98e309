import { z } from 'zod';

/**
 * Shapes of the Attio responses the connector reads, as openapi.yaml types them
 * (shared/reference/attio/openapi.yaml; tools/attio-sim/reference holds the same document).
 * Only the fields the connector uses are named; objects are loose so that a field Attio adds
 * later does not fail a sync. A page that does not parse is a malformed response, reported by
 * field. test/connectors/attio/contract.test.ts checks every schema here against the document:
 * each field read exists there with a compatible type, and what the document may omit or null
 * is optional or nullable here.
 */

const uuid = z.string();
/** Attio's timestamps carry nine fractional digits (`2023-01-01T15:00:00.123000000Z`). */
const timestamp = z.string();
const actor = z.looseObject({
  id: z.string().nullable().optional(),
  type: z.string().nullable().optional(),
});

/** `GET /v2/self`: an inactive token answers `{active: false}` and nothing else. */
export const attioSelf = z.union([
  z.looseObject({
    active: z.literal(true),
    scope: z.string(),
    workspace_id: uuid,
    workspace_name: z.string(),
    workspace_slug: z.string(),
  }),
  z.looseObject({ active: z.literal(false) }),
]);

// One current value of an attribute (`values[slug][i]`), by attribute type. Types the connector
// does not read pass as `attioValue` only.
const valueBase = {
  active_from: timestamp,
  active_until: timestamp.nullable(),
  created_by_actor: actor,
};
export const attioValue = z.looseObject({ ...valueBase, attribute_type: z.string() });
export const textValue = z.looseObject({
  ...valueBase,
  attribute_type: z.literal('text'),
  value: z.string(),
});
export const personalNameValue = z.looseObject({
  ...valueBase,
  attribute_type: z.literal('personal-name'),
  first_name: z.string(),
  last_name: z.string(),
  full_name: z.string(),
});
export const emailValue = z.looseObject({
  ...valueBase,
  attribute_type: z.literal('email-address'),
  email_address: z.string(),
  email_domain: z.string(),
});
export const phoneValue = z.looseObject({
  ...valueBase,
  attribute_type: z.literal('phone-number'),
  original_phone_number: z.string(),
  phone_number: z.string(),
});
export const domainValue = z.looseObject({
  ...valueBase,
  attribute_type: z.literal('domain'),
  domain: z.string(),
  root_domain: z.string(),
});
export const recordReferenceValue = z.looseObject({
  ...valueBase,
  attribute_type: z.literal('record-reference'),
  target_object: z.string(),
  target_record_id: uuid,
});
export const actorReferenceValue = z.looseObject({
  ...valueBase,
  attribute_type: z.literal('actor-reference'),
  referenced_actor_type: z.string(),
  referenced_actor_id: uuid.nullable(),
});
export const statusValue = z.looseObject({
  ...valueBase,
  attribute_type: z.literal('status'),
  status: z.looseObject({ title: z.string() }),
});
export const currencyValue = z.looseObject({
  ...valueBase,
  attribute_type: z.literal('currency'),
  currency_value: z.number(),
  currency_code: z.string().nullable().optional(),
});

export const attioRecord = z.looseObject({
  id: z.looseObject({ workspace_id: uuid, object_id: uuid, record_id: uuid }),
  created_at: timestamp,
  web_url: z.string(),
  values: z.record(z.string(), z.array(attioValue)),
});

export const attioNote = z.looseObject({
  id: z.looseObject({ workspace_id: uuid, note_id: uuid }),
  parent_object: z.string(),
  parent_record_id: uuid,
  title: z.string(),
  content_plaintext: z.string(),
  content_markdown: z.string(),
  meeting_id: uuid.nullable(),
  created_by_actor: actor,
  created_at: timestamp,
});

export const attioTask = z.looseObject({
  id: z.looseObject({ workspace_id: uuid, task_id: uuid }),
  content_plaintext: z.string(),
  deadline_at: timestamp.nullable(),
  is_completed: z.boolean(),
  linked_records: z.array(z.looseObject({ target_object_id: z.string(), target_record_id: uuid })),
  assignees: z.array(
    z.looseObject({ referenced_actor_type: z.string(), referenced_actor_id: uuid }),
  ),
  created_by_actor: actor,
  created_at: timestamp,
});

export const attioMember = z.looseObject({
  id: z.looseObject({ workspace_id: uuid, workspace_member_id: uuid }),
  first_name: z.string(),
  last_name: z.string(),
  email_address: z.string(),
  access_level: z.string(),
  created_at: timestamp,
});

/** `GET /v2/lists/{list}`: `parent_object` is an array (legacy lists may allow several). */
export const attioList = z.looseObject({
  id: z.looseObject({ workspace_id: uuid, list_id: uuid }),
  api_slug: z.string(),
  name: z.string(),
  parent_object: z.array(z.string()),
});

/** One entry of `POST /v2/lists/{list}/entries/query`: the record it puts in the list. */
export const attioListEntry = z.looseObject({
  id: z.looseObject({ workspace_id: uuid, list_id: uuid, entry_id: uuid }),
  parent_record_id: uuid,
  parent_object: z.string(),
});

/** Every list and single-item answer wraps its content in `data`. */
export const listOf = <T extends z.ZodType>(item: T) => z.looseObject({ data: z.array(item) });
export const oneOf = <T extends z.ZodType>(item: T) => z.looseObject({ data: item });

export type AttioSelf = z.infer<typeof attioSelf>;
export type AttioValue = z.infer<typeof attioValue>;
export type AttioRecord = z.infer<typeof attioRecord>;
export type AttioNote = z.infer<typeof attioNote>;
export type AttioTask = z.infer<typeof attioTask>;
export type AttioMember = z.infer<typeof attioMember>;
export type AttioList = z.infer<typeof attioList>;
export type AttioListEntry = z.infer<typeof attioListEntry>;

/** The value schemas by the attribute type they read, for normalize.ts and the contract test. */
export const VALUE_SCHEMAS = {
  text: textValue,
  'personal-name': personalNameValue,
  'email-address': emailValue,
  'phone-number': phoneValue,
  domain: domainValue,
  'record-reference': recordReferenceValue,
  'actor-reference': actorReferenceValue,
  status: statusValue,
  currency: currencyValue,
} as const;
export type ValueType = keyof typeof VALUE_SCHEMAS;
export type TypedValue<T extends ValueType> = z.infer<(typeof VALUE_SCHEMAS)[T]>;
