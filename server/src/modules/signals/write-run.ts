import { sql, type Transaction } from 'kysely';
import { isDeepStrictEqual } from 'node:util';
import type { Scope } from '../../db/database.js';
import type { DB, EvidenceRef, SignalStatus } from '../../db/schema.js';
import type { DetectedSignal, DetectorRun } from './detectors/index.js';

type Trx = Transaction<DB>;

export interface SignalWriteCounts {
  inserted: number;
  updated: number;
  reopened: number;
  resolved: number;
  unchanged: number;
  /** Signals not written because a ref did not resolve in the project (never expected). */
  dropped: number;
}

/**
 * The row kinds the detectors cite (detectors/types.ts `EvidenceSource`), each a table keyed by
 * `id`; a ref to any other row kind cannot be checked, so is dropped. An `external` ref is a URL
 * (an Attio deal's page), stored as given, as audit/evidence-refs.ts stores one.
 */
const CHECKABLE = new Set(['cw_messages', 'cw_conversations', 'lin_issues', 'att_tasks']);

const OPEN: SignalStatus[] = ['open', 'snoozed'];

/**
 * Writes one detector run (detectors/types.ts `DetectorRun`) into `signals`, inside the caller's
 * scoped transaction (the ingest transaction after a sync, or the job's):
 * - a condition is one row per (project, fingerprint), so no run duplicates it;
 * - a row is written only when what the detector says differs from what is stored, so a run over
 *   unchanged data writes nothing at all (not even `last_seen_at`, which is therefore the last
 *   time the condition was seen to change);
 * - resolutions close open rows with `auto: <why>`; an open row of a subject the run evaluated
 *   whose fingerprint the run neither reports nor resolves no longer holds, and closes too;
 * - a row closed by a person stays closed; one closed automatically reopens if the condition
 *   returns (the same message unanswered again after its reply was deleted, say);
 * - every evidence ref must resolve to a row of the project (row-level security hides the rest).
 */
export async function writeDetectorRun(
  trx: Trx,
  scope: Scope,
  run: DetectorRun,
  now: Date = new Date(),
): Promise<SignalWriteCounts> {
  const counts: SignalWriteCounts = {
    inserted: 0,
    updated: 0,
    reopened: 0,
    resolved: 0,
    unchanged: 0,
    dropped: 0,
  };
  const detected = new Map(run.signals.map((s) => [s.fingerprint, s]));
  const resolutions = new Map(run.resolutions.map((r) => [r.fingerprint, r]));
  const fingerprints = [...new Set([...detected.keys(), ...resolutions.keys()])];
  const subjectKeys = [...new Set(run.evaluated.map((e) => e.subject_key))];
  if (fingerprints.length === 0 && subjectKeys.length === 0) return counts;

  const existing = await trx
    .selectFrom('signals')
    .select([
      'id',
      'fingerprint',
      'status',
      'severity',
      'title',
      'detail',
      'due_at',
      'subject',
      'subject_key',
      'evidence_refs',
      'attributes',
      'detector',
      'detector_version',
      'resolution',
    ])
    .where('project_id', '=', scope.projectId)
    .where((eb) =>
      eb.or([
        eb(sql<string>`fingerprint`, '=', sql<string>`any(${fingerprints}::text[])`),
        eb.and([
          eb(sql<string>`subject_key`, '=', sql<string>`any(${subjectKeys}::text[])`),
          eb('status', 'in', OPEN),
        ]),
      ]),
    )
    .execute();
  const stored = new Map(existing.map((row) => [row.fingerprint, row]));

  // Only what will be written is checked: an unchanged signal's refs were checked when stored.
  const toWrite: DetectedSignal[] = [];
  for (const signal of detected.values()) {
    const row = stored.get(signal.fingerprint);
    if (!row) toWrite.push(signal);
    else if (OPEN.includes(row.status)) {
      if (differs(row, signal)) toWrite.push(signal);
      else counts.unchanged++;
    } else if (row.status === 'resolved' && row.resolution?.startsWith('auto:')) {
      toWrite.push(signal);
    } else counts.unchanged++;
  }
  const resolvable = await resolvableRefs(trx, scope, toWrite);

  const resolves = (r: DetectedSignal['evidence_refs'][number]) =>
    r.source === 'external' || resolvable.has(`${r.source}\u001f${r.ref}`);
  const inserts = [];
  for (const signal of toWrite) {
    if (!signal.evidence_refs.every(resolves)) {
      counts.dropped++;
      continue;
    }
    const values = columns(signal);
    const row = stored.get(signal.fingerprint);
    if (!row) {
      inserts.push({
        ...values,
        project_id: scope.projectId,
        account_scope_id: scope.accountScopeId,
        fingerprint: signal.fingerprint,
        first_seen_at: now,
        last_seen_at: now,
      });
      continue;
    }
    const reopen = !OPEN.includes(row.status);
    await trx
      .updateTable('signals')
      .set({
        ...values,
        last_seen_at: now,
        ...(reopen
          ? { status: 'open', resolved_at: null, resolution: null, resolved_by: null }
          : {}),
      })
      .where('project_id', '=', scope.projectId)
      .where('id', '=', row.id)
      .execute();
    if (reopen) counts.reopened++;
    else counts.updated++;
  }
  if (inserts.length > 0) {
    // A concurrent writer (two syncs of one project) may have inserted the same condition: its
    // row stands, and the next run compares against it.
    const written = await trx
      .insertInto('signals')
      .values(inserts)
      .onConflict((oc) => oc.columns(['project_id', 'fingerprint']).doNothing())
      .returning('id')
      .execute();
    counts.inserted += written.length;
  }

  // Conditions that cleared: the detector's own reasons first, then the generic one.
  const evaluated = new Set(run.evaluated.map((e) => `${e.detector}\u001f${e.subject_key}`));
  const closing = new Map<string, string>();
  for (const row of existing) {
    if (!OPEN.includes(row.status) || detected.has(row.fingerprint)) continue;
    const resolution = resolutions.get(row.fingerprint);
    if (resolution) closing.set(row.id, `auto: ${resolution.why}`);
    else if (evaluated.has(`${row.detector}\u001f${row.subject_key}`))
      closing.set(row.id, 'auto: the condition no longer holds');
  }
  for (const [id, resolution] of closing) {
    await trx
      .updateTable('signals')
      .set({ status: 'resolved', resolved_at: now, resolution, resolved_by: null })
      .where('project_id', '=', scope.projectId)
      .where('id', '=', id)
      .execute();
    counts.resolved++;
  }
  return counts;
}

