// Request and response schemas of the people module: people and organisations linked across
// sources (server/src/modules/people, docs/people.md).
import { Type, type Static } from 'typebox';
import { CursorSchema, IdParamsSchema, Ok, TimestampSchema, UuidSchema } from './common.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);

export const PeopleSourceKindSchema = Type.Union([
  Type.Literal('chatwoot_account'),
  Type.Literal('linear_workspace'),
  Type.Literal('attio_workspace'),
]);

/** One source record of a person or organisation, and what tied it to the others. */
export const PeopleLinkSchema = Type.Object({
  id: UuidSchema,
  source_kind: PeopleSourceKindSchema,
  entity: Type.String({
    description:
      'what the id names in the source: contact (Chatwoot; external_id is the stored contact id ' +
      'cwc:…), person, company, customer, user, email_domain',
  }),
  external_id: Type.String(),
  matched_on: Type.Union(
    [
      Type.Literal('email'),
      Type.Literal('phone'),
      Type.Literal('domain'),
      Type.Literal('manual'),
      Type.Null(),
    ],
    { description: 'the field that tied this record to another; null when it stands alone' },
  ),
  value: Type.Union([Type.String(), Type.Null()], {
    description: 'the normalised email, E.164 phone or domain that matched',
  }),
});
export type PeopleLink = Static<typeof PeopleLinkSchema>;

export const PersonSummarySchema = Type.Object({
  id: UuidSchema,
  name: NullableString,
  emails: Type.Array(Type.String()),
  phones: Type.Array(Type.String(), { description: 'E.164' }),
  organization_id: Type.Union([UuidSchema, Type.Null()]),
});
export type PersonSummary = Static<typeof PersonSummarySchema>;

export const PersonSchema = Type.Object({
  ...PersonSummarySchema.properties,
  organization: Type.Union([Type.Object({ id: UuidSchema, name: NullableString }), Type.Null()]),
  links: Type.Array(PeopleLinkSchema),
});
export type Person = Static<typeof PersonSchema>;

// ---- GET /people --------------------------------------------------------------------------------

export const PeopleQuerySchema = Type.Object(
  {
    email: Type.Optional(
      Type.String({ minLength: 3, maxLength: 320, description: 'any of their addresses, exactly' }),
    ),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'substring of name, email or phone',
      }),
    ),
    contact_global_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 300,
        description: 'the person a stored Chatwoot contact (cwc:…) belongs to',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(CursorSchema),
  },
  { additionalProperties: false },
);
export type PeopleQuery = Static<typeof PeopleQuerySchema>;

export const PeopleListResponseSchema = Ok({
  people: Type.Array(PersonSummarySchema),
  next_cursor: Type.Union([Type.String(), Type.Null()], {
    description: 'pass as `cursor` for the next page; null on the last page',
  }),
});

// ---- GET /people/:id ----------------------------------------------------------------------------

export const PersonParamsSchema = IdParamsSchema;

/** What the other sources hold about a person: their CRM records, deals, tasks, work. */
export const PersonContextSchema = Type.Object({
  crm_records: Type.Array(
    Type.Object({
      id: Type.String({ description: 'the Attio record id' }),
      object: Type.Union([Type.Literal('person'), Type.Literal('company')]),
      name: NullableString,
      web_url: Type.String(),
    }),
    { description: 'their Attio person record(s) and their organisation’s Attio company' },
  ),
  deals: Type.Array(
    Type.Object({
      id: Type.String(),
      name: NullableString,
      stage: NullableString,
      value: Type.Union([Type.Number(), Type.Null()]),
      currency: NullableString,
      web_url: Type.String(),
    }),
    { description: 'Attio deals naming them or their organisation’s company' },
  ),
  open_tasks: Type.Array(
    Type.Object({
      id: Type.String(),
      content: Type.String(),
      deadline_at: Type.Union([TimestampSchema, Type.Null()]),
    }),
    { description: 'open Attio tasks linked to them or their company, soonest deadline first' },
  ),
  linear_issues: Type.Array(
    Type.Object({
      id: Type.String(),
      identifier: Type.String(),
      title: Type.String(),
      state_type: Type.String(),
      url: Type.String(),
      due_date: NullableString,
    }),
    {
      description:
        'Linear issues of their organisation: the customer’s needs’ issues and projects (at most 50, latest first)',
    },
  ),
});
export type PersonContext = Static<typeof PersonContextSchema>;

export const PersonDetailSchema = Type.Object({
  ...PersonSchema.properties,
  ...PersonContextSchema.properties,
});
export type PersonDetail = Static<typeof PersonDetailSchema>;
export const PersonResponseSchema = Ok({ person: PersonDetailSchema });

// ---- GET /organizations/:id ---------------------------------------------------------------------

export const OrganizationSchema = Type.Object({
  id: UuidSchema,
  name: NullableString,
  domains: Type.Array(Type.String()),
  links: Type.Array(PeopleLinkSchema),
  people: Type.Array(Type.Object({ id: UuidSchema, name: NullableString }), {
    description: 'its people, by name (at most 200)',
  }),
});
export type Organization = Static<typeof OrganizationSchema>;
export const OrganizationResponseSchema = Ok({ organization: OrganizationSchema });

// ---- POST /people/merge, POST /people/:id/split -------------------------------------------------

export const MergePeopleBodySchema = Type.Object(
  {
    ids: Type.Array(UuidSchema, {
      minItems: 2,
      maxItems: 50,
      uniqueItems: true,
      description: 'people of the active project to make one',
    }),
  },
  { additionalProperties: false },
);
export type MergePeopleBody = Static<typeof MergePeopleBodySchema>;
export const MergePeopleResponseSchema = Ok({ person: PersonSchema });

export const SplitPersonBodySchema = Type.Object(
  {
    link_ids: Type.Array(UuidSchema, {
      minItems: 1,
      maxItems: 200,
      uniqueItems: true,
      description: 'links of this person to move to a new person (not all of them)',
    }),
  },
  { additionalProperties: false },
);
export type SplitPersonBody = Static<typeof SplitPersonBodySchema>;
export const SplitPersonResponseSchema = Ok({
  person: PersonSchema,
  new_person: PersonSchema,
});
