// People and organisations of a project bound to the Chatwoot simulator: relinked by the sync
// job and after contact webhooks, idempotent, read through the API, merged and split by hand
// (decisions that outlive every rebuild), and another project's ids not found.
import { buildWebhookPayload, signedDelivery } from '@cairn/chatwoot-sim';
import { buildStudio, studioTruth } from '@cairn/studio';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultJobHandlers } from '../../src/modules/jobs/handlers.js';
import { rebuildPeople } from '../../src/modules/people/rebuild.js';
import { bindSim, WEBHOOK_SECRET, type Bound } from '../chatwoot/harness.js';
import { createConversation } from '../rag/factories.js';
import { useTestApp } from '../support/app.js';
import { signInWithProject } from '../support/factories.js';
import { memberSession } from '../support/team.js';

const ctx = useTestApp();
const SEED = 'people-api';
const NOTHING = {
  people_written: 0,
  people_deleted: 0,
  organizations_written: 0,
  organizations_deleted: 0,
  people_links_written: 0,
  people_links_deleted: 0,
};

interface Link {
  id: string;
  source_kind: string;
  entity: string;
  external_id: string;
  matched_on: string | null;
  value: string | null;
}
interface PersonBody {
  id: string;
  name: string | null;
  emails: string[];
  organization_id: string | null;
  links: Link[];
}

