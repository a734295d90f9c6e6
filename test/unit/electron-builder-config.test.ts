/**
 * Installers where they cannot be built: electron-builder.yml is validated against electron-builder's
 * own JSON schema, the packaging choices are asserted, and the main/preload bundles are built and
 * checked. Tests that need the Electron binary detect its absence and are reported as skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { electronBinaryStatus, platformFlag, publishArgsFromEnv } from '../../scripts/dist.mjs';

const root = path.resolve(__dirname, '..', '..');
const readConfig = (): Record<string, unknown> =>
  parse(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's configuration schema", () => {
    const schema: unknown = JSON.parse(
      readFileSync(path.join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8'),
    );
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema as object);
    const valid = validate(readConfig());
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check is not vacuous: a wrong option is caught', () => {
    const schema: unknown = JSON.parse(
      readFileSync(path.join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8'),
    );
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema as object);
    expect(validate({ ...readConfig(), nsis: { perMachine: 'sometimes' } })).toBe(false);
    expect(validate({ ...readConfig(), notAnOption: true })).toBe(false);
  });

  it('names the app, carries the version in artifact names and registers tel/callto/sip', () => {
    const config = readConfig();
    expect(config).toMatchObject({ appId: 'com.blockline.desktop', productName: 'Blockline' });
    for (const name of [
      config.artifactName,
      (config.win as Record<string, unknown>).artifactName,
      (config.dmg as Record<string, unknown>).artifactName,
    ]) {
      expect(name).toContain('${version}');
    }
    const schemes = (config.protocols as Array<{ schemes: string[] }>).flatMap(
      (protocol) => protocol.schemes,
    );
    expect(schemes.sort()).toEqual(['callto', 'sip', 'tel']);
  });

  it('packs the bundles and the renderer, not the sources', () => {
    const files = readConfig().files as string[];
    expect(files).toEqual(expect.arrayContaining(['dist-electron/**/*', 'dist/renderer/**/*']));
    expect(files.some((pattern) => /^(electron|host|server|src)\//.test(pattern))).toBe(false);
    expect((readConfig().extraMetadata as Record<string, unknown>).main).toBe('dist-electron/main.cjs');
  });

  it('Windows: per-user NSIS without elevation', () => {
    const config = readConfig();
    expect(config.win).toMatchObject({ target: [{ target: 'nsis' }] });
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, allowElevation: false });
  });

  it('macOS: dmg, hardened runtime, microphone entitlement and usage text, notarization from the environment', () => {
    const mac = readConfig().mac as Record<string, unknown>;
    expect(mac).toMatchObject({ target: [{ target: 'dmg' }], hardenedRuntime: true, notarize: true });
    expect((mac.extendInfo as Record<string, string>).NSMicrophoneUsageDescription).toMatch(/microphone/);
    const entitlements = readFileSync(path.join(root, String(mac.entitlements)), 'utf8');
    expect(entitlements).toMatch(/<key>com\.apple\.security\.device\.audio-input<\/key>\s*<true\/>/);
    expect(JSON.stringify(readConfig())).not.toMatch(
      /APPLE_APP_SPECIFIC_PASSWORD|CSC_KEY_PASSWORD|password:/i,
    );
  });

  it('Linux: AppImage', () => {
    expect(readConfig().linux).toMatchObject({ target: [{ target: 'AppImage' }] });
  });
});

describe('scripts/dist.mjs', () => {
  it('builds for the host platform', () => {
    expect(platformFlag('win32')).toBe('--win');
    expect(platformFlag('darwin')).toBe('--mac');
    expect(platformFlag('linux')).toBe('--linux');
  });

  it('takes the publish provider from the environment and never uploads by default', () => {
    expect(publishArgsFromEnv({})).toEqual(['--publish', 'never']);
    expect(
      publishArgsFromEnv({
        BLOCKLINE_PUBLISH_PROVIDER: 'github',
        BLOCKLINE_PUBLISH_OWNER: 'acme',
        BLOCKLINE_PUBLISH_REPO: 'blockline',
        BLOCKLINE_PUBLISH: 'always',
      }),
    ).toEqual([
      '--publish',
      'always',
      '-c.publish.provider=github',
      '-c.publish.owner=acme',
      '-c.publish.repo=blockline',
      '-c.publish.releaseType=draft',
    ]);
    expect(() => publishArgsFromEnv({ BLOCKLINE_PUBLISH_PROVIDER: 'github' })).toThrow(/OWNER/);
    expect(() =>
      publishArgsFromEnv({ BLOCKLINE_PUBLISH_PROVIDER: 'generic', BLOCKLINE_PUBLISH_URL: 'http://x' }),
    ).toThrow(/https/);
    expect(() => publishArgsFromEnv({ BLOCKLINE_PUBLISH_PROVIDER: 's3' })).toThrow(/unknown/);
  });

  it('reports packaging as skipped, with the reason, when the Electron binary is absent', () => {
    const status = electronBinaryStatus();
    if (status.path !== null) return expect(existsSync(status.path)).toBe(true);
    const output = execFileSync(process.execPath, [path.join(root, 'scripts/dist.mjs')], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(output).toContain('packaging skipped');
    expect(output).toContain(status.reason);
  });
});

describe('Electron bundles (scripts/build-electron.mjs)', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'scripts/build-electron.mjs')], {
      cwd: root,
      stdio: 'pipe',
    });
  }, 60_000);

  it('writes main.cjs and preload.cjs', () => {
    for (const file of ['main.cjs', 'preload.cjs'])
      expect(existsSync(path.join(root, 'dist-electron', file))).toBe(true);
  });

  it('the sandboxed preload requires nothing but electron and exposes only window.blockline', () => {
    const preload = readFileSync(path.join(root, 'dist-electron/preload.cjs'), 'utf8');
    expect([...new Set(preload.match(/require\("[^"]+"\)/g))]).toEqual(['require("electron")']);
    expect(preload.match(/exposeInMainWorld\("([^"]+)"/g)).toEqual(['exposeInMainWorld("blockline"']);
    expect(preload).not.toMatch(/exposeInMainWorld\("[^"]+",\s*\w*ipcRenderer\)/);
  });

  it('the main bundle keeps electron and electron-updater external', () => {
    const main = readFileSync(path.join(root, 'dist-electron/main.cjs'), 'utf8');
    expect(main).toContain('require("electron")');
    expect(main).toContain('require("electron-updater")');
  });
});

const electron = electronBinaryStatus();
describe.skipIf(electron.path === null)(
  `the packaged app starts (needs the Electron binary${electron.path === null ? `; SKIPPED: ${electron.reason}` : ''})`,
  () => {
    it('the Electron binary runs (--version)', () => {
      const output = execFileSync(electron.path ?? '', ['--version'], { encoding: 'utf8', timeout: 30_000 });
      expect(output).toMatch(/^v\d+\./);
    });
  },
);
