import type { Conversation } from '@cairn/contract';
import { z } from 'zod';
import type { Database, Scope } from '../../../db/database.js';
import { notFound } from '../../../http/errors.js';
import { listConversations } from '../../connectors/chatwoot/review.js';
import { getPerson, listPeople } from '../../people/read.js';
import { ProjectIdArg, projectFor } from '../context.js';
import { capList } from '../limit-output.js';
import { defineTool } from './types.js';

const RECENT_CONVERSATIONS = 10;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEAL_NOTE = 'No CRM (Attio) is bound to this project: no deal stage.';

/**
 * `get_person`: a person as the people module links them across sources (modules/people/, the
 * reads behind `GET /people` and `GET /people/:id`): contact points, organisation, each source
 * record, and the recent conversations of the person's Chatwoot contacts. Found by email, by
 * person id (uuid), or by a Chatwoot contact id (cwc:…) as search hits and threads carry.
 */
export const getPersonTool = defineTool({
  name: 'get_person',
  title: 'Look up a person',
  description:
    'Looks up a client person by email, person id or contact id (cwc:…): contact points across sources, organization, source records, recent conversations. Deal stage is reported only where a CRM is bound (not yet: always null with a note).',
  inputSchema: {
    email: z.email().optional().describe('One of the person’s email addresses (any case)'),
    person_id: z
      .string()
      .min(1)
      .max(300)
      .optional()
      .describe('A person id (uuid, from the people API) or a contact id (cwc:…)'),
    project_id: ProjectIdArg,
  },
  outputSchema: {
    project_id: z.string(),
    person: z.object({
      id: z.string(),
      name: z.string().nullable(),
      emails: z.array(z.string()),
      phones: z.array(z.string()),
      organization: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
      links: z.array(
        z.object({
          source_kind: z.string(),
          entity: z.string(),
          external_id: z.string(),
          matched_on: z.string().nullable(),
          value: z.string().nullable(),
        }),
      ),
    }),
    recent_conversations: z.array(
      z.object({
        conversation_id: z.string(),
        contact_id: z.string().nullable(),
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
    const found = await getPerson(
      ctx.database,
      scope,
      await personIdOf(ctx.database, scope, input),
    );
    const contacts = found.links
      .filter((l) => l.source_kind === 'chatwoot_account' && l.entity === 'contact')
      .map((l) => l.external_id);
    const recent = (await recentConversations(ctx.database, scope, contacts)).map((c) => ({
      conversation_id: c.id,
      contact_id: c.contact_global_id,
      status: c.status,
      message_count: c.message_count,
      last_activity_at: c.last_activity_at,
      deep_link: c.deep_link,
    }));
    const person = {
      id: found.id,
      name: found.name,
      emails: found.emails,
      phones: found.phones,
      organization: found.organization,
      links: found.links.map(({ source_kind, entity, external_id, matched_on, value }) => ({
        source_kind,
        entity,
        external_id,
        matched_on,
        value,
      })),
    };
    const fixed = { project_id: scope.projectId, person };
    const { kept, capped } = capList(recent, fixed, ctx.config.MCP_MAX_RESULT_CHARS);
    const org = person.organization?.name ?? null;
    return {
      structured: {
        ...fixed,
        recent_conversations: kept,
        deal_stage: null,
        deal_stage_note: DEAL_NOTE,
        ...capped,
      },
      text: [
        `${person.name ?? 'Unnamed person'} (${person.id})${org ? `, ${org}` : ''}`,
        `emails: ${person.emails.join(', ') || '—'}; phones: ${person.phones.join(', ') || '—'}`,
        `sources: ${person.links.map((l) => `${l.source_kind}/${l.entity} ${l.external_id}`).join('; ') || 'none'}`,
        `${kept.length} recent conversation(s): ${kept.map((c) => `${c.conversation_id} (${c.status ?? 'unknown'}, ${c.message_count} messages)`).join('; ') || 'none'}`,
        DEAL_NOTE,
        ...(capped.note ? [capped.note] : []),
      ].join('\n'),
    };
  },
});

/** The person's id: given as such, or found through the people list by email or contact id. */
async function personIdOf(
  database: Database,
  scope: Scope,
  by: { email?: string; person_id?: string },
): Promise<string> {
  if (by.person_id !== undefined && UUID.test(by.person_id)) return by.person_id;
  const { people } = await listPeople(database, scope, {
    limit: 1,
    ...(by.email !== undefined ? { email: by.email } : { contact_global_id: by.person_id }),
  });
  if (!people[0]) throw notFound('person');
  return people[0].id;
}

/** The newest conversations across the person's contacts (usually one contact, rarely many). */
async function recentConversations(
  database: Database,
  scope: Scope,
  contacts: string[],
): Promise<Conversation[]> {
  const pages = await Promise.all(
    contacts.map((contact_global_id) =>
      listConversations(database, scope, { limit: RECENT_CONVERSATIONS, contact_global_id }),
    ),
  );
  return pages
    .flatMap((p) => p.conversations)
    .sort((a, b) => (b.last_activity_at ?? '').localeCompare(a.last_activity_at ?? ''))
    .slice(0, RECENT_CONVERSATIONS);
}