describe('people of a project', () => {
  let bound: Bound;
  const contactRef = (id: number) => `cwc:${bound.scope.projectId}:${bound.sim.accountId}:${id}`;
  const personOfContact = async (id: number): Promise<PersonBody> => {
    const res = await bound.session.request(
      'GET',
      `/people?contact_global_id=${encodeURIComponent(contactRef(id))}`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const [summary] = res.json().people as PersonBody[];
    expect(summary, `contact ${id}`).toBeDefined();
    return (await bound.session.request('GET', `/people/${summary!.id}`)).json().person;
  };

  beforeAll(async () => {
    bound = await bindSim(ctx, { size: 'tiny', seed: SEED });
  });
  afterAll(() => void bound?.sim.stop());

  it('are linked by the job that syncs, as the studio truth says, and a rebuild then writes nothing', async () => {
    const result = await defaultJobHandlers(ctx.config).chatwoot_sync!({
      database: ctx.database,
      config: ctx.config,
      scope: bound.scope,
      runId: randomUUID(),
      trigger: 'manual',
      signal: new AbortController().signal,
      onProgress: () => undefined,
      logger: ctx.app.log,
    });
    expect((result as typeof NOTHING).people_written).toBeGreaterThan(5);
    expect(await rebuildPeople(ctx.database, ctx.config, bound.scope)).toEqual(NOTHING);

    // The Chatwoot side of the truth: contacts of one person are one person, of two are two.
    const truth = studioTruth(buildStudio({ seed: SEED, size: 'tiny' }));
    const seen = new Map<string, string>();
    for (const person of truth.people) {
      const contacts = person.links
        .filter((l) => l.source_kind === 'chatwoot_account')
        .map((l) => Number(l.external_id));
      if (contacts.length === 0) continue;
      const ids = new Set(
        await Promise.all(contacts.map(async (c) => (await personOfContact(c)).id)),
      );
      expect(ids.size, person.key).toBe(1);
      const [id] = [...ids];
      expect(seen.get(id!), `${person.key} shares a person with another`).toBeUndefined();
      seen.set(id!, person.key);
    }
    // Organisations from the contacts' company domains, never from a mailbox provider.
    for (const org of truth.organizations.filter((o) => o.chatwoot_contact_ids.length > 0)) {
      const orgIds = new Set(
        await Promise.all(
          org.chatwoot_contact_ids.map(async (c) => (await personOfContact(c)).organization_id),
        ),
      );
      expect(orgIds.size, org.key).toBe(1);
      const [orgId] = [...orgIds];
      expect(orgId).not.toBeNull();
      const res = await bound.session.request('GET', `/organizations/${orgId}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().organization.domains).toContain(org.domains[0]);
      expect(res.json().organization.links[0]).toMatchObject({
        source_kind: 'chatwoot_account',
        entity: 'email_domain',
        matched_on: null,
      });
    }
  });

  it('finds people by email (any case), text and Chatwoot contact, a page at a time', async () => {
    const all = (await bound.session.request('GET', '/people?limit=200')).json()
      .people as PersonBody[];
    const withEmail = all.find((p) => p.emails.length > 0)!;
    const byEmail = await bound.session.request(
      'GET',
      `/people?email=${encodeURIComponent(withEmail.emails[0]!.toUpperCase())}`,
    );
    expect(byEmail.json().people.map((p: PersonBody) => p.id)).toEqual([withEmail.id]);
    const byText = await bound.session.request(
      'GET',
      `/people?q=${encodeURIComponent(withEmail.emails[0]!.split('@')[0]!)}`,
    );
    expect(byText.json().people.map((p: PersonBody) => p.id)).toContain(withEmail.id);

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await bound.session.request(
        'GET',
        `/people?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.statusCode).toBe(200);
      pages.push(...res.json().people.map((p: PersonBody) => p.id));
      cursor = res.json().next_cursor;
    } while (cursor);
    expect(pages).toEqual(all.map((p) => p.id));
  });

  it('answers bad input with a 4xx naming the field', async () => {
    const field = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
      const res = await bound.session.request(method, url, body);
      expect(res.statusCode, url).toBe(400);
      return JSON.stringify(res.json().details);
    };
    expect(await field('GET', '/people?email=no-at-sign')).toContain('email');
    expect(await field('GET', '/people?limit=0')).toContain('limit');
    expect(await field('GET', '/people?cursor=garbage')).toContain('cursor');
    expect(await field('GET', '/people/not-a-uuid')).toContain('id');
    expect(await field('POST', '/people/merge', { ids: [randomUUID()] })).toContain('ids');
    expect(await field('POST', '/people/merge', {})).toContain('ids');
    expect(await field('POST', `/people/${randomUUID()}/split`, { link_ids: [] })).toContain(
      'link_ids',
    );
    expect((await bound.session.request('GET', `/people/${randomUUID()}`)).statusCode).toBe(404);
    expect((await bound.session.request('GET', `/organizations/${randomUUID()}`)).statusCode).toBe(
      404,
    );
  });

  it('merges and splits by hand, audited, and keeps both through later rebuilds', async () => {
    const all = (await bound.session.request('GET', '/people?limit=200')).json()
      .people as PersonBody[];
    const [a, b] = all.filter((p) => p.emails.length > 0);
    const merged = await bound.session.request('POST', '/people/merge', { ids: [a!.id, b!.id] });
    expect(merged.statusCode, merged.body).toBe(200);
    const person = merged.json().person as PersonBody;
    expect(person.links).toHaveLength(2);
    expect(person.links.map((l) => l.matched_on)).toEqual(['manual', 'manual']);
    expect(await rebuildPeople(ctx.database, ctx.config, bound.scope)).toEqual(NOTHING);
    expect(
      (await bound.session.request('GET', `/people/${person.id}`)).json().person.links,
    ).toHaveLength(2);

    // Splitting every link, or a link of someone else, is refused by field.
    const allLinks = await bound.session.request('POST', `/people/${person.id}/split`, {
      link_ids: person.links.map((l) => l.id),
    });
    expect(allLinks.statusCode).toBe(400);
    expect(allLinks.body).toContain('link_ids');
    const foreign = await bound.session.request('POST', `/people/${person.id}/split`, {
      link_ids: [randomUUID()],
    });
    expect(foreign.statusCode).toBe(400);

    const split = await bound.session.request('POST', `/people/${person.id}/split`, {
      link_ids: [person.links[1]!.id],
    });
    expect(split.statusCode, split.body).toBe(200);
    const { person: kept, new_person: moved } = split.json() as Record<string, PersonBody>;
    expect(kept!.id).not.toBe(moved!.id);
    expect(kept!.links.map((l) => l.external_id)).toEqual([person.links[0]!.external_id]);
    expect(moved!.links.map((l) => l.external_id)).toEqual([person.links[1]!.external_id]);
    expect(await rebuildPeople(ctx.database, ctx.config, bound.scope)).toEqual(NOTHING);

    const audit = await ctx.database.db
      .selectFrom('audit_events')
      .select(['action', 'entity_id'])
      .where('project_id', '=', bound.scope.projectId)
      .where('entity_type', '=', 'person')
      .orderBy('id')
      .execute();
    expect(audit.map((e) => e.action)).toEqual(['people.merge', 'people.split']);
  });

  it('relinks when a contact webhook makes two contacts share an address', async () => {
    const all = (await bound.session.request('GET', '/people?limit=200')).json()
      .people as PersonBody[];
    const target = all.find((p) => p.emails.length === 1)!;
    const targetPerson = (await bound.session.request('GET', `/people/${target.id}`)).json()
      .person as PersonBody;
    const other = all.find((p) => p.emails.length === 0 && p.id !== target.id)!;
    const otherPerson = (await bound.session.request('GET', `/people/${other.id}`)).json()
      .person as PersonBody;
    const contactId = Number(otherPerson.links[0]!.external_id.split(':').pop());
    bound.sim.control.updateContact(contactId, { email: target.emails[0]!.toUpperCase() });
    const payload = buildWebhookPayload(bound.sim, 'contact_updated', { contactId });
    const delivery = signedDelivery(WEBHOOK_SECRET, payload);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/webhooks/chatwoot/${bound.sourceId}`,
      headers: delivery.headers,
      payload: delivery.body,
    });
    expect(res.json()).toMatchObject({ applied: true });
    const now = await personOfContact(contactId);
    expect(now.links.map((l) => l.external_id).sort()).toEqual(
      [...targetPerson.links.map((l) => l.external_id), otherPerson.links[0]!.external_id].sort(),
    );
    expect(now.links.every((l) => l.matched_on === 'email' && l.value === target.emails[0])).toBe(
      true,
    );
  });

  it('lets only managers merge, and never reaches another project', async () => {
    const all = (await bound.session.request('GET', '/people?limit=2')).json()
      .people as PersonBody[];
    const viewer = await memberSession(
      ctx.app,
      ctx.database,
      bound.session,
      bound.scope.projectId,
      'viewer',
    );
    await viewer.request('POST', `/projects/${bound.scope.projectId}/select`);
    expect((await viewer.request('GET', `/people/${all[0]!.id}`)).statusCode).toBe(200);
    expect(
      (await viewer.request('POST', '/people/merge', { ids: all.map((p) => p.id) })).statusCode,
    ).toBe(403);

    // Another project with a person of its own: neither sees the other's ids.
    const other = await signInWithProject(ctx.app, ctx.database);
    await createConversation(
      ctx.database,
      { ...other.project, accountId: 9 },
      { messages: [{ text: 'Hello' }] },
    );
    await rebuildPeople(ctx.database, ctx.config, other.project);
    const theirs = (await other.session.request('GET', '/people')).json().people as PersonBody[];
    expect(theirs).toHaveLength(1);
    expect((await bound.session.request('GET', `/people/${theirs[0]!.id}`)).statusCode).toBe(404);
    expect((await other.session.request('GET', `/people/${all[0]!.id}`)).statusCode).toBe(404);
    expect(
      (
        await other.session.request(
          'GET',
          `/organizations/${all[0]!.organization_id ?? randomUUID()}`,
        )
      ).statusCode,
    ).toBe(404);
    const merge = await other.session.request('POST', '/people/merge', {
      ids: [theirs[0]!.id, all[0]!.id],
    });
    expect(merge.statusCode).toBe(404);
    expect(
      (
        await other.session.request('POST', `/people/${all[0]!.id}/split`, {
          link_ids: [randomUUID()],
        })
      ).statusCode,
    ).toBe(404);
  });
});
