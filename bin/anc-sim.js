#!/usr/bin/env node
// The anc-sim command: the CLI is TypeScript, so register tsx before loading it.
import { register } from 'tsx/esm/api';

register();
await import('../simulator/cli/main.ts');
