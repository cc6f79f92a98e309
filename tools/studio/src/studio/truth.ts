// The known truth for people and organisation linking: which Chatwoot contact, Attio person and
// company, Linear customer and user are the same person or company, what ties them (normalised
// email, E.164 phone, domain), and which look-alikes must stay apart. Machine-readable JSON.
import type { Studio } from './types.js';

export type SourceKind = 'chatwoot_account' | 'attio_workspace' | 'linear_workspace';
export type MatchedOn = 'email' | 'phone' | 'domain';

export interface TruthLink {
  source_kind: SourceKind;
  /** What the id names in that source. */
  entity:
    | 'contact'
    | 'agent'
    | 'person'
    | 'company'
    | 'workspace_member'
    | 'customer'
    | 'user'
    | 'email_domain';
  external_id: string;
  /** The field that ties this record to the others; null when no other source has it. */
  matched_on: MatchedOn | null;
  /** The normalised value that matched. */
  value: string | null;
}

export interface TruthOrganization {
  key: string;
  name: string;
  domains: string[];
  links: TruthLink[];
  /** Chatwoot contacts whose (non-free-mail) address is at one of the domains. */
  chatwoot_contact_ids: number[];
}

export interface TruthPerson {
  key: string;
  name: string;
  /** The organisation the sources tie this person to (Attio's company, or the email domain). */
  organization_key: string | null;
  emails: string[];
  phones: string[];
  traps: string[];
  links: TruthLink[];
}

export interface TruthStaff {
  key: string;
  name: string;
  email: string;
  active: boolean;
  links: TruthLink[];
}

export interface StudioTruth {
  version: 1;
  studio: { seed: string; name: string; slug: string; companies: number; people: number };
  /** Addresses here never tie a person to an organisation, nor organisations to each other. */
  free_mail_domains: string[];
  staff: TruthStaff[];
  organizations: TruthOrganization[];
  people: TruthPerson[];
  /** Look-alikes a linker must keep apart. */
  apart: Studio['apart'];
  summary: {
    people_in_several_sources: number;
    people_linked_by_email: number;
    people_linked_by_phone_only: number;
    organizations_in_several_sources: number;
  };
}

