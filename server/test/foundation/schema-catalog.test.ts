import path from 'node:path';
import pg from 'pg';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * `src/db/schema.ts` is Kysely's hand-written view of the migrations. This reads it with the
 * TypeScript checker and compares it with the migrated database's catalog, so a migration that
 * adds, drops or re-nulls a column without the matching schema.ts change fails here.
 */
const SCHEMA_FILE = path.resolve(import.meta.dirname, '../../src/db/schema.ts');

/**
 * Tables the code reaches only through raw SQL, so schema.ts does not declare them. A new table
 * goes into schema.ts (docs: the common rules) or, deliberately, here.
 */
const RAW_SQL_TABLES = [
  'ask_answers',
  'ask_feedback',
  'ask_token_usage',
  'cw_conversation_ledger',
  'idempotency_keys',
  // The migrator's own ledger (src/db/migrator.ts).
  'schema_migrations',
  'unsubscribe_tokens',
  'webhook_receipts',
];

interface ColumnShape {
  nullable: boolean;
}
type TableShapes = Record<string, Record<string, ColumnShape>>;

/** Every table of the `DB` interface, its columns and whether each may be selected as null. */
function declaredTables(): TableShapes {
  const program = ts.createProgram([SCHEMA_FILE], {
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(SCHEMA_FILE)!;
  const db = source.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'DB',
  )!;
  const tables: TableShapes = {};
  for (const table of checker.getTypeAtLocation(db).getProperties()) {
    const tableType = checker.getTypeOfSymbolAtLocation(table, db);
    tables[table.name] = {};
    for (const column of tableType.getProperties()) {
      let type = checker.getTypeOfSymbolAtLocation(column, db);
      // ColumnType<Select, Insert, Update> (and Generated<T>) carry the selected type here.
      const selected = type.getProperty('__select__');
      if (selected) type = checker.getTypeOfSymbolAtLocation(selected, db);
      const nullable = type.isUnion()
        ? type.types.some((t) => t.flags & ts.TypeFlags.Null)
        : Boolean(type.flags & ts.TypeFlags.Null);
      tables[table.name]![column.name] = { nullable };
    }
  }
  return tables;
}

async function catalogTables(url: string, names: string[]): Promise<TableShapes> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{
      table_name: string;
      column_name: string;
      is_nullable: 'YES' | 'NO';
    }>(
      `select table_name, column_name, is_nullable from information_schema.columns
       where table_schema = 'public' and table_name = any($1::text[])
       order by table_name, ordinal_position`,
      [names],
    );
    const tables: TableShapes = {};
    for (const row of rows)
      (tables[row.table_name] ??= {})[row.column_name] = { nullable: row.is_nullable === 'YES' };
    return tables;
  } finally {
    await client.end();
  }
}

describe('db/schema.ts against the migrated catalog', () => {
  let db: TestDatabase;
  // Reading schema.ts with the checker costs seconds of CPU: once per file, not once per test.
  let declared: TableShapes;
  beforeAll(async () => {
    db = await startTestDatabase();
    declared = declaredTables();
  });
  afterAll(async () => db?.drop());

  it('declares every table, column and nullability the migrations create', async () => {
    expect(Object.keys(declared).length).toBeGreaterThan(10);
    const catalog = await catalogTables(db.url, Object.keys(declared));
    const drift: string[] = [];
    for (const [table, columns] of Object.entries(declared)) {
      const actual = catalog[table];
      if (!actual) {
        drift.push(`${table}: in schema.ts, not in the database`);
        continue;
      }
      for (const [column, shape] of Object.entries(columns)) {
        const real = actual[column];
        if (!real) drift.push(`${table}.${column}: in schema.ts, not in the database`);
        else if (real.nullable !== shape.nullable)
          drift.push(
            `${table}.${column}: schema.ts says ${shape.nullable ? 'nullable' : 'not null'}, ` +
              `the database ${real.nullable ? 'nullable' : 'not null'}`,
          );
      }
      for (const column of Object.keys(actual))
        if (!columns[column]) drift.push(`${table}.${column}: in the database, not in schema.ts`);
    }
    expect(drift).toEqual([]);
  });

  it('declares every table of the public schema, or names it as reached by raw SQL only', async () => {
    const names = new Set(Object.keys(declared));
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ table_name: string }>(
        `select table_name from information_schema.tables
         where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
      );
      const undeclared = rows
        .map((r) => r.table_name)
        .filter((t) => !names.has(t) && !RAW_SQL_TABLES.includes(t));
      expect(undeclared).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
