#!/usr/bin/env node
// The `cairn` command: the TypeScript sources run through tsx's loader, so a checkout needs no
// build step (`npx cairn …` from the repository root).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
