// @module-tag no-database
// People linking against the generated studio's known truth (tools/studio, studioTruth): every
// person and organisation the truth ties across sources comes out as one, with the evidence the
// truth names, and nothing else is tied — free-mail addresses, look-alike colleagues and
// single-source records included. Breaking either direction fails this file.
import { buildStudio, studioTruth, type StudioTruth, type TruthLink } from '@cairn/studio';
import { describe, expect, it } from 'vitest';
import {
  FREE_MAIL_DOMAINS,
  linkPeople,
  type LinkResult,
} from '../../src/modules/people/link/index.js';
import { studioRecords } from './studio-records.js';

const ref = (l: { source_kind: string; entity: string; external_id: string }) =>
  `${l.source_kind}:${l.entity}:${l.external_id}`;
const sorted = (xs: string[]) => [...xs].sort();

function check(truth: StudioTruth, result: LinkResult) {
  const personOf = new Map(result.people.flatMap((p) => p.links.map((l) => [ref(l), p])));
  const orgOf = new Map(result.organizations.flatMap((o) => o.links.map((l) => [ref(l), o])));

  // Every truth person (clients and staff) is exactly one linked person, with the truth's evidence.
  const expected = [
    ...truth.people.map((p) => ({ key: p.key, links: p.links, org: p.organization_key })),
    ...truth.staff.map((s) => ({ key: s.key, links: s.links, org: null })),
  ];
  for (const person of expected) {
    const found = personOf.get(ref(person.links[0]!));
    expect(found, person.key).toBeDefined();
    expect(sorted(found!.links.map(ref)), person.key).toEqual(sorted(person.links.map(ref)));
    for (const link of person.links) {
      const got = found!.links.find((l) => ref(l) === ref(link))!;
      expect([got.matched_on, got.value], `${person.key} ${ref(link)}`).toEqual([
        link.matched_on,
        link.value,
      ]);
    }
    const orgKey = person.org
      ? truth.organizations.find((o) => o.key === person.org)!.links[0]!
      : null;
    expect(found!.organization_key, `${person.key} organisation`).toBe(
      orgKey ? orgOf.get(ref(orgKey))!.key : null,
    );
  }
  // Nothing beyond the truth: as many people as the truth has, so no record was tied wrongly.
  expect(result.people).toHaveLength(expected.length);

  for (const org of truth.organizations) {
    const found = orgOf.get(ref(org.links[0]!));
    expect(found, org.key).toBeDefined();
    expect(sorted(found!.links.map(ref)), org.key).toEqual(sorted(org.links.map(ref)));
    for (const link of org.links) {
      const got = found!.links.find((l) => ref(l) === ref(link))!;
      expect(got.matched_on, `${org.key} ${ref(link)}`).toBe(link.matched_on);
      if (link.matched_on) expect(org.domains).toContain(got.value);
    }
  }
  expect(result.organizations).toHaveLength(truth.organizations.length);

  // Free mail never makes or joins an organisation.
  for (const org of result.organizations)
    for (const domain of org.domains) expect(FREE_MAIL_DOMAINS.has(domain), domain).toBe(false);

  for (const pair of truth.apart) {
    const groups = pair.kind === 'people' ? truth.people : truth.organizations;
    const [a, b] = pair.keys.map(
      (key) => groups.find((g) => g.key === key)!.links[0]! as TruthLink,
    );
    const index = pair.kind === 'people' ? personOf : orgOf;
    expect(index.get(ref(a!))!.key, pair.reason).not.toBe(index.get(ref(b!))!.key);
  }
}

describe('people linking on the generated studio', () => {
  for (const [seed, size] of [
    ['demo', 'small'],
    ['truth', 'small'],
    [7, 'tiny'],
  ] as const) {
    it(`finds every seeded link and no other (seed ${seed}, ${size})`, () => {
      const studio = buildStudio({ seed, size });
      const truth = studioTruth(studio);
      // The traps are in the data, so passing means handling them.
      const traps = new Set(truth.people.flatMap((p) => p.traps));
      for (const trap of ['free_mail', 'phone_only_match', 'phone_format', 'mixed_case_email'])
        expect(traps, trap).toContain(trap);
      expect(truth.summary.people_linked_by_phone_only).toBeGreaterThan(0);

      const records = studioRecords(studio);
      const result = linkPeople(records.people, records.organizations, { defaultRegion: 'RU' });
      check(truth, result);
    });
  }

  it('gives the same answer whatever order the records come in', () => {
    const studio = buildStudio({ seed: 'order', size: 'tiny' });
    const records = studioRecords(studio);
    const once = linkPeople(records.people, records.organizations, { defaultRegion: 'RU' });
    const again = linkPeople([...records.people].reverse(), [...records.organizations].reverse(), {
      defaultRegion: 'RU',
    });
    expect(JSON.stringify(again)).toBe(JSON.stringify(once));
  });
});
