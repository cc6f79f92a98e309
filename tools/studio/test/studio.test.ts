import { chatwootClients } from '@cairn/chatwoot-sim';
import { describe, expect, it } from 'vitest';
import { buildStudio, studioTruth, formatPhone, phoneOf } from '../src/index.js';

describe('the generated studio', () => {
  it('is a pure function of seed and size', () => {
    expect(JSON.stringify(buildStudio({ seed: 's', size: 'small' }))).toBe(
      JSON.stringify(buildStudio({ seed: 's', size: 'small' })),
    );
    expect(buildStudio({ seed: 's' }).companies[0]!.attioRecordId).not.toBe(
      buildStudio({ seed: 't' }).companies[0]!.attioRecordId,
    );
  });

  it('holds every Chatwoot contact of the same seed as a person, with the same contact points', () => {
    const studio = buildStudio({ seed: 'cw', size: 'small' });
    const clients = chatwootClients({ seed: 'cw', size: 'small' });
    const byContact = new Map(
      studio.people.flatMap((p) => p.chatwootContactIds.map((id) => [id, p] as const)),
    );
    for (const contact of clients.contacts) {
      const person = byContact.get(contact.id)!;
      expect(person.name).toBe(contact.name);
      expect(person.chatwootEmail).toBe(contact.email);
      if (person.chatwootContactIds[0] === contact.id)
        expect(person.chatwootPhone).toBe(contact.phoneNumber);
      expect(person.companyKey).toBe(contact.companySlug);
    }
    // Chatwoot's client companies are all there, with the domain its contacts write from.
    for (const company of clients.companies) {
      const found = studio.companies.find((c) => c.key === company.slug)!;
      expect(found.domains[0]).toBe(company.domain);
      expect(found.linearCustomerId).not.toBeNull();
    }
  });

  it('reaches the requested totals and keeps ids unique', () => {
    const studio = buildStudio({ seed: 'big', size: 'bench' });
    expect(studio.companies).toHaveLength(2_000);
    expect(studio.people).toHaveLength(5_125);
    const ids = [
      ...studio.companies.map((c) => c.attioRecordId),
      ...studio.people.flatMap((p) => (p.attioRecordId ? [p.attioRecordId] : [])),
      ...studio.companies.flatMap((c) => (c.linearCustomerId ? [c.linearCustomerId] : [])),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    const domains = studio.companies.flatMap((c) => c.domains);
    expect(new Set(domains).size).toBe(domains.length);
    const addresses = studio.people.flatMap((p) => p.emails.map((e) => e.address));
    expect(new Set(addresses).size).toBe(addresses.length);
  });

  it('writes phones as people type them, each normalising back to E.164', () => {
    expect(formatPhone(phoneOf('+79161234567'), 'national')).toBe('8 (916) 123-45-67');
    expect(formatPhone(phoneOf('+79161234567'), 'international')).toBe('+7 916 123-45-67');
    expect(formatPhone(phoneOf('+447700900123'), 'national')).toBe('07700 900123');
    const studio = buildStudio({ seed: 'phones', size: 'small' });
    const phones = studio.people.flatMap((p) => p.phones);
    expect(phones.length).toBeGreaterThan(20);
    for (const phone of phones) {
      expect(phone.original).not.toBe(phone.e164);
      const digits = phone.original.replace(/\D/g, '');
      const e164 =
        phone.countryCode === 'RU' ? `+7${digits.slice(-10)}` : `+44${digits.slice(-10)}`;
      expect(e164).toBe(phone.e164);
    }
  });
});

describe('the linking truth', () => {
  const studio = buildStudio({ seed: 'truth', size: 'small' });
  const truth = studioTruth(studio);
  const free = new Set(truth.free_mail_domains);

  it('ties every person found in two sources by a shared normalised email or E.164 phone', () => {
    const linked = truth.people.filter((p) => p.links.length > 1);
    expect(linked.length).toBe(truth.summary.people_in_several_sources);
    expect(truth.summary.people_linked_by_email).toBeGreaterThan(10);
    expect(truth.summary.people_linked_by_phone_only).toBeGreaterThan(0);
    for (const person of linked) {
      const studioPerson = studio.people.find((p) => p.key === person.key)!;
      const [link] = person.links;
      if (link!.matched_on === 'email') {
        expect(studioPerson.chatwootEmail!.toLowerCase()).toBe(link!.value);
        expect(studioPerson.emails.map((e) => e.address)).toContain(link!.value);
      } else {
        expect(link!.matched_on).toBe('phone');
        expect(studioPerson.chatwootPhone).toBe(link!.value);
        expect(studioPerson.phones.map((p) => p.e164)).toContain(link!.value);
        expect(studioPerson.traps).toContain('phone_only_match');
      }
    }
  });

  it('never names a free-mail domain as an organisation domain or link', () => {
    for (const organization of truth.organizations) {
      for (const domain of organization.domains) expect(free.has(domain)).toBe(false);
      for (const link of organization.links)
        if (link.matched_on === 'domain') expect(free.has(link.value!)).toBe(false);
    }
    const freeMailPeople = truth.people.filter((p) => p.traps.includes('free_mail'));
    expect(freeMailPeople.length).toBeGreaterThan(3);
  });

  it('carries the traps: namesakes at one company, gmail at two, mixed-case and formatted phones', () => {
    const [people, organizations] = [
      truth.apart.find((a) => a.kind === 'people')!,
      truth.apart.find((a) => a.kind === 'organizations')!,
    ];
    const [a, b] = people.keys.map((k) => truth.people.find((p) => p.key === k)!);
    expect(a!.name).toBe(b!.name);
    expect(a!.organization_key).toBe(b!.organization_key);
    expect(a!.emails).not.toEqual(b!.emails);
    for (const key of organizations.keys) {
      const gmail = truth.people.filter(
        (p) => p.organization_key === key && p.emails.some((e) => e.endsWith('@gmail.com')),
      );
      expect(gmail.length).toBeGreaterThan(0);
    }
    const traps = new Set(truth.people.flatMap((p) => p.traps));
    for (const trap of ['mixed_case_email', 'phone_format', 'phone_only_match', 'free_mail'])
      expect(traps).toContain(trap);
  });

  it('ties staff across Chatwoot agents, Linear users and Attio members by email', () => {
    const mark = truth.staff.find((s) => s.email === 'mark.jensen@linia-studio.example')!;
    expect(mark.links.map((l) => l.source_kind)).toEqual([
      'chatwoot_account',
      'linear_workspace',
      'attio_workspace',
    ]);
    expect(studio.staff.find((s) => s.key === mark.key)!.linearEmail).toBe(
      'Mark.Jensen@linia-studio.example',
    );
    expect(truth.staff.filter((s) => !s.active)).toHaveLength(1);
  });

  it('links Chatwoot companies across all three sources by domain', () => {
    const zerno = truth.organizations.find((o) => o.key === 'kofeinya-zerno')!;
    const kinds = zerno.links.map((l) => l.source_kind);
    expect(kinds).toContain('attio_workspace');
    expect(kinds).toContain('linear_workspace');
    expect(truth.summary.organizations_in_several_sources).toBeGreaterThanOrEqual(18);
  });
});
