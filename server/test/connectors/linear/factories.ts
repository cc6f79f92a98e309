import { randomUUID } from 'node:crypto';
import type { Database, Scope } from '../../../src/db/database.js';
import { normalize } from '../../../src/modules/connectors/linear/normalize.js';
import { upsertRows } from '../../../src/modules/connectors/linear/store.js';

/** One Linear issue stored as a sync would store it; returns its Linear id. */
export async function seedLinearIssue(
  database: Database,
  scope: Scope,
  text: { title?: string; description?: string } = {},
): Promise<string> {
  const id = randomUUID();
  const now = new Date().toISOString();
  const row = normalize.issues('org-seeded', {
    id,
    identifier: 'SEED-1',
    number: 1,
    title: text.title ?? 'Revised logo for the landing page',
    description: text.description ?? 'The client asked for a darker palette.',
    url: `https://linear.app/seeded/issue/SEED-1`,
    priority: 2,
    dueDate: null,
    createdAt: now,
    updatedAt: now,
    archivedAt: null,
    completedAt: null,
    canceledAt: null,
    labelIds: [],
    state: { name: 'Todo', type: 'unstarted' },
    assignee: null,
    team: { id: randomUUID(), key: 'SEED' },
    project: null,
    labels: { nodes: [] },
  });
  await database.withScope(scope, (trx) => upsertRows(trx, scope, 'issues', [row]));
  return id;
}
