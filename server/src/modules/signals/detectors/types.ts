/**
 * The detectors' inputs and outputs. Detectors are pure functions: they read these views, a
 * project's settings and `now`, and return signals and resolutions; they never touch the database,
 * the network or the clock. The caller (ingest, the scheduled job, the eval, the bench) builds the
 * views from stored rows and writes what comes back. docs/signals.md describes every detector.
 */

/** ISO-8601 instant, e.g. `2025-12-05T20:30:00.000Z` (an offset such as `+03:00` is accepted). */
export type Instant = string;

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

/** Who wrote a message: the client (`contact`), the studio (`user`), or an automation (`bot`). */
export interface MessageAuthor {
  kind: 'contact' | 'user' | 'bot';
  id: string | null;
  name: string | null;
}

/**
 * One message of a conversation. `inbound` is the client's (Chatwoot `incoming`), `outbound` the
 * studio's reply to the client (`outgoing`, not private), `note` a private note the client never
 * sees. Activity and template messages are not messages here (the adapter in views.ts drops them).
 */
export interface MessageView {
  /** The stored global id, e.g. `cwmsg:<project>:<account>:<message>`: what evidence cites. */
  id: string;
  direction: 'inbound' | 'outbound' | 'note';
  author: MessageAuthor;
  text: string;
  created_at: Instant;
  has_attachments: boolean;
}

export interface ConversationView {
  conversation: {
    /** The stored global id, e.g. `cw:<project>:<account>:<conversation>`. */
    id: string;
    /** Chatwoot's status: `open`, `pending`, `snoozed` or `resolved`. */
    status: string | null;
    contact: {
      id: string;
      name: string | null;
      person_id?: string | null;
      organization_id?: string | null;
    } | null;
    last_activity_at: Instant | null;
  };
  /** In any order; detectors sort by `created_at`, then `id`. */
  messages: MessageView[];
}

/** A Linear issue as the connector stores it (field names follow Linear's schema in snake case). */
export interface LinearIssueView {
  /** The `lin_issues` row id (Linear's issue id): what evidence cites. */
  id: string;
  identifier: string;
  title: string;
  url?: string | null;
  /** `state.type`: triage, backlog, unstarted, started, completed, canceled. */
  state_type: string;
  /** Linear's `TimelessDate`, `YYYY-MM-DD`: a day in the project's time zone. */
  due_date: string | null;
  completed_at?: Instant | null;
  canceled_at?: Instant | null;
  archived_at?: Instant | null;
  project?: { id: string; name: string } | null;
  customer?: { id: string; name: string } | null;
  organization_id?: string | null;
}

/** An Attio task (`content_plaintext`, `deadline_at`, `is_completed`, `linked_records`). */
export interface AttioTaskView {
  /** The `att_tasks` row id (Attio's task id): what evidence cites. */
  id: string;
  content: string;
  /** The first linked record's page in Attio, the task's deep link. */
  url?: string | null;
  deadline_at: Instant | null;
  is_completed: boolean;
  linked_records?: { target_object: string; target_record_id: string }[];
  person_id?: string | null;
  organization_id?: string | null;
  deal_id?: string | null;
}

/** An Attio deal record; `last_activity_at` is the newest of its value changes, notes and tasks. */
export interface AttioDealView {
  /** The `att_deals` row id (Attio's record id). */
  id: string;
  name: string;
  /** The deal's page in Attio: what evidence cites, as an `external` ref (no deal row kind). */
  web_url: string;
  stage: { title: string; is_closed?: boolean } | null;
  value?: { amount: number; currency: string } | null;
  last_activity_at: Instant | null;
  created_at: Instant;
  person_id?: string | null;
  organization_id?: string | null;
}

/** A project's working calendar and thresholds (see settings.ts for the defaults). */
export interface SignalSettings {
  /** IANA zone, e.g. `Europe/Moscow`: relative dates and business hours are read in it. */
  time_zone: string;
  business_hours: {
    /** ISO weekdays, 1 = Monday … 7 = Sunday. */
    days: number[];
    /** `HH:MM`, local. */
    start: string;
    /** `HH:MM`, local; also "the end of the business day" that date-only deadlines resolve to. */
    end: string;
  };
  /** `YYYY-MM-DD` days off that count as non-working. */
  holidays: string[];
  /** A client message waits this many working minutes before `awaiting_reply` fires. */
  response_target_minutes: number;
  /** An open conversation with no activity for this many calendar days is stalled. */
  stalled_days: number;
  /** A deal with no activity for this many calendar days is stalled. */
  deal_stalled_days: number;
}

