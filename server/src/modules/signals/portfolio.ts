import {
  SIGNAL_KINDS,
  type PortfolioProject,
  type PortfolioSignal,
  type Severity,
  type SignalKind,
} from '@cairn/contract';
import { sql, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB, ProjectRole, SignalsTable } from '../../db/schema.js';
import { tokenCovers, type TokenContext, type UserContext } from '../access/identity.js';
import { grantsInProject, type Grantee } from '../access/permissions.js';

/** How many overdue commitments a project lists; `total` counts them all. */
export const OVERDUE_LISTED = 5;

/**
 * Every project the caller may read (owners: all; members: theirs; a token: the ones it covers),
 * each read in its own scope so row-level security applies exactly as on `GET /signals`.
 */
export async function portfolio(
  database: Database,
  caller: { user: UserContext; token: TokenContext | null },
  now: Date,
): Promise<PortfolioProject[]> {
  const grantee: Grantee = {
    workspaceRole: caller.user.role,
    ...(caller.token ? { tokenPermission: caller.token.permission } : {}),
  };
  const projects = await database.db
    .selectFrom('projects')
    .select([
      'id',
      'name',
      'account_scope_id',
      sql<ProjectRole | null>`project_role_of(${caller.user.id}::uuid, id)`.as('role'),
    ])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const visible = projects.filter(
    (p): p is typeof p & { role: ProjectRole } =>
      p.role !== null &&
      grantsInProject(grantee, p.role, 'project:read') &&
      (!caller.token || tokenCovers(caller.token, p.id)),
  );
  const out: PortfolioProject[] = [];
  for (const project of visible) {
    const scope = {
      projectId: project.id,
      accountScopeId: project.account_scope_id,
      actor: { kind: 'user' as const, userId: caller.user.id },
    };
    out.push({
      project_id: project.id,
      name: project.name,
      role: project.role,
      ...(await database.withScope(scope, (trx) => projectSummary(trx, project.id, now))),
    });
  }
  return out;
}

async function projectSummary(trx: Transaction<DB>, projectId: string, now: Date) {
  const open = trx
    .selectFrom('signals')
    .where('project_id', '=', projectId)
    .where('status', '=', 'open');
  const counts = await open
    .select(['kind', 'severity', sql<number>`count(*)::int`.as('n')])
    .groupBy(['kind', 'severity'])
    .execute();
  const by_kind = Object.fromEntries(SIGNAL_KINDS.map((k) => [k, 0])) as Record<SignalKind, number>;
  const by_severity: Record<Severity, number> = { info: 0, warning: 0, critical: 0 };
  let open_total = 0;
  for (const row of counts) {
    if (row.kind in by_kind) by_kind[row.kind as SignalKind] += row.n;
    if (row.severity in by_severity) by_severity[row.severity] += row.n;
    open_total += row.n;
  }
  // The longest wait: the earliest reply target passed (its wait began first).
  const oldest = await open
    .selectAll()
    .where('kind', '=', 'awaiting_reply')
    .orderBy(sql`due_at asc nulls last`)
    .orderBy('first_seen_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  const overdue = open.where('kind', '=', 'commitment').where('due_at', '<', now);
  const overdueTotal = await overdue
    .select(sql<number>`count(*)::int`.as('n'))
    .executeTakeFirstOrThrow();
  const overdueRows = await overdue
    .selectAll()
    .orderBy('due_at')
    .orderBy('id')
    .limit(OVERDUE_LISTED)
    .execute();
  return {
    open_total,
    by_kind,
    by_severity,
    oldest_waiting_reply: oldest ? portfolioSignal(oldest) : null,
    overdue_commitments: { total: overdueTotal.n, items: overdueRows.map(portfolioSignal) },
  };
}

const iso = (value: Date | string | null) =>
  value === null ? null : new Date(value).toISOString();

function portfolioSignal(row: Selectable<SignalsTable>): PortfolioSignal {
  const ref = row.evidence_refs[0]!;
  const conversation = row.subject.conversation_id ?? null;
  return {
    id: row.id,
    title: row.title,
    severity: row.severity,
    due_at: iso(row.due_at),
    first_seen_at: iso(row.first_seen_at)!,
    evidence_ref: ref,
    conversation_id: conversation,
    link: deepLink(ref, conversation),
  };
}

/** The web app's thread page at the cited message (web/src/lib/links.ts builds the same). */
function deepLink(ref: { source: string; ref: string }, conversation: string | null) {
  if (ref.source !== 'cw_messages' && ref.source !== 'cw_conversations') return null;
  const params = new URLSearchParams();
  if (conversation) params.set('id', conversation);
  else if (ref.source === 'cw_conversations') params.set('id', ref.ref);
  if (ref.source === 'cw_messages') params.set('message', ref.ref);
  return `/conversations/view?${params.toString()}`;
}
