import { sql } from 'kysely';
import { z } from 'zod';
import type { Database, Scope } from '../../../db/database.js';
import { notFound } from '../../../http/errors.js';
import { listConversations } from '../../chatwoot/review.js';
import { inScope } from '../../../db/scoped-sql.js';
import { ProjectIdArg, projectFor } from '../context.js';
import { capList } from '../limit-output.js';
import { defineTool } from './types.js';

const RECENT_CONVERSATIONS = 10;

interface ContactRow {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  identifier: string | null;
  custom_attributes: Record<string, unknown>;
}

/**
 * `get_person`: a person as the project knows them today, from the ingested Chatwoot contacts
 * (cw_contacts). Found by email or by contact id (cwc:…). A people module joining a person's
 * contacts across sources is being built separately; until it lands this tool reads contacts.
 */
export const getPersonTool = defineTool({
  name: 'get_person',
  title: 'Look up a person',
  description:
    'Looks up a client contact by email or contact id (cwc:…): contact points, organization, recent conversations. Deal stage is reported only where a CRM is bound (not yet: always null with a note). Reads Chatwoot contacts.',
  inputSchema: {
    email: z.email().optional().describe('The contact’s email address (exact, any case)'),
    person_id: z
      .string()
      .min(1)
      .max(300)
      .optional()
      .describe('A contact id (cwc:…), as search hits and threads carry'),
    project_id: ProjectIdArg,
  },
  outputSchema: {
    project_id: z.string(),
    person: z.object({
      id: z.string(),
      name: z.string().nullable(),
      email: z.string().nullable(),
      phone: z.string().nullable(),
      identifier: z.string().nullable(),
      organization: z.string().nullable(),
    }),
    recent_conversations: z.array(
      z.object({
        conversation_id: z.string(),
        status: z.string().nullable(),
        message_count: z.number(),
        last_activity_at: z.string().nullable(),
        deep_link: z.string().nullable(),
      }),
    ),
    deal_stage: z.string().nullable(),
    deal_stage_note: z.string(),
    truncated: z.boolean(),
    note: z.string().nullable(),
  },
  annotations: {
    title: 'Look up a person',
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  async run(ctx, input) {
    if ((input.email === undefined) === (input.person_id === undefined)) {
      throw new Error('give exactly one of email or person_id');
    }
    const { scope } = await projectFor(ctx, input.project_id, 'project:read');
    const contact = await findContact(ctx.database, scope, input);
    const { conversations } = await listConversations(ctx.database, scope, {
      limit: RECENT_CONVERSATIONS,
      contact_global_id: contact.id,
    });
    const person = {
      id: contact.id,
      name: contact.name,
      email: contact.email,
      phone: contact.phone,
      identifier: contact.identifier,
      organization: organizationOf(contact.custom_attributes),
    };
    const recent = conversations.map((c) => ({
      conversation_id: c.id,
      status: c.status,
      message_count: c.message_count,
      last_activity_at: c.last_activity_at,
      deep_link: c.deep_link,
    }));
    const fixed = { project_id: scope.projectId, person };
    const { kept, capped } = capList(recent, fixed, ctx.config.MCP_MAX_RESULT_CHARS);
    const dealNote = 'No CRM (Attio) is bound to this project: no deal stage.';
    return {
      structured: {
        ...fixed,
        recent_conversations: kept,
        deal_stage: null,
        deal_stage_note: dealNote,
        ...capped,
      },
      text: [
        `${person.name ?? 'Unnamed contact'} (${person.id})${person.organization ? `, ${person.organization}` : ''}`,
        `email: ${person.email ?? '—'}; phone: ${person.phone ?? '—'}`,
        `${kept.length} recent conversation(s): ${kept.map((c) => `${c.conversation_id} (${c.status ?? 'unknown'}, ${c.message_count} messages)`).join('; ') || 'none'}`,
        dealNote,
        ...(capped.note ? [capped.note] : []),
      ].join('\n'),
    };
  },
});

async function findContact(
  database: Database,
  scope: Scope,
  by: { email?: string; person_id?: string },
): Promise<ContactRow> {
  const row = await database.withScope(scope, async (trx) => {
    const { rows } = await sql<ContactRow>`
      select id, name, email, phone, identifier, custom_attributes from cw_contacts
      where ${inScope(scope)}
        and ${by.email ? sql`lower(email) = lower(${by.email})` : sql`id = ${by.person_id}`}
      order by updated_at desc
      limit 1`.execute(trx);
    return rows[0];
  });
  if (!row) throw notFound('person');
  return row;
}

/** Chatwoot keeps a contact's company in a custom attribute when the team records one. */
function organizationOf(attributes: Record<string, unknown>): string | null {
  for (const key of ['company_name', 'company', 'organization']) {
    const value = attributes?.[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return null;
}
