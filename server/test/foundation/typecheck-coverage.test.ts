// @module-tag no-database
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const json = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8'));

/**
 * `npm run typecheck` checks the Node workspaces as one program (the root tsconfig.json), so that
 * a file another workspace imports is checked once, not once per importer; the benches (whose web
 * bench brings in the DOM's globals) and the web UI keep programs of their own. A workspace in
 * neither would go unchecked without a word: this names it.
 */
describe('npm run typecheck', () => {
  it('checks every workspace: in the root program, or with a typecheck script of its own', () => {
    const included: string[] = json('tsconfig.json').include;
    const script: string = json('package.json').scripts.typecheck;
    const unchecked = (json('package.json').workspaces as string[]).filter((workspace) => {
      if (!existsSync(path.join(root, workspace, 'tsconfig.json'))) return false;
      const inRoot = included.some(
        (pattern) =>
          pattern === `${workspace}/src` ||
          (pattern.startsWith('tools/*/') &&
            workspace.startsWith('tools/') &&
            pattern.endsWith('/src')),
      );
      const ownScript =
        json(`${workspace}/package.json`).scripts?.typecheck !== undefined &&
        script.includes(`-w ${workspace}`);
      return !inRoot && !ownScript;
    });
    expect(unchecked).toEqual([]);
  });
});
