import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** Lints `code` as if it were the file `probePath` (relative to the repository root). */
async function lintProbe(probePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: join(root, probePath) });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

function lintSharedSource(code: string): Promise<string[]> {
  return lintProbe(join('shared', 'layering-probe.ts'), code);
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

describe('every runtime folder imports only the layers it may (blockline/layers lint rule)', () => {
  // [probe file, forbidden import, the message's layer and target]
  it.each([
    ['renderer/app/layering-probe.ts', '../../host/services', 'layer renderer: host/'],
    ['renderer/layering-probe.tsx', '../server/app', 'layer renderer: server/'],
    ['renderer/phone/layering-probe.ts', '../../electron/policy', 'layer renderer: electron/'],
    ['renderer/layering-probe.ts', 'electron', 'layer renderer: the electron package'],
    ['host/layering-probe.ts', '../renderer/bridge/browser-bridge', 'layer host: renderer/'],
    ['host/layering-probe.ts', '../electron/policy', 'layer host: electron/'],
    ['host/layering-probe.ts', '../server/app', 'layer host: server/'],
    ['host/layering-probe.ts', 'electron', 'layer host: the electron package'],
    ['server/layering-probe.ts', '../host/services', 'layer server: host/'],
    ['server/db/layering-probe.ts', '../../renderer/app/api', 'layer server: renderer/'],
    ['server/layering-probe.ts', '../electron/policy', 'layer server: electron/'],
    ['server/layering-probe.ts', 'electron', 'layer server: the electron package'],
    ['electron/layering-probe.ts', '../renderer/main', 'layer electron: renderer/'],
    ['electron/layering-probe.ts', '../server/app', 'layer electron: server/'],
    ['cli/layering-probe.ts', '../host/services', 'layer cli: host/'],
    ['cli/layering-probe.ts', '../server/app', 'layer cli: server/'],
    ['bench/layering-probe.ts', '../electron/policy', 'layer bench: electron/'],
    ['shared/layering-probe.ts', '../host/services', 'layer shared: host/'],
    ['renderer/layering-probe.ts', '../test/helpers/postgres', 'layer renderer: test/'],
  ])('%s refuses %s', async (probe, source, expected) => {
    const messages = await lintProbe(
      probe,
      `import { thing } from '${source}';\nexport const probe = thing;\n`,
    );
    expect(messages).toEqual([expect.stringContaining(`blockline/layers: Invalid import for layer`)]);
    expect(messages[0]).toContain(expected);
  });

  it('refuses a re-export and a dynamic import across a layer as well', async () => {
    const messages = await lintProbe(
      'host/layering-probe.ts',
      "export { BRIDGE_PATH } from '../renderer/bridge/browser-bridge';\nexport const later = () => import('../electron/policy');\n",
    );
    expect(messages).toEqual([
      expect.stringContaining('layer host: renderer/'),
      expect.stringContaining('layer host: electron/'),
    ]);
  });

  it('says what the folder may import and why', async () => {
    const [message] = await lintProbe('host/layering-probe.ts', "export { x } from '../renderer/main';\n");
    expect(message).toBe(
      'blockline/layers: Invalid import for layer host: renderer/ (host/ may import shared/; the services run in plain Node (the browser host) as well as in Electron; the server is reached over HTTP).',
    );
  });

  it.each([
    ['renderer/phone/layering-probe.ts', ['../../shared/rules', '../app/api', '../stores/blocklist', 'zod']],
    ['host/layering-probe.ts', ['../shared/contracts/bridge', './services', 'ws', 'node:fs']],
    ['server/db/layering-probe.ts', ['../../shared/rules', '../store', 'kysely']],
    ['electron/layering-probe.ts', ['../host/services', '../shared/csp', './policy', 'electron']],
    ['cli/layering-probe.ts', ['../shared/numbers', 'node:readline']],
    ['bench/layering-probe.ts', ['../server/app', '../test/helpers/postgres', '../shared/rules']],
    ['test/unit/layering-probe.ts', ['../../electron/policy', '../../server/app', '../../renderer/main']],
  ])('%s may import %j', async (probe, sources) => {
    const code = sources.map((source, i) => `import * as m${i} from '${source}';`).join('\n');
    const used = sources.map((_, i) => `m${i}`).join(', ');
    const messages = await lintProbe(probe, `${code}\nexport const probe = [${used}];\n`);
    expect(messages).toEqual([]);
  });

  it('the whole tree obeys the rule', async () => {
    const eslint = new ESLint({ cwd: root, ruleFilter: ({ ruleId }) => ruleId === 'blockline/layers' });
    const results = await eslint.lintFiles(['.']);
    const offences = results.flatMap((result) =>
      result.messages.map((message) => `${relative(root, result.filePath)}: ${message.message}`),
    );
    expect(results.length).toBeGreaterThan(100);
    expect(offences).toEqual([]);
  }, 60_000);
});
