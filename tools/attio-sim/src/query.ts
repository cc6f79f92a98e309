// The records query's `filter` and `sorts`, the subset this simulator understands (README lists
// it): shorthand equality (`{"email_addresses": "a@b.example"}`), verbose conditions on an
// attribute's main field or on one of its fields (`{"company": {"target_record_id": {"$in":
// [...]}}}`), the operators $eq $in $contains $starts_with $ends_with $not_empty $gt $gte $lt
// $lte, and $and / $or / $not. Anything else is a 400 filter_error, as Attio answers bad filters.
import { filterError, validationError } from './errors.js';
import type { AttioWorld, ObjectSlug, RecordEntry, ValueRow } from './world.js';

type Json = Record<string, unknown>;

/** The field a bare value or an operator compares, per attribute type. */
const MAIN_FIELD: Record<string, string> = {
  text: 'value',
  'personal-name': 'full_name',
  'email-address': 'email_address',
  'phone-number': 'phone_number',
  domain: 'domain',
  'record-reference': 'target_record_id',
  location: 'locality',
  timestamp: 'value',
  'actor-reference': 'referenced_actor_id',
  status: 'title',
  currency: 'currency_value',
};

const OPERATORS = [
  '$eq',
  '$in',
  '$contains',
  '$starts_with',
  '$ends_with',
  '$not_empty',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
] as const;

export interface QueryContext {
  world: AttioWorld;
  object: ObjectSlug;
  rows: (record: RecordEntry, attribute: string) => ValueRow[];
}

/** Field values of a row as the filter sees them (a status row compares its title). */
function fieldOf(ctx: QueryContext, row: ValueRow, field: string): unknown {
  if (row.fields['attribute_type'] === 'status' && field === 'title')
    return ctx.world.stages[row.fields['status'] as number]?.title;
  return row.fields[field];
}

function compare(actual: unknown, condition: unknown): boolean {
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition))
    return actual === condition;
  const ops = Object.entries(condition as Json);
  if (ops.length === 0) throw filterError('Error in filter: an empty condition.');
  return ops.every(([op, expected]) => {
    if (!(OPERATORS as readonly string[]).includes(op))
      throw filterError(`Error in filter: unknown operator "${op}".`);
    const text = typeof actual === 'string' ? actual.toLowerCase() : '';
    const wanted = typeof expected === 'string' ? expected.toLowerCase() : '';
    switch (op) {
      case '$eq':
        return actual === expected;
      case '$in':
        if (!Array.isArray(expected)) throw filterError('Error in filter: $in takes a list.');
        return expected.includes(actual);
      case '$contains':
        return typeof actual === 'string' && text.includes(wanted);
      case '$starts_with':
        return typeof actual === 'string' && text.startsWith(wanted);
      case '$ends_with':
        return typeof actual === 'string' && text.endsWith(wanted);
      case '$gt':
        return actual !== undefined && actual !== null && (actual as number) > (expected as number);
      case '$gte':
        return (
          actual !== undefined && actual !== null && (actual as number) >= (expected as number)
        );
      case '$lt':
        return actual !== undefined && actual !== null && (actual as number) < (expected as number);
      default:
        return (
          actual !== undefined && actual !== null && (actual as number) <= (expected as number)
        );
    }
  });
}

function attributeMatches(
  ctx: QueryContext,
  record: RecordEntry,
  slug: string,
  condition: unknown,
): boolean {
  const attribute = ctx.world.objects[ctx.object].attributes.find((a) => a.slug === slug);
  if (!attribute) throw filterError(`Error in filter: unknown attribute "${slug}".`);
  const rows = ctx.rows(record, slug).filter((r) => r.activeUntil === null);
  const main = MAIN_FIELD[attribute.type]!;
  if (condition !== null && typeof condition === 'object' && !Array.isArray(condition)) {
    const entries = Object.entries(condition as Json);
    if (entries.length === 1 && entries[0]![0] === '$not_empty')
      return rows.length > 0 === Boolean(entries[0]![1]);
    if (entries.every(([key]) => key.startsWith('$')))
      return rows.some((row) => compare(fieldOf(ctx, row, main), condition));
    // {field: condition, …}: every named field of one value must match.
    return rows.some((row) =>
      entries.every(([field, inner]) => {
        if (field.startsWith('$'))
          throw filterError('Error in filter: mix of fields and operators.');
        return compare(fieldOf(ctx, row, field), inner);
      }),
    );
  }
  return rows.some((row) => compare(fieldOf(ctx, row, main), condition));
}

export function recordMatches(ctx: QueryContext, record: RecordEntry, filter: Json): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(condition)) throw filterError(`Error in filter: ${key} takes a list.`);
      const parts = condition as Json[];
      return key === '$and'
        ? parts.every((part) => recordMatches(ctx, record, part))
        : parts.some((part) => recordMatches(ctx, record, part));
    }
    if (key === '$not') return !recordMatches(ctx, record, condition as Json);
    if (key === 'path') throw filterError('Error in filter: path filters are not supported.');
    return attributeMatches(ctx, record, key, condition);
  });
}

export interface Sort {
  attribute: string;
  direction: 'asc' | 'desc';
  field?: string;
}

export function parseSorts(ctx: QueryContext, sorts: unknown): Sort[] {
  if (sorts === undefined) return [];
  if (!Array.isArray(sorts)) throw validationError('sorts must be an array.');
  return sorts.map((sort: unknown, i) => {
    const s = sort as Json;
    if (!s || typeof s !== 'object') throw validationError(`sorts[${i}] must be an object.`);
    if ('path' in s) throw validationError(`sorts[${i}]: path sorts are not supported.`);
    if (s['direction'] !== 'asc' && s['direction'] !== 'desc')
      throw validationError(`sorts[${i}].direction must be "asc" or "desc".`);
    if (typeof s['attribute'] !== 'string')
      throw validationError(`sorts[${i}].attribute must be a string.`);
    if (!ctx.world.objects[ctx.object].attributes.some((a) => a.slug === s['attribute']))
      throw validationError(`sorts[${i}]: unknown attribute "${s['attribute']}".`);
    return {
      attribute: s['attribute'],
      direction: s['direction'],
      ...(typeof s['field'] === 'string' && { field: s['field'] }),
    };
  });
}

/** Orders by the sorts (missing values last), then keeps creation order. */
export function sortRecords(
  ctx: QueryContext,
  records: RecordEntry[],
  sorts: Sort[],
): RecordEntry[] {
  if (sorts.length === 0) return records;
  const keyOf = (record: RecordEntry, sort: Sort): unknown => {
    const attribute = ctx.world.objects[ctx.object].attributes.find(
      (a) => a.slug === sort.attribute,
    )!;
    const row = ctx.rows(record, sort.attribute).find((r) => r.activeUntil === null);
    return row ? fieldOf(ctx, row, sort.field ?? MAIN_FIELD[attribute.type]!) : undefined;
  };
  return [...records].sort((a, b) => {
    for (const sort of sorts) {
      const [x, y] = [keyOf(a, sort), keyOf(b, sort)];
      if (x === y) continue;
      if (x === undefined || x === null) return 1;
      if (y === undefined || y === null) return -1;
      const order =
        typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      if (order !== 0) return sort.direction === 'asc' ? order : -order;
    }
    return 0;
  });
}
