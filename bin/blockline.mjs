#!/usr/bin/env node
// The `blockline` command: registers tsx (a runtime dependency) so the TypeScript CLI runs as it is.
import { register } from 'tsx/esm/api';

register();
await import('../cli/blockline.ts');
