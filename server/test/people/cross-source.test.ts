// People and organisations across all three sources (issue 18, item 6), end to end: one project
// bound to the Chatwoot, Linear and Attio simulators of one generated studio (same seed and size),
// each synced by its own job — every job relinks — and what is stored is held to the studio's
// known truth (tools/studio, studioTruth). Every seeded link is found, with the field that tied it;
// nothing else is tied (every `apart` pair stays apart, free mail forms no organisation). An
// Attio webhook that adds people relinks at once.
import { attioSignedDelivery, startAttioSim, type AttioSim } from '@cairn/attio-sim';
import { startLinearSim, type LinearSim } from '@cairn/linear-sim';
import { buildStudio, studioTruth, type StudioTruth, type TruthLink } from '@cairn/studio';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../src/db/database.js';
import { defaultJobHandlers } from '../../src/modules/jobs/handlers.js';
import { FREE_MAIL_DOMAINS } from '../../src/modules/people/link/index.js';
import { rebuildPeople } from '../../src/modules/people/rebuild.js';
import { bindSim, type Bound } from '../chatwoot/harness.js';
import { useTestApp } from '../support/app.js';

const ctx = useTestApp();
// A seed whose tiny studio holds every trap, phone-only matches and free mail included.
const SEED = 'xsource';
const SIZE = 'tiny';
const ATTIO_SECRET = 'att-wh-secret-people-xsource-5Kq8';

interface StoredLink {
  owner: string;
  source_kind: string;
  entity: string;
  external_id: string;
  matched_on: string | null;
  value: string | null;
}
const key = (l: { source_kind: string; entity: string; external_id: string }) =>
  `${l.source_kind}:${l.entity}:${l.external_id}`;