export function studioTruth(studio: Studio): StudioTruth {
  const free = new Set(studio.freeMailDomains);
  const domainOwner = new Map<string, string>();
  for (const company of studio.companies)
    for (const domain of company.domains) domainOwner.set(domain, company.key);

  const contactsAt = new Map<string, number[]>();
  for (const person of studio.people) {
    const domain = person.chatwootEmail?.toLowerCase().split('@')[1];
    if (person.chatwootContactIds.length === 0 || !domain || free.has(domain)) continue;
    const owner = domainOwner.get(domain);
    if (owner === undefined) continue;
    contactsAt.set(owner, [...(contactsAt.get(owner) ?? []), ...person.chatwootContactIds]);
  }

  const organizations: TruthOrganization[] = studio.companies.map((company) => {
    const contactIds = contactsAt.get(company.key) ?? [];
    const chatwootDomains = new Set(
      studio.people
        .filter((p) => p.chatwootContactIds.some((id) => contactIds.includes(id)))
        .map((p) => p.chatwootEmail!.toLowerCase().split('@')[1]!),
    );
    const sources = 1 + (company.linearCustomerId ? 1 : 0) + (contactIds.length > 0 ? 1 : 0);
    const shared = sources > 1 ? company.domains[0]! : null;
    const links: TruthLink[] = [
      {
        source_kind: 'attio_workspace',
        entity: 'company',
        external_id: company.attioRecordId,
        matched_on: shared ? 'domain' : null,
        value: shared,
      },
    ];
    if (company.linearCustomerId)
      links.push({
        source_kind: 'linear_workspace',
        entity: 'customer',
        external_id: company.linearCustomerId,
        matched_on: shared ? 'domain' : null,
        value: shared,
      });
    for (const domain of [...chatwootDomains].sort())
      links.push({
        source_kind: 'chatwoot_account',
        entity: 'email_domain',
        external_id: domain,
        matched_on: 'domain',
        value: domain,
      });
    return {
      key: company.key,
      name: company.name,
      domains: company.domains,
      links,
      chatwoot_contact_ids: contactIds,
    };
  });

  let byEmail = 0;
  let byPhone = 0;
  const people: TruthPerson[] = studio.people.map((person) => {
    const emails = person.emails.map((e) => e.address);
    const phones = person.phones.map((p) => p.e164);
    const cwEmail = person.chatwootEmail?.toLowerCase() ?? null;
    let matched: { on: MatchedOn; value: string } | null = null;
    if (person.chatwootContactIds.length > 0 && person.attioRecordId !== null) {
      if (cwEmail !== null && emails.includes(cwEmail)) matched = { on: 'email', value: cwEmail };
      else if (person.chatwootPhone !== null && phones.includes(person.chatwootPhone))
        matched = { on: 'phone', value: person.chatwootPhone };
      else throw new Error(`${person.key} is in two sources with nothing in common`);
      if (matched.on === 'email') byEmail++;
      else byPhone++;
    }
    const links: TruthLink[] = [];
    // Two Chatwoot contacts with one address are one person, tied by that address.
    const twice = person.chatwootContactIds.length > 1 && cwEmail !== null;
    for (const id of person.chatwootContactIds)
      links.push({
        source_kind: 'chatwoot_account',
        entity: 'contact',
        external_id: String(id),
        matched_on: matched?.on ?? (twice ? 'email' : null),
        value: matched?.value ?? (twice ? cwEmail : null),
      });
    if (person.attioRecordId !== null)
      links.push({
        source_kind: 'attio_workspace',
        entity: 'person',
        external_id: person.attioRecordId,
        matched_on: matched?.on ?? null,
        value: matched?.value ?? null,
      });
    const emailDomain = cwEmail?.split('@')[1];
    const organization =
      person.attioRecordId !== null
        ? person.companyKey
        : emailDomain && !free.has(emailDomain)
          ? (domainOwner.get(emailDomain) ?? null)
          : null;
    return {
      key: person.key,
      name: person.name,
      organization_key: organization,
      emails: [...new Set([...(cwEmail ? [cwEmail] : []), ...emails])],
      phones: [...new Set([...(person.chatwootPhone ? [person.chatwootPhone] : []), ...phones])],
      traps: [...new Set(person.traps)],
      links,
    };
  });

  const staff: TruthStaff[] = studio.staff.map((member) => {
    const email = member.email.toLowerCase();
    const links: TruthLink[] = [];
    if (member.chatwootAgentId !== null)
      links.push({
        source_kind: 'chatwoot_account',
        entity: 'agent',
        external_id: String(member.chatwootAgentId),
        matched_on: 'email',
        value: email,
      });
    links.push(
      {
        source_kind: 'linear_workspace',
        entity: 'user',
        external_id: member.linearUserId,
        matched_on: 'email',
        value: email,
      },
      {
        source_kind: 'attio_workspace',
        entity: 'workspace_member',
        external_id: member.attioWorkspaceMemberId,
        matched_on: 'email',
        value: email,
      },
    );
    return { key: member.key, name: member.name, email, active: member.active, links };
  });

  return {
    version: 1,
    studio: {
      seed: studio.seed,
      name: studio.name,
      slug: studio.slug,
      companies: studio.companies.length,
      people: studio.people.length,
    },
    free_mail_domains: [...studio.freeMailDomains],
    staff,
    organizations,
    people,
    apart: studio.apart,
    summary: {
      people_in_several_sources: byEmail + byPhone,
      people_linked_by_email: byEmail,
      people_linked_by_phone_only: byPhone,
      organizations_in_several_sources: organizations.filter((o) => o.links.length > 1).length,
    },
  };
}
