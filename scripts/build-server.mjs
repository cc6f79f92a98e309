// Compiles the server and the workspace packages it imports at run time (@cairn/contract, and for
// the demo the simulators: @cairn/chatwoot-sim, @cairn/studio, @cairn/linear-sim, @cairn/attio-sim) from TypeScript to JavaScript in each one's dist/, so starting the server
// runs plain JavaScript instead of transpiling on every start; and the `cairn` CLI, which its
// bin (packages/cli/bin/cairn.js) rebuilds through `buildWhenStale` before each command. Transpile only, file by file (no
// bundle: paths that code resolves next to itself, such as server/db/migrations, stay valid);
// type checking is `npm run typecheck`'s job. esbuild rather than tsc here: it emits the same
// files in well under a second, where tsc spends seconds loading every type of the dependency
// tree, and that time would sit on the critical path of a first `npm start`.
//
// Run time picks dist/ through the packages' `cairn-dist` export condition
// (`node --conditions=cairn-dist server/dist/main.js`); tests, tsx and the web build keep
// resolving the TypeScript sources.
import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = [
  'packages/contract',
  'tools/chatwoot-sim',
  'tools/studio',
  'tools/linear-sim',
  'tools/attio-sim',
  'server',
];

async function filesOf(dir, wanted) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && wanted(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}
const sources = (dir) => filesOf(dir, (name) => name.endsWith('.ts') && !name.endsWith('.d.ts'));
// Files the code reads as they are (the server's message catalogues, `import … with { type:
// 'json' }`; the Linear simulator's schema.graphql, read next to its module): copied beside the
// compiled files, since transpiling file by file leaves them out.
const assets = (dir) => filesOf(dir, (name) => name.endsWith('.json') || name.endsWith('.graphql'));

const STAMP = path.join(root, 'server/dist/.built');
const CLI = path.join(root, 'packages/cli');

/**
 * Up to date when the stamp written after the last build is newer than every source file and
 * package manifest: a restart then starts at once, and two processes started together after a
 * build (`npm run server` and `npm run worker`) do not rewrite files the other is loading.
 */
async function upToDate(files) {
  const built = await stat(STAMP).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  if (!built) return false;
  const times = await Promise.all(files.map((f) => stat(f).then((s) => s.mtimeMs)));
  return times.every((t) => t < built);
}

/**
 * Builds every package's dist/ unless the last build is newer than every input; `force` builds
 * anyway. Its one line of output goes to stderr: the CLI calls this before a command whose
 * stdout is data (JSON, or MCP on stdio).
 */
export async function buildWhenStale({ force = false } = {}) {
  const started = Date.now();
  const perPackage = await Promise.all(
    PACKAGES.map(async (pkg) => ({
      pkg,
      files: await sources(path.join(root, pkg, 'src')),
      copies: await assets(path.join(root, pkg, 'src')),
    })),
  );
  const inputs = [
    ...perPackage.flatMap((p) => [...p.files, ...p.copies]),
    ...(await sources(path.join(CLI, 'src'))),
    ...[...PACKAGES, 'packages/cli'].map((pkg) => path.join(root, pkg, 'package.json')),
    fileURLToPath(import.meta.url),
  ];
  if (!force && (await upToDate(inputs))) return;

  // Loaded only to build: the CLI calls this before every command, nearly always up to date.
  const { build } = await import('esbuild');
  const target = 'node20.19';
  await Promise.all([
    ...perPackage.map(({ pkg, files }) =>
      build({
        entryPoints: files,
        outdir: path.join(root, pkg, 'dist'),
        outbase: path.join(root, pkg, 'src'),
        format: 'esm',
        platform: 'node',
        target,
        sourcemap: true,
        logLevel: 'warning',
      }),
    ),
    // The CLI is one bundle with @cairn/contract inside: `cairn …` runs as a command, which
    // cannot pass node the cairn-dist condition, and Node 20 cannot load the contract's
    // TypeScript entry. Third-party packages stay imports, resolved from node_modules.
    build({
      entryPoints: [path.join(CLI, 'src/main.ts')],
      outfile: path.join(CLI, 'dist/cairn.js'),
      bundle: true,
      plugins: [workspaceOnly],
      format: 'esm',
      platform: 'node',
      target,
      sourcemap: true,
      logLevel: 'warning',
    }),
  ]);
  await Promise.all(
    perPackage.flatMap(({ pkg, copies }) =>
      copies.map(async (file) => {
        const target = path.join(
          root,
          pkg,
          'dist',
          path.relative(path.join(root, pkg, 'src'), file),
        );
        await mkdir(path.dirname(target), { recursive: true });
        await copyFile(file, target);
      }),
    ),
  );
  await writeFile(STAMP, new Date().toISOString() + '\n');
  console.error(
    `built ${[...PACKAGES, 'packages/cli'].join(', ')} to dist/ in ${Date.now() - started} ms`,
  );
}

/** Bundles the workspace's own packages (@cairn/*) and leaves every other bare import as it is. */
const workspaceOnly = {
  name: 'workspace-only',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@cairn/') ? undefined : { external: true },
    );
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildWhenStale({ force: process.argv.includes('--force') });
}
