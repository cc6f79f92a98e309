// Relay connections as Linear pages them: `first` (default 50, at most 250) and `after` an opaque
// cursor, ordered by createdAt (default) or updatedAt, archived entities left out unless
// includeArchived. Cursors name the position (order key and id), not an offset, so a page stays
// stable while entities are added or edited behind it.
import { invalidInput } from './errors.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 250;

export type OrderBy = 'createdAt' | 'updatedAt';

export interface Sortable {
  id: string;
  createdAt: number;
  updatedAt: number;
  archivedAt?: number | null;
}

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  orderBy?: OrderBy | null;
  includeArchived?: boolean | null;
  filter?: Record<string, unknown> | null;
}

export interface Page<T> {
  nodes: T[];
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (first < 0) throw invalidInput('Argument Validation Error', 'first must not be negative.');
  if (first > MAX_PAGE_SIZE)
    throw invalidInput(
      'Argument Validation Error',
      `first must not be greater than ${MAX_PAGE_SIZE}.`,
    );
  return first;
}

function encodeCursor(orderBy: OrderBy, key: number, id: string): string {
  return Buffer.from(`${orderBy}:${key}:${id}`).toString('base64url');
}

function decodeCursor(cursor: string, orderBy: OrderBy): { key: number; id: string } {
  const [order, key, id] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  if (order !== orderBy || !key || !/^\d+$/.test(key) || !id)
    throw invalidInput('Invalid cursor', 'The pagination cursor is not valid for this query.');
  return { key: Number(key), id };
}

/** Sorts by the order key, then id, the order every page of one query follows. */
export function sortFor<T extends Sortable>(items: readonly T[], orderBy: OrderBy): T[] {
  return [...items].sort(
    (a, b) => a[orderBy] - b[orderBy] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** The first index strictly after (key, id) in a sorted list. */
function positionAfter<T extends Sortable>(
  sorted: readonly T[],
  orderBy: OrderBy,
  key: number,
  id: string,
): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const item = sorted[mid]!;
    const before = item[orderBy] < key || (item[orderBy] === key && item.id <= id);
    if (before) low = mid + 1;
    else high = mid;
  }
  return low;
}

export function paginate<T extends Sortable>(
  sorted: readonly T[],
  args: ConnectionArgs,
  keep: (item: T) => boolean,
): Page<T> {
  const orderBy = args.orderBy ?? 'createdAt';
  const size = pageSize(args.first);
  let start = 0;
  if (args.after) {
    const cursor = decodeCursor(args.after, orderBy);
    start = positionAfter(sorted, orderBy, cursor.key, cursor.id);
  }
  const nodes: T[] = [];
  let hasNextPage = false;
  for (let i = start; i < sorted.length; i++) {
    const item = sorted[i]!;
    if (!args.includeArchived && item.archivedAt) continue;
    if (!keep(item)) continue;
    if (nodes.length === size) {
      hasNextPage = true;
      break;
    }
    nodes.push(item);
  }
  return {
    nodes,
    cursors: nodes.map((n) => encodeCursor(orderBy, n[orderBy], n.id)),
    hasNextPage,
    hasPreviousPage: Boolean(args.after),
  };
}

/** The GraphQL connection object: nodes, edges and pageInfo. */
export function connection<T>(page: Page<T>): {
  nodes: T[];
  edges: { cursor: string; node: T }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
} {
  return {
    nodes: page.nodes,
    edges: page.nodes.map((node, i) => ({ cursor: page.cursors[i]!, node })),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.cursors[0] ?? null,
      endCursor: page.cursors[page.cursors.length - 1] ?? null,
    },
  };
}
