// @module-tag no-database
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The data path as an import rule (docs/architecture.md, "Ingestion"): a connector reaches the
 * rest of the app only through the ingest stage and the sources module, and implements outbound's
 * delivery interface without importing outbound itself; the ingest stage imports no module at all,
 * so whatever reacts to a write subscribes to its events (ingest/events.ts). Read from the source
 * files, so a forbidden import fails here before it can tangle the tree.
 */

const modules = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/modules');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

// Static imports and re-exports (one or many lines), side-effect imports and dynamic imports.
const SPECIFIER =
  /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every relative import of the file, as a path under src/modules ('outbound/policies.ts'). */
function moduleImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(SPECIFIER)]
    .map((m) => m[1] ?? m[2] ?? m[3]!)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) =>
      relative(modules, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts'),
    );
}

const moduleOf = (path: string) => (path.startsWith('..') ? null : path.split('/')[0]!);

/** The imports of every file under `dir` that break `allowed`, as "file -> import". */
function violations(dir: string, allowed: (target: string) => boolean): string[] {
  return tsFiles(join(modules, dir)).flatMap((file) =>
    moduleImports(file)
      .filter((target) => moduleOf(target) !== null && !allowed(target))
      .map((target) => `${relative(modules, file)} -> ${target}`),
  );
}

describe('the ingestion data path, as imports', () => {
  it('finds the imports it checks (the reader is not blind)', () => {
    const apply = join(modules, 'connectors/chatwoot/apply.ts');
    expect(moduleImports(apply)).toEqual(
      expect.arrayContaining(['ingest/events.ts', 'connectors/chatwoot/normalize.ts']),
    );
    expect(moduleImports(join(modules, 'outbound/adapters/index.ts'))).toContain(
      'connectors/chatwoot/deliver.ts',
    );
  });

  it('connectors import only the ingest stage, sources and outbound’s delivery interface', () => {
    const allowed = (target: string) =>
      ['connectors', 'ingest', 'sources'].includes(moduleOf(target)!) ||
      target === 'outbound/adapters/types.ts';
    expect(violations('connectors', allowed)).toEqual([]);
  });

  it('a connector imports no other connector: each is a folder of its own', () => {
    const kinds = readdirSync(join(modules, 'connectors'));
    expect(kinds).toEqual(expect.arrayContaining(['attio', 'chatwoot', 'linear']));
    for (const kind of kinds) {
      const own = (target: string) =>
        !target.startsWith('connectors/') || target.startsWith(`connectors/${kind}/`);
      expect(violations(`connectors/${kind}`, own)).toEqual([]);
    }
  });

  it('the ingest stage imports no other module: later stages subscribe to its events', () => {
    expect(violations('ingest', (target) => moduleOf(target) === 'ingest')).toEqual([]);
  });
});