describe('people across Chatwoot, Linear and Attio', { timeout: 120_000 }, () => {
  let chatwoot: Bound;
  let linear: LinearSim;
  let attio: AttioSim;
  let attioSourceId: string;
  let truth: StudioTruth;
  let scope: Scope;

  /** The truth names a Chatwoot contact by its number; the project stores it as `cwc:…`. */
  const stored = (l: TruthLink) =>
    l.source_kind === 'chatwoot_account' && l.entity === 'contact'
      ? { ...l, external_id: `cwc:${scope.projectId}:${chatwoot.sim.accountId}:${l.external_id}` }
      : l;

  const runJob = async (type: 'chatwoot_sync' | 'linear_sync' | 'attio_sync') =>
    (await defaultJobHandlers(ctx.config)[type]!({
      database: ctx.database,
      config: ctx.config,
      scope,
      runId: randomUUID(),
      trigger: 'manual',
      signal: new AbortController().signal,
      onProgress: () => undefined,
      logger: ctx.app.log,
    })) as Record<string, unknown>;

  const readLinks = () =>
    ctx.database.withScope(scope, async (trx) => {
      const people = await trx
        .selectFrom('person_links')
        .select(['person_id as owner', 'source_kind', 'entity', 'external_id'])
        .select(['matched_on', 'value'])
        .where('project_id', '=', scope.projectId)
        .execute();
      const orgs = await trx
        .selectFrom('organization_links')
        .select(['organization_id as owner', 'source_kind', 'entity', 'external_id'])
        .select(['matched_on', 'value'])
        .where('project_id', '=', scope.projectId)
        .execute();
      const personOrg = await trx
        .selectFrom('people')
        .select(['id', 'organization_id'])
        .where('project_id', '=', scope.projectId)
        .execute();
      const domains = await trx
        .selectFrom('organizations')
        .select(['id', 'domains'])
        .where('project_id', '=', scope.projectId)
        .execute();
      const index = (rows: StoredLink[]) => new Map(rows.map((r) => [key(r), r]));
      return {
        person: index(people as StoredLink[]),
        org: index(orgs as StoredLink[]),
        personCount: personOrg.length,
        orgCount: domains.length,
        organizationOf: new Map(personOrg.map((p) => [p.id, p.organization_id])),
        domains: domains.flatMap((o) => o.domains),
      };
    });

  beforeAll(async () => {
    truth = studioTruth(buildStudio({ seed: SEED, size: SIZE }));
    // The traps are in the data, so passing means handling them.
    const traps = new Set(truth.people.flatMap((p) => p.traps));
    for (const trap of ['free_mail', 'phone_only_match', 'mixed_case_email', 'same_name_colleague'])
      expect(traps, trap).toContain(trap);
    expect(truth.summary.people_linked_by_phone_only).toBeGreaterThan(0);
    chatwoot = await bindSim(ctx, { size: SIZE, seed: SEED });
    scope = chatwoot.scope;
    linear = await startLinearSim({ size: SIZE, seed: SEED });
    attio = await startAttioSim({ size: SIZE, seed: SEED });
    const bindLinear = await chatwoot.session.request('POST', '/sources', {
      source_kind: 'linear_workspace',
      base_url: linear.graphqlUrl,
      api_key: linear.apiKey,
    });
    expect(bindLinear.statusCode, bindLinear.body).toBe(201);
    const bindAttio = await chatwoot.session.request('POST', '/sources', {
      source_kind: 'attio_workspace',
      base_url: attio.url,
      api_token: attio.token,
      webhook_secret: ATTIO_SECRET,
    });
    expect(bindAttio.statusCode, bindAttio.body).toBe(201);
    attioSourceId = bindAttio.json().source.id as string;
    // Each sync job relinks: the later sources' records join the people the earlier ones made.
    for (const job of ['chatwoot_sync', 'linear_sync', 'attio_sync'] as const) {
      const result = await runJob(job);
      expect(result.skipped, job).toBeUndefined();
      expect(result.people_written, job).toBeGreaterThan(0);
    }
  });
  afterAll(async () => {
    chatwoot?.sim.stop();
    await linear?.stop();
    await attio?.stop();
  });

  it('finds every link the truth seeds, each with the field that tied it', async () => {
    const got = await readLinks();
    // Chatwoot agents are not stored as records (only contacts are), so staff are the studio's
    // Linear user and Attio workspace member, tied by email.
    const staff = truth.staff.map((s) => ({
      key: s.key,
      org: null,
      links: s.links.filter((l) => l.source_kind !== 'chatwoot_account'),
    }));
    const expected = [
      ...truth.people.map((p) => ({ key: p.key, org: p.organization_key, links: p.links })),
      ...staff,
    ];
    expect(expected.some((p) => p.links.some((l) => l.source_kind === 'linear_workspace'))).toBe(
      true,
    );
    for (const person of expected) {
      const links = person.links.map(stored);
      const owner = got.person.get(key(links[0]!))?.owner;
      expect(owner, `${person.key} ${key(links[0]!)}`).toBeDefined();
      const mine = [...got.person.values()].filter((l) => l.owner === owner).map(key);
      expect(mine.sort(), person.key).toEqual(links.map(key).sort());
      // The evidence is the truth's; which of two records carries it is the linker's choice.
      const evidence = (ls: { matched_on: string | null; value: string | null }[]) =>
        ls.map((l) => `${l.matched_on}=${l.value}`).sort();
      expect(evidence(links.map((l) => got.person.get(key(l))!)), person.key).toEqual(
        evidence(person.links),
      );
      const org = person.org
        ? truth.organizations.find((o) => o.key === person.org)!.links[0]!
        : null;
      expect(got.organizationOf.get(owner!), `${person.key} organisation`).toBe(
        org ? got.org.get(key(stored(org)))!.owner : null,
      );
    }
    for (const org of truth.organizations) {
      const links = org.links.map(stored);
      const owner = got.org.get(key(links[0]!))?.owner;
      expect(owner, org.key).toBeDefined();
      const mine = [...got.org.values()].filter((l) => l.owner === owner).map(key);
      expect(mine.sort(), org.key).toEqual(links.map(key).sort());
      for (const link of links) expect(got.org.get(key(link))!.matched_on).toBe(link.matched_on);
    }
    // Nothing beyond the truth: no record was tied wrongly, none left over.
    expect(got.personCount).toBe(expected.length);
    expect(got.orgCount).toBe(truth.organizations.length);
  });

  it('makes no false link: look-alikes stay apart, free mail forms no organisation', async () => {
    const got = await readLinks();
    expect(truth.apart.length).toBeGreaterThan(0);
    for (const pair of truth.apart) {
      const groups = pair.kind === 'people' ? truth.people : truth.organizations;
      const index = pair.kind === 'people' ? got.person : got.org;
      const [a, b] = pair.keys.map((k) => groups.find((g) => g.key === k)!.links[0]!);
      expect(index.get(key(stored(a!)))!.owner, pair.reason).not.toBe(
        index.get(key(stored(b!)))!.owner,
      );
    }
    for (const domain of got.domains) expect(FREE_MAIL_DOMAINS.has(domain), domain).toBe(false);
    expect(truth.people.some((p) => p.traps.includes('free_mail'))).toBe(true);
  });

  it('shows a person with their CRM records, deals, open tasks and their organisation’s issues', async () => {
    type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const got = await readLinks();
    const tasks = [...attio.control.groundTruth.tasks()] as Json[];
    const needs = [...linear.control.groundTruth.customerNeeds()] as Json[];
    const issues = [...linear.control.groundTruth.issues()] as Json[];
    const seen = { deals: 0, tasks: 0, issues: 0 };
    for (const person of truth.people.filter((p) => p.organization_key)) {
      const org = truth.organizations.find((o) => o.key === person.organization_key)!;
      const attioPeople = person.links
        .filter((l) => l.entity === 'person')
        .map((l) => l.external_id);
      const company = org.links.find((l) => l.entity === 'company')!.external_id;
      const customer = org.links.find((l) => l.entity === 'customer')?.external_id;
      const owner = got.person.get(key(stored(person.links[0]!)))!.owner;
      const res = await chatwoot.session.request('GET', `/people/${owner}`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json().person as Json;
      expect(body.crm_records.map((r: Json) => `${r.object}:${r.id}`).sort(), person.key).toEqual(
        [...attioPeople.map((id) => `person:${id}`), `company:${company}`].sort(),
      );
      const records = new Set([...attioPeople, company]);
      const open = tasks.filter(
        (t) =>
          !t.is_completed &&
          (t.linked_records as Json[]).some((l) => records.has(l.target_record_id)),
      );
      expect(body.open_tasks.map((t: Json) => t.id).sort(), person.key).toEqual(
        open.map((t) => t.id.task_id).sort(),
      );
      const linked = customer
        ? needs.filter((n) => n.customerId === customer && n.archivedAt === null)
        : [];
      const ids = new Set(linked.map((n) => n.issueId));
      const projects = new Set(linked.map((n) => n.projectId).filter(Boolean));
      const theirs = issues.filter(
        (i) => i.archivedAt === null && (ids.has(i.id) || projects.has(i.projectId)),
      );
      if (theirs.length <= 50)
        expect(body.linear_issues.map((i: Json) => i.id).sort(), person.key).toEqual(
          theirs.map((i) => i.id).sort(),
        );
      for (const deal of body.deals as Json[])
        expect(deal.stage, deal.id).toEqual(expect.any(String));
      seen.deals += body.deals.length;
      seen.tasks += open.length;
      seen.issues += body.linear_issues.length;
    }
    // The studio has all three, so the comparisons above were about something.
    expect(seen.deals).toBeGreaterThan(0);
    expect(seen.tasks).toBeGreaterThan(0);
    expect(seen.issues).toBeGreaterThan(0);
  });

  it('relinks when an Attio webhook adds people; free mail stays out of organisations', async () => {
    // A client Chatwoot knows by email gets a second CRM record with that address; a private
    // person writes from gmail.com with no company, which must not make a gmail.com organisation.
    const client = truth.people.find((p) =>
      p.links.some(
        (l) => l.source_kind === 'chatwoot_account' && l.matched_on === 'email' && l.value,
      ),
    )!;
    const contactLink = client.links.find((l) => l.source_kind === 'chatwoot_account')!;
    const added = [
      attio.control.addPerson({ name: client.name, emails: [contactLink.value!] }),
      attio.control.addPerson({ name: 'Private Person', emails: ['private.xsource@gmail.com'] }),
    ].map((r) => (r.id as { record_id: string }).record_id);
    const delivery = attioSignedDelivery(ATTIO_SECRET, {
      webhook_id: 'wh-people',
      events: added.map((id) => attio.control.buildWebhookEvent('record.created', id)),
    });
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/webhooks/attio/${attioSourceId}`,
      headers: delivery.headers,
      payload: delivery.body,
    });
    expect(res.statusCode, res.body).toBe(200);
    const got = await readLinks();
    const contact = got.person.get(key(stored(contactLink)))!;
    const twin = got.person.get(`attio_workspace:person:${added[0]}`);
    expect(twin?.owner).toBe(contact.owner);
    expect(twin?.matched_on).toBe('email');
    const lone = got.person.get(`attio_workspace:person:${added[1]}`);
    expect(lone, 'the private person is a person').toBeDefined();
    expect(got.organizationOf.get(lone!.owner)).toBeNull();
    expect(got.domains).not.toContain('gmail.com');
    expect(await rebuildPeople(ctx.database, ctx.config, scope)).toMatchObject({
      people_written: 0,
      people_links_written: 0,
      organizations_written: 0,
    });
  });
});
