import { readFileSync } from 'node:fs';

/**
 * The tags a test file gives itself, vitest's file tags (`// @module-tag <name>` lines), read from
 * its source: the repository's vitest.config.ts leaves a file out of the server-Postgres run by
 * them before vitest has read any, and test/support/database.ts holds a `no-database` file to it.
 */
export function moduleTags(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/^\/\/ @module-tag ([\w-]+)/gm)].map((match) => match[1]!);
}
