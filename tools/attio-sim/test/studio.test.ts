// One studio across the three simulators: the same seed and size give Chatwoot contacts, Attio
// people and companies and Linear customers of the same clients, and the truth file says exactly
// which records are one person or company. Checked against what each simulator serves.
import { startChatwootSim, type Sim as ChatwootSim } from '@cairn/chatwoot-sim';
import { startLinearSim, type LinearSim } from '@cairn/linear-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAttioSim, type AttioSim, type StudioTruth } from '../src/index.js';
import { queryAll, type Json } from './helpers.js';

const SEED = 'one-studio';
let chatwoot: ChatwootSim;
let linear: LinearSim;
let attio: AttioSim;
let truth: StudioTruth;
let people: Json[];
let companies: Json[];

beforeAll(async () => {
  [chatwoot, linear, attio] = await Promise.all([
    startChatwootSim({ seed: SEED, size: 'small' }),
    startLinearSim({ seed: SEED, size: 'small' }),
    startAttioSim({ seed: SEED, size: 'small' }),
  ]);
  truth = attio.control.studioTruth();
  people = (await queryAll(attio, 'people')).records;
  companies = (await queryAll(attio, 'companies')).records;
});
afterAll(async () => {
  await Promise.all([chatwoot.stop(), linear.stop(), attio.stop()]);
});

const emailsOf = (record: Json) =>
  (record['values']['email_addresses'] as Json[]).map((v) => v['email_address'] as string);
const phonesOf = (record: Json) =>
  (record['values']['phone_numbers'] as Json[]).map((v) => v['phone_number'] as string);

describe('one generated studio across Chatwoot, Linear and Attio', () => {
  it('is the same studio, truth included, in every simulator', () => {
    expect(linear.control.studioTruth()).toEqual(truth);
    expect(truth.studio.name).toBe('Linia Design Studio');
  });

  it('finds every seeded person link in the data the simulators serve', () => {
    const contacts = new Map(
      [...chatwoot.control.groundTruth.contacts()].map((c) => [String(c['id']), c]),
    );
    const byId = new Map(people.map((p) => [p['id']['record_id'] as string, p]));
    const linked = truth.people.filter((p) => p.links.length > 1);
    expect(linked.length).toBe(truth.summary.people_in_several_sources);
    for (const person of linked) {
      for (const link of person.links) {
        if (link.source_kind === 'chatwoot_account') {
          const contact = contacts.get(link.external_id)!;
          const value =
            link.matched_on === 'email'
              ? String(contact['email']).toLowerCase()
              : contact['phone_number'];
          expect(value, person.key).toBe(link.value);
        } else {
          const record = byId.get(link.external_id)!;
          const values = link.matched_on === 'email' ? emailsOf(record) : phonesOf(record);
          expect(values, person.key).toContain(link.value);
        }
      }
    }
  });

  it('has no link the truth does not list: no other shared email or E.164 phone', () => {
    const linked = new Set(
      truth.people.flatMap((p) =>
        p.links.length > 1
          ? p.links
              .filter((l) => l.source_kind === 'chatwoot_account')
              .flatMap((c) =>
                p.links
                  .filter((l) => l.source_kind === 'attio_workspace')
                  .map((a) => `${c.external_id}|${a.external_id}`),
              )
          : [],
      ),
    );
    const found = new Set<string>();
    for (const contact of chatwoot.control.groundTruth.contacts()) {
      const email = (contact['email'] as string | null)?.toLowerCase();
      const phone = contact['phone_number'] as string | null;
      for (const person of people) {
        if (
          (email && emailsOf(person).includes(email)) ||
          (phone && phonesOf(person).includes(phone))
        )
          found.add(`${contact['id']}|${person['id']['record_id']}`);
      }
    }
    expect([...found].sort()).toEqual([...linked].sort());
  });

  it('ties companies by domain: Attio companies, Linear customers and Chatwoot email domains', () => {
    const customers = [...linear.control.groundTruth.customers()];
    const attioById = new Map(companies.map((c) => [c['id']['record_id'] as string, c]));
    const free = new Set(truth.free_mail_domains);
    for (const organization of truth.organizations) {
      for (const link of organization.links) {
        if (link.matched_on !== 'domain') continue;
        expect(free.has(link.value!)).toBe(false);
        if (link.source_kind === 'attio_workspace') {
          const domains = (attioById.get(link.external_id)!['values']['domains'] as Json[]).map(
            (d) => d['domain'],
          );
          expect(domains).toContain(link.value);
        }
        if (link.source_kind === 'linear_workspace')
          expect(customers.find((c) => c['id'] === link.external_id)!['domains']).toContain(
            link.value,
          );
      }
    }
    // The Chatwoot clients are there under their own names, in both tools.
    expect(companies.map((c) => c['values']['name'][0]['value'])).toContain('Кофейня «Зерно»');
    expect(customers.map((c) => c['name'])).toContain('Green Leaf Tea');
  });

  it('keeps the traps: free-mail people at two companies, a namesake, formatted phones', () => {
    const gmail = people.filter((p) => emailsOf(p).some((e) => e.endsWith('@gmail.com')));
    const companiesOfGmail = new Set(
      gmail.map((p) => (p['values']['company'][0] as Json | undefined)?.['target_record_id']),
    );
    expect(companiesOfGmail.size).toBeGreaterThan(1);
    const formatted = people.flatMap((p) => p['values']['phone_numbers'] as Json[]);
    expect(formatted.length).toBeGreaterThan(10);
    expect(formatted.every((v) => v['original_phone_number'] !== v['phone_number'])).toBe(true);
    const namesakes = truth.apart.find((a) => a.kind === 'people')!;
    const [a, b] = namesakes.keys.map((key) => truth.people.find((p) => p.key === key)!);
    expect(a!.name).toBe(b!.name);
    const shared = a!.emails.filter((e) => b!.emails.includes(e));
    expect(shared).toEqual([]);
  });
});
