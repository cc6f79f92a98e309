// One generated design studio, seen by every simulator: its staff, its client companies and the
// people at them, with the ids each source gives them. The Chatwoot part is read from the Chatwoot
// simulator for the same seed; everything else is derived from it deterministically.
import type { ExplicitSize, Language, SizeName, Topic } from '@cairn/chatwoot-sim';
import type { PhoneNumber } from './phones.js';

export type StudioSizeName = 'tiny' | 'small' | 'medium' | 'bench';

export interface StudioOptions {
  /** The seed the Chatwoot simulator runs with; every simulator of one studio shares it. */
  seed?: number | string;
  /** A preset, or its parts. Presets pair with the Chatwoot sizes of the same name. */
  size?: StudioSizeName | StudioSize;
  /** End of the generated history, Unix seconds (Chatwoot's fixed default when omitted). */
  historyEndsAt?: number;
}

export interface StudioSize {
  /** The size the Chatwoot simulator runs with (its contacts become the studio's people). */
  chatwootSize: SizeName | ExplicitSize;
  /** Client companies in all; those beyond Chatwoot's are generated. */
  companies: number;
  /** Client people in all (the CRM's people); those beyond Chatwoot's are generated. */
  people: number;
}

export interface StudioCompany {
  index: number;
  /** Stable key, also the first label of its email domain. */
  key: string;
  name: string;
  language: Language;
  /** Its people's email domain first; some companies own a second domain. */
  domains: string[];
  /** Whether the Chatwoot simulator can write for this company. */
  fromChatwoot: boolean;
  /** What the studio does for it, first the main engagement (topic keys). */
  topics: string[];
  attioRecordId: string;
  /** Only part of the clients are Linear customers; Chatwoot's always are. */
  linearCustomerId: string | null;
  /** Unix seconds: when the CRM and the tracker first recorded the company. */
  createdAt: number;
}

export interface StudioEmail {
  /** Lower-cased, as a linker compares it. */
  address: string;
  /** As typed into the CRM (sometimes with capitals). */
  original: string;
}

export interface StudioPhone extends PhoneNumber {
  /** As typed into the CRM, never E.164 (`8 (916) 123-45-67`, `07700 900123`). */
  original: string;
}

/** Deliberate difficulties for people linking, named in the truth file. */
export type PersonTrap =
  'free_mail' | 'phone_only_match' | 'phone_format' | 'mixed_case_email' | 'same_name_colleague';

export interface StudioPerson {
  index: number;
  key: string;
  firstName: string;
  lastName: string;
  name: string;
  language: Language;
  companyKey: string | null;
  /** In the CRM, primary first. */
  emails: StudioEmail[];
  phones: StudioPhone[];
  /**
   * The Chatwoot contacts this person is: usually none or one; two when Chatwoot holds the same
   * address twice (its generator can give two conversations' contacts one name and company).
   */
  chatwootContactIds: number[];
  /** Contact points as Chatwoot holds them (for the truth file). */
  chatwootEmail: string | null;
  chatwootPhone: string | null;
  /** The Attio person record, if the CRM has them. */
  attioRecordId: string | null;
  createdAt: number;
  traps: PersonTrap[];
}

export interface StudioStaff {
  index: number;
  key: string;
  firstName: string;
  lastName: string;
  name: string;
  /** Lower-case; Linear shows one of them with capitals (`linearEmail`). */
  email: string;
  linearEmail: string;
  role: 'admin' | 'member';
  active: boolean;
  chatwootAgentId: number | null;
  linearUserId: string;
  attioWorkspaceMemberId: string;
  createdAt: number;
}

export interface Studio {
  seed: string;
  seedHash: number;
  size: StudioSize;
  /** Unix seconds. */
  historyEnd: number;
  name: string;
  host: string;
  /** Linear's urlKey and Attio's workspace slug. */
  slug: string;
  staff: StudioStaff[];
  companies: StudioCompany[];
  people: StudioPerson[];
  topics: readonly Topic[];
  freeMailDomains: readonly string[];
  /** Pairs the truth file says must stay apart although something about them looks alike. */
  apart: { kind: 'people' | 'organizations'; keys: [string, string]; reason: string }[];
}