// ---------------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------------

export const SIGNAL_KINDS = [
  'awaiting_reply',
  'commitment',
  'client_deadline',
  'payment',
  'risk',
  'stalled',
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];
/**
 * Who found a signal: a deterministic detector (named after its kind) or the optional model
 * detector `llm` (modules/signals/llm-detector.ts), which reports any kind.
 */
export type DetectorName = SignalKind | 'llm';
export type Severity = 'info' | 'warning' | 'critical';

/**
 * Where a ref points: the table of the row it names (audit/evidence-refs.ts reads every one of
 * them), or `external` with a URL as the ref (an Attio deal: evidence has no row kind for records).
 */
export type EvidenceSource =
  'cw_messages' | 'cw_conversations' | 'lin_issues' | 'att_tasks' | 'external';

/** The repository's evidence ref shape (`{source, ref, snippet, meta}`), with a highlight. */
export interface SignalEvidenceRef {
  source: EvidenceSource;
  ref: string;
  /** The cited text (the message, or a window of it when long). */
  snippet: string;
  meta: {
    /** `[start, end)` offsets into `snippet` of the phrase that matched, for highlighting. */
    match?: [number, number];
    /** The message time, so the UI can show it without another read. */
    at?: Instant;
    /** A Linear or Attio row's page in that tool, so a list can link it without another read. */
    deep_link?: string;
  };
}

export interface SignalSubject {
  conversation_id?: string;
  contact_id?: string;
  person_id?: string;
  organization_id?: string;
  linear_issue_id?: string;
  attio_deal_id?: string;
  attio_task_id?: string;
}

/**
 * One condition that needs attention. Its fields depend on `now` only in steps (severity,
 * `overdue`, a title saying "Overdue"), never continuously (no "waiting 5.3 hours"), so the
 * scheduled re-evaluation of an unchanged condition returns an identical signal and the caller
 * writes nothing until a step is crossed.
 */
export interface DetectedSignal {
  kind: SignalKind;
  severity: Severity;
  title: string;
  detail: string;
  due_at?: Instant;
  subject: SignalSubject;
  /** Never empty; the first ref is the primary one (the message the signal is about). */
  evidence_refs: SignalEvidenceRef[];
  detector: DetectorName;
  detector_version: string;
  /**
   * Stable for the same underlying condition across runs (derived from ids, never from text
   * offsets, severity or the time of the run), distinct for distinct conditions. The detector
   * version is deliberately not part of it, so a new version updates signals instead of
   * duplicating them.
   */
  fingerprint: string;
  /** Which subject the condition belongs to (see `DetectorRun.evaluated`). */
  subject_key: string;
  /** Small typed facts for the UI and the digest, e.g. `{amount: 120000, currency: 'RUB'}`. */
  attributes: Record<string, string | number | boolean | null>;
}

/** A condition that held once (its signal may be open) and has cleared. */
export interface SignalResolution {
  fingerprint: string;
  detector: SignalKind;
  subject_key: string;
  /** Human-readable, stored as `resolution = 'auto: <why>'`. */
  why: string;
  /** The evidence that cleared it (the reply, the delivery, the payment), when there is one. */
  evidence_ref?: string;
}

/**
 * Everything one run found. Contract for the caller: for every `(detector, subject_key)` in
 * `evaluated`, the detector saw the subject's complete current state, so an open signal of that
 * detector and subject whose fingerprint is in neither `signals` nor `resolutions` no longer
 * holds either (for example a stalled deal whose activity resumed), and may be auto-resolved with
 * a generic reason. Resolutions name the specific reason where the detector can.
 */
export interface DetectorRun {
  signals: DetectedSignal[];
  resolutions: SignalResolution[];
  evaluated: { detector: SignalKind; subject_key: string }[];
  /**
   * The earliest future instant at which a time-based condition among the evaluated subjects
   * changes (a response target elapses, a promise falls due): when the scheduled job should look
   * again. Null when nothing is pending.
   */
  next_check_at: Instant | null;
}