function columns(signal: DetectedSignal) {
  return {
    kind: signal.kind,
    severity: signal.severity,
    title: signal.title,
    detail: signal.detail,
    due_at: signal.due_at ?? null,
    subject: JSON.stringify(signal.subject),
    subject_key: signal.subject_key,
    evidence_refs: JSON.stringify(signal.evidence_refs),
    attributes: JSON.stringify(signal.attributes),
    detector: signal.detector,
    detector_version: signal.detector_version,
  };
}

function differs(
  row: {
    severity: string;
    title: string;
    detail: string;
    due_at: Date | string | null;
    subject: unknown;
    evidence_refs: unknown;
    attributes: unknown;
    detector_version: string;
  },
  signal: DetectedSignal,
): boolean {
  const storedDue = row.due_at === null ? null : new Date(row.due_at).getTime();
  const due = signal.due_at === undefined ? null : Date.parse(signal.due_at);
  return (
    row.severity !== signal.severity ||
    row.title !== signal.title ||
    row.detail !== signal.detail ||
    storedDue !== due ||
    row.detector_version !== signal.detector_version ||
    // jsonb does not keep key order; a deep comparison does not depend on it.
    !isDeepStrictEqual(row.subject, JSON.parse(JSON.stringify(signal.subject))) ||
    !isDeepStrictEqual(row.evidence_refs, JSON.parse(JSON.stringify(signal.evidence_refs))) ||
    !isDeepStrictEqual(row.attributes, JSON.parse(JSON.stringify(signal.attributes)))
  );
}

/** `source\u001fref` of every ref among the signals that names a row of the project. */
async function resolvableRefs(
  trx: Trx,
  scope: Scope,
  signals: DetectedSignal[],
): Promise<Set<string>> {
  const wanted = new Map<string, Set<string>>();
  for (const signal of signals) {
    for (const ref of signal.evidence_refs as EvidenceRef[]) {
      if (!CHECKABLE.has(ref.source)) continue;
      const set = wanted.get(ref.source) ?? new Set<string>();
      set.add(ref.ref);
      wanted.set(ref.source, set);
    }
  }
  const found = new Set<string>();
  for (const [source, refs] of wanted) {
    const { rows } = await sql<{ id: string }>`
      select id from ${sql.table(source)}
      where project_id = ${scope.projectId}::uuid and id = any(${[...refs]}::text[])`.execute(trx);
    for (const { id } of rows) found.add(`${source}\u001f${id}`);
  }
  return found;
}
