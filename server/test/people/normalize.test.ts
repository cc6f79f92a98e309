// @module-tag no-database
import { describe, expect, it } from 'vitest';
import {
  linkPeople,
  normalizeDomain,
  normalizeEmail,
  normalizePhone,
} from '../../src/modules/people/link/index.js';

describe('contact point normalisation', () => {
  it('lower-cases and trims emails without folding dots or plus tags', () => {
    expect(normalizeEmail('  Anna.Petrova@Kofeinya-Zerno.EXAMPLE ')).toBe(
      'anna.petrova@kofeinya-zerno.example',
    );
    expect(normalizeEmail('a.b+x@gmail.com')).toBe('a.b+x@gmail.com');
    expect(normalizeEmail('not an email')).toBeNull();
    expect(normalizeEmail('')).toBeNull();
  });

  it('writes phones in E.164 with the given or default region', () => {
    expect(normalizePhone('8 (916) 123-45-67', 'RU')).toBe('+79161234567');
    expect(normalizePhone('+7 916 123-45-67', null)).toBe('+79161234567');
    expect(normalizePhone('07700 900123', 'GB')).toBe('+447700900123');
    expect(normalizePhone('8 (916) 123-45-67', null)).toBeNull();
    expect(normalizePhone('12', 'RU')).toBeNull();
  });

  it('takes the domain from hosts, URLs and addresses', () => {
    expect(normalizeDomain('https://www.Example.com/about?x=1')).toBe('example.com');
    expect(normalizeDomain('example.com.')).toBe('example.com');
    expect(normalizeDomain('user@Example.com')).toBe('example.com');
    expect(normalizeDomain('localhost')).toBeNull();
    expect(normalizeDomain('10.0.0.1')).toBeNull();
  });
});

describe('manual decisions', () => {
  const a = { source_kind: 'chatwoot_account', entity: 'contact', external_id: '1' } as const;
  const b = { source_kind: 'chatwoot_account', entity: 'contact', external_id: '2' } as const;
  const c = { source_kind: 'attio_workspace', entity: 'person', external_id: 'p' } as const;
  const records = [
    { ...a, name: 'Anna', emails: ['anna@x.example'], phones: [] },
    { ...b, name: 'Anna P.', emails: ['ANNA@x.example'], phones: [] },
    { ...c, name: 'Boris', emails: ['boris@y.example'], phones: [] },
  ];

  it('keeps apart what was split and joins what was merged, by hand', () => {
    const auto = linkPeople(records, []);
    expect(auto.people.map((p) => p.links.length).sort()).toEqual([1, 2]);
    const split = linkPeople(records, [], { decisions: { apart: [[a, b]] } });
    expect(split.people).toHaveLength(3);
    const merged = linkPeople(records, [], { decisions: { merge: [[a, c]] } });
    expect(merged.people).toHaveLength(1);
    const boris = merged.people[0]!.links.find((l) => l.external_id === 'p')!;
    expect(boris.matched_on).toBe('manual');
    // Two organisations from the two email domains, one person across them: the first wins.
    expect(merged.organizations).toHaveLength(2);
  });
});
