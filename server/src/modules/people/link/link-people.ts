// People and organisations across sources, as a pure function of the records the sources hold and
// the decisions people made by hand. Records of one person share a normalised email or an E.164
// phone; records of one organisation share a domain (Attio company domains, Linear customer
// domains, and the email domains of people no source ties to a company). Free-mail domains never
// tie organisations (free-mail.ts). Same input, same output: records and values are sorted first.
import { cluster, cmp } from './clusters.js';
import { isFreeMailDomain } from './free-mail.js';
import { emailDomain, normalizeDomain, normalizeEmail, normalizePhone } from './normalize.js';
import type {
  Link,
  LinkedOrganization,
  LinkedPerson,
  LinkOptions,
  LinkResult,
  OrganizationRecord,
  PersonRecord,
  RecordRef,
  SourceKind,
} from './types.js';

export const refKey = (r: RecordRef): string => `${r.source_kind}:${r.entity}:${r.external_id}`;

/** Whose name wins when sources disagree: the CRM is where people keep names tidy. */
const NAME_PRIORITY: Record<SourceKind, number> = {
  attio_workspace: 0,
  linear_workspace: 1,
  chatwoot_account: 2,
};

/** An organisation made from the email domain of people no source ties to a company. */
export const EMAIL_DOMAIN_ENTITY = 'email_domain';

export function linkPeople(
  personRecords: readonly PersonRecord[],
  organizationRecords: readonly OrganizationRecord[],
  options: LinkOptions = {},
): LinkResult {
  const region = options.defaultRegion ?? null;
  const persons = uniqueByRef(personRecords).map((record) => ({
    record,
    ref: refKey(record),
    emails: sortedSet(record.emails.map(normalizeEmail)),
    phones: sortedSet(
      record.phones.map((p) =>
        typeof p === 'string'
          ? normalizePhone(p, region)
          : normalizePhone(p.number, p.region ?? region),
      ),
    ),
  }));

  // Organisations: the sources' own, then one per (source, email domain) of untied people.
  const orgs = uniqueByRef(organizationRecords).map((record) => ({
    record,
    ref: refKey(record),
    domains: sortedSet(record.domains.map(normalizeDomain)),
  }));
  const orgRefs = new Set(orgs.map((o) => o.ref));
  const emailDomainRefs = new Map<string, string[]>();
  for (const p of persons) {
    if (p.record.staff || p.record.organization) continue;
    const refs: string[] = [];
    for (const domain of sortedSet(p.emails.map(emailDomain))) {
      if (isFreeMailDomain(domain)) continue;
      const ref = refKey({
        source_kind: p.record.source_kind,
        entity: EMAIL_DOMAIN_ENTITY,
        external_id: domain,
      });
      refs.push(ref);
      if (!orgRefs.has(ref)) {
        orgRefs.add(ref);
        orgs.push({
          record: {
            source_kind: p.record.source_kind,
            external_id: domain,
            entity: EMAIL_DOMAIN_ENTITY,
            name: null,
            domains: [domain],
          },
          ref,
          domains: [domain],
        });
      }
    }
    emailDomainRefs.set(p.ref, refs);
  }

  const decisions = options.decisions ?? {};
  const pairs = (list: readonly [RecordRef, RecordRef][] | undefined) =>
    (list ?? []).map(([a, b]) => [refKey(a), refKey(b)] as [string, string]);

  const orgClusters = cluster(
    orgs.map((o) => ({
      ref: o.ref,
      values: { domain: o.domains.filter((d) => !isFreeMailDomain(d)) },
    })),
    ['domain'],
    [],
    [],
  );
  const orgByRef = new Map(orgs.map((o) => [o.ref, o]));
  const orgKeyOf = new Map<string, string>();
  const organizations: LinkedOrganization[] = orgClusters.groups.map((group) => {
    const key = group[0]!;
    for (const ref of group) orgKeyOf.set(ref, key);
    const members = group.map((ref) => orgByRef.get(ref)!);
    return {
      key,
      name: pickName(members.map((m) => m.record)) ?? members[0]!.domains[0] ?? null,
      domains: sortedSet(members.flatMap((m) => m.domains)),
      links: members.map((m) => toLink(m.record, orgClusters.evidence.get(m.ref))),
    };
  });

  const personClusters = cluster(
    persons.map((p) => ({ ref: p.ref, values: { email: p.emails, phone: p.phones } })),
    ['email', 'phone'],
    pairs(decisions.merge),
    pairs(decisions.apart),
  );
  const personByRef = new Map(persons.map((p) => [p.ref, p]));
  const people: LinkedPerson[] = personClusters.groups.map((group) => {
    const members = group.map((ref) => personByRef.get(ref)!);
    return {
      key: group[0]!,
      name: pickName(members.map((m) => m.record)),
      emails: sortedSet(members.flatMap((m) => m.emails)),
      phones: sortedSet(members.flatMap((m) => m.phones)),
      organization_key: organizationOf(members, orgKeyOf, emailDomainRefs),
      links: members.map((m) => toLink(m.record, personClusters.evidence.get(m.ref))),
    };
  });

  return { people, organizations };
}

/** The company a source names wins over one guessed from an email domain. */
function organizationOf(
  members: { ref: string; record: PersonRecord }[],
  orgKeyOf: Map<string, string>,
  emailDomainRefs: Map<string, string[]>,
): string | null {
  for (const m of members) {
    const named = m.record.organization ? orgKeyOf.get(refKey(m.record.organization)) : undefined;
    if (named) return named;
  }
  for (const m of members)
    for (const ref of emailDomainRefs.get(m.ref) ?? []) {
      const key = orgKeyOf.get(ref);
      if (key) return key;
    }
  return null;
}

function toLink(
  record: PersonRecord | OrganizationRecord,
  evidence: { on: Link['matched_on']; value: string | null } | undefined,
): Link {
  return {
    source_kind: record.source_kind,
    external_id: record.external_id,
    entity: record.entity,
    matched_on: evidence?.on ?? null,
    value: evidence?.value ?? null,
  };
}

function pickName(records: readonly { source_kind: SourceKind; name: string | null }[]) {
  const named = records
    .map((r) => ({ priority: NAME_PRIORITY[r.source_kind], name: r.name?.trim() ?? '' }))
    .filter((r) => r.name !== '')
    .sort((a, b) => a.priority - b.priority || cmp(a.name, b.name));
  return named[0]?.name ?? null;
}

function uniqueByRef<T extends RecordRef>(records: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const r of records) if (!seen.has(refKey(r))) seen.set(refKey(r), r);
  return [...seen.values()].sort((a, b) => cmp(refKey(a), refKey(b)));
}

function sortedSet(values: readonly (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== null))].sort(cmp);
}
