#!/usr/bin/env node
// The `cairn` command runs the CLI compiled to one JavaScript file (packages/cli/dist/cairn.js),
// rebuilt first when a source is newer than the last build (scripts/build-server.mjs), as
// `npm start` does for the server, so a checkout still needs no build step. Run through tsx's
// loader instead, every command spent 1.8 s starting (docs/benchmarks.md, "CLI start").
import { buildWhenStale } from '../../../scripts/build-server.mjs';

await buildWhenStale();
const { main } = await import('../dist/cairn.js');
process.exitCode = await main(process.argv.slice(2));
