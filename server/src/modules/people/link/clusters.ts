// Grouping records that share a value, as a union-find that respects "keep apart" pairs. Edges are
// tried in a fixed order (manual merges, then each kind of value in the order given, values
// sorted, records sorted), so the same input always gives the same groups and the same evidence.
import type { MatchedOn } from './types.js';

export interface ClusterNode {
  ref: string;
  /** Normalised values by kind, e.g. { email: [...], phone: [...] }. */
  values: Partial<Record<Exclude<MatchedOn, 'manual'>, readonly string[]>>;
}

export interface Clusters {
  /** Each group's refs sorted; groups sorted by their first ref. */
  groups: string[][];
  /** What first tied each ref to another one; absent for a ref that stands alone. */
  evidence: Map<string, { on: MatchedOn; value: string | null }>;
}

export function cluster(
  nodes: readonly ClusterNode[],
  order: readonly Exclude<MatchedOn, 'manual'>[],
  merge: readonly [string, string][],
  apart: readonly [string, string][],
): Clusters {
  const refs = [...new Set(nodes.map((n) => n.ref))].sort();
  const parent = new Map(refs.map((r) => [r, r]));
  const members = new Map(refs.map((r) => [r, [r]]));
  const apartOf = new Map<string, Set<string>>();
  for (const [a, b] of apart) {
    if (!parent.has(a) || !parent.has(b)) continue;
    apartOf.set(a, (apartOf.get(a) ?? new Set()).add(b));
    apartOf.set(b, (apartOf.get(b) ?? new Set()).add(a));
  }
  const evidence = new Map<string, { on: MatchedOn; value: string | null }>();

  const find = (r: string): string => {
    let root = r;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(r, root);
    return root;
  };
  const kept = (from: string[], otherRoot: string) =>
    from.some((m) => [...(apartOf.get(m) ?? [])].some((x) => find(x) === otherRoot));

  /** 'joined', 'same' (already one group) or 'apart' (a decision forbids it). */
  const union = (a: string, b: string, on: MatchedOn, value: string | null) => {
    const [ra, rb] = [find(a), find(b)];
    if (ra === rb) return 'same';
    const [small, big] = members.get(ra)!.length <= members.get(rb)!.length ? [ra, rb] : [rb, ra];
    if (kept(members.get(small)!, big)) return 'apart';
    parent.set(small, big);
    members.get(big)!.push(...members.get(small)!);
    members.delete(small);
    if (!evidence.has(a)) evidence.set(a, { on, value });
    if (!evidence.has(b)) evidence.set(b, { on, value });
    return 'joined';
  };

  for (const [a, b] of [...merge].sort((x, y) => cmp(x.join('\n'), y.join('\n'))))
    if (parent.has(a) && parent.has(b)) union(a, b, 'manual', null);

  for (const on of order) {
    const holders = new Map<string, string[]>();
    for (const node of nodes)
      for (const value of node.values[on] ?? [])
        holders.set(value, [...(holders.get(value) ?? []), node.ref]);
    for (const value of [...holders.keys()].sort()) {
      const holding = [...new Set(holders.get(value)!)].sort();
      // Each record joins the first earlier holder it may join.
      for (let i = 1; i < holding.length; i++)
        for (let j = 0; j < i; j++)
          if (union(holding[j]!, holding[i]!, on, value) !== 'apart') break;
    }
  }

  const groups = [...members.values()].map((g) => [...g].sort());
  groups.sort((x, y) => cmp(x[0]!, y[0]!));
  return { groups, evidence };
}

/** Code-unit order, the same on every machine and locale. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
