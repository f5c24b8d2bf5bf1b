#!/usr/bin/env node
// `anc` entry point: registers tsx so the TypeScript sources run as they are, then hands over.
// The import is dynamic because static imports would run before register().
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../host/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
