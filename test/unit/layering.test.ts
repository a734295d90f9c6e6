import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

async function lintSharedSource(code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: join(root, 'shared', 'layering-probe.ts') });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('shared/ depends on nothing of ours and on no runtime (lint rule)', () => {
  it.each([
    ["import { readFileSync } from 'node:fs';", 'Node built-ins'],
    ["import { EventEmitter } from 'events';", 'Node built-ins'],
    ["import { app } from 'electron';", 'Electron'],
    ["import { buildServer } from '../server/app';", 'nothing of ours'],
    ["import { createPhone } from '../renderer/phone';", 'nothing of ours'],
    ["import { SyncClient } from '../host/sync-client';", 'nothing of ours'],
  ])('refuses %s', async (importLine, expected) => {
    const messages = await lintSharedSource(`${importLine}\nexport const probe = 1;\n`);
    expect(messages.join('\n')).toContain(expected);
  });

  it.each(['window.location.href', 'document.title', 'process.env.HOME'])(
    'refuses the global in %s',
    async (use) => {
      const messages = await lintSharedSource(`export const probe = () => ${use};\n`);
      expect(messages.some((message) => message.startsWith('no-restricted-globals'))).toBe(true);
    },
  );

  it('accepts imports of libraries and of shared/ itself', async () => {
    const messages = await lintSharedSource(
      "import { z } from 'zod';\nimport { ruleSchema } from './rules';\nexport const probe = z.array(ruleSchema);\n",
    );
    expect(messages).toEqual([]);
  });

  it('no file in shared/ imports from outside it', () => {
    const offenders = filesUnder(join(root, 'shared'))
      .filter((file) => file.endsWith('.ts'))
      .filter((file) =>
        /from '(\.\.\/)+(electron|renderer|server|host|test|bench|cli)\b/.test(readFileSync(file, 'utf8')),
      )
      .map((file) => relative(root, file));
    expect(offenders).toEqual([]);
  });
});
