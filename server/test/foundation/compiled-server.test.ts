// @module-tag no-database
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');

/**
 * `npm start` runs the server compiled file by file (scripts/build-server.mjs), not the TypeScript
 * the rest of the suite runs through tsx. A file the code imports that is not TypeScript (the
 * server's message catalogues) once went missing from dist/ and the compiled server could not
 * start while every test passed; this loads the compiled module graph the way `npm start` does.
 */
describe('the compiled server', () => {
  it('builds, and every module of the app and the CLI loads from dist/', () => {
    const build = spawnSync(process.execPath, [path.join(root, 'scripts/build-server.mjs')], {
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
    const modules = ['server/dist/app.js', 'server/dist/worker.js', 'server/dist/i18n/index.js'];
    const load = spawnSync(
      process.execPath,
      [
        '--conditions=cairn-dist',
        '--input-type=module',
        '-e',
        modules
          .map((m) => `await import(${JSON.stringify(pathToFileURL(path.join(root, m)).href)});`)
          .join('\n'),
      ],
      { encoding: 'utf8' },
    );
    expect(load.status, load.stderr).toBe(0);
  });
});
