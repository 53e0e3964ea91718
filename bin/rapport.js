#!/usr/bin/env node
// Runs the TypeScript sources directly, so `npx rapport` works in a checkout without a build.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
