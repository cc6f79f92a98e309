// The linker's input and output. A record is one thing a source knows (a Chatwoot contact, an
// Attio person or company, a Linear customer or user), named by (source_kind, external_id); the
// output groups records into people and organisations, each link saying what tied it.

export type SourceKind = 'chatwoot_account' | 'attio_workspace' | 'linear_workspace';
export type MatchedOn = 'email' | 'phone' | 'domain' | 'manual';

/** Ids are unique per source and entity (a Chatwoot contact and agent can both be `1`). */
export interface RecordRef {
  source_kind: SourceKind;
  /** What the id names in the source: contact, agent, person, company, customer, user… */
  entity: string;
  external_id: string;
}

/** A phone as typed, with the country the source says it is in (Attio's `country_code`). */
export type PhoneInput = string | { number: string; region?: string | null };

export interface PersonRecord extends RecordRef {
  name: string | null;
  emails: readonly string[];
  phones: readonly PhoneInput[];
  /** The organisation record the source itself ties this person to (Attio's `company`). */
  organization?: RecordRef | null;
  /** The studio's own people (Linear users, Attio members): never tied to a client company. */
  staff?: boolean;
}

export interface OrganizationRecord extends RecordRef {
  name: string | null;
  /** Domains, hosts or URLs, as the source holds them. */
  domains: readonly string[];
}

/**
 * What people decided by hand, by record so it outlives any person id: `merge` pairs are one
 * person whatever their contact points say, `apart` pairs never end up in one person.
 */
export interface ManualDecisions {
  merge?: readonly [RecordRef, RecordRef][];
  apart?: readonly [RecordRef, RecordRef][];
}

export interface LinkOptions {
  /** ISO 3166-1 region for phones written without a country code. */
  defaultRegion?: string | null;
  decisions?: ManualDecisions;
}

export interface Link extends RecordRef {
  /** What tied this record to another one of the same person; null when it stands alone. */
  matched_on: MatchedOn | null;
  /** The normalised email, E.164 phone or domain that matched (null for manual and alone). */
  value: string | null;
}

export interface LinkedPerson {
  /** The smallest `source_kind:entity:external_id` of its links: stable while that record stays. */
  key: string;
  name: string | null;
  emails: string[];
  phones: string[];
  organization_key: string | null;
  links: Link[];
}

export interface LinkedOrganization {
  key: string;
  name: string | null;
  domains: string[];
  links: Link[];
}

export interface LinkResult {
  people: LinkedPerson[];
  organizations: LinkedOrganization[];
}
