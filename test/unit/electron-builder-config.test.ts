/**
 * Installers where they cannot be built: electron-builder.yml is validated against electron-builder's
 * own JSON schema, the packaging choices are asserted, and the main/preload bundles are built and
 * checked. Tests that need the Electron binary detect its absence and are reported as skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { flipFuses, FuseV1Options, getCurrentFuseWire, type FuseV1Config } from '@electron/fuses';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electronBinaryStatus, platformFlag, publishArgsFromEnv } from '../../scripts/dist.mjs';
import {
  afterPack,
  ASAR_INTEGRITY_PLATFORMS,
  expectedFuseStates,
  fuseConfigFor,
} from '../../scripts/electron-fuses.mjs';

const root = path.resolve(__dirname, '..', '..');
const readConfig = (): Record<string, unknown> =>
  parse(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));

describe('electron-builder.yml', () => {
  // Compiled once: the schema is large, and on a busy machine compiling it takes seconds.
  let validate: ValidateFunction;
  beforeAll(() => {
    const schema: unknown = JSON.parse(
      readFileSync(path.join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8'),
    );
    validate = new Ajv({ allErrors: true, strict: false }).compile(schema as object);
  }, 60_000);

  it("is valid against electron-builder's configuration schema", () => {
    const valid = validate(readConfig());
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check is not vacuous: a wrong option is caught', () => {
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

describe('Electron fuses (scripts/electron-fuses.mjs, the afterPack hook)', () => {
  const on = (config: FuseV1Config<boolean>, fuse: FuseV1Options) =>
    (config as Partial<Record<FuseV1Options, boolean>>)[fuse];

  it('electron-builder.yml runs the hook, and does not flip fuses a second time with electronFuses', () => {
    const config = readConfig();
    expect(config.afterPack).toBe('./scripts/electron-fuses.mjs');
    expect(existsSync(path.join(root, String(config.afterPack)))).toBe(true);
    expect(config).not.toHaveProperty('electronFuses');
  });

  it('every platform: no RunAsNode, no NODE_OPTIONS, no --inspect, cookies encrypted, only app.asar', () => {
    for (const platform of ['darwin', 'mas', 'win32', 'linux']) {
      const config = fuseConfigFor(platform);
      expect(on(config, FuseV1Options.RunAsNode), platform).toBe(false);
      expect(on(config, FuseV1Options.EnableNodeOptionsEnvironmentVariable), platform).toBe(false);
      expect(on(config, FuseV1Options.EnableNodeCliInspectArguments), platform).toBe(false);
      expect(on(config, FuseV1Options.EnableCookieEncryption), platform).toBe(true);
      expect(on(config, FuseV1Options.OnlyLoadAppFromAsar), platform).toBe(true);
    }
  });

  it('ASAR integrity on macOS and Windows, where Electron checks it; not on Linux, where it has none', () => {
    expect(ASAR_INTEGRITY_PLATFORMS.sort()).toEqual(['darwin', 'mas', 'win32']);
    expect(on(fuseConfigFor('darwin'), FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe(true);
    expect(on(fuseConfigFor('win32'), FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe(true);
    expect(on(fuseConfigFor('linux'), FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe(false);
  });

  it('decides every fuse this @electron/fuses knows, so none is left to Electron by accident', () => {
    const known = Object.keys(FuseV1Options).filter((key) => !/^\d+$/.test(key));
    for (const platform of ['darwin', 'win32', 'linux'])
      expect(Object.keys(expectedFuseStates(platform)).sort()).toEqual(known.sort());
  });

  it('re-signs ad hoc only macOS builds that run on Apple silicon', () => {
    expect(fuseConfigFor('darwin', 'arm64').resetAdHocDarwinSignature).toBe(true);
    expect(fuseConfigFor('darwin', 'universal').resetAdHocDarwinSignature).toBe(true);
    expect(fuseConfigFor('darwin', 'x64').resetAdHocDarwinSignature).toBe(false);
    expect(fuseConfigFor('win32', 'arm64').resetAdHocDarwinSignature).toBe(false);
  });

  describe('the hook flips a real fuse wire (a file laid out as Electron 40 lays its wire out)', () => {
    const workDir = mkdtempSync(path.join(tmpdir(), 'blockline-fuses-'));
    afterAll(() => rmSync(workDir, { recursive: true, force: true }));
    // Sentinel, wire version 1, wire length 9, then Electron's defaults (the 9th, WasmTrapHandlers, is
    // newer than this @electron/fuses and must be left as it is).
    const fakeElectron = (name: string) => {
      const file = path.join(workDir, name);
      writeFileSync(
        file,
        Buffer.concat([
          Buffer.alloc(4096, 0x90),
          Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'),
          Buffer.from([1, 9]),
          Buffer.from('101100011'),
          Buffer.alloc(4096, 0x90),
        ]),
      );
      return file;
    };

    for (const platform of ['win32', 'linux'] as const) {
      it(`${platform}: afterPack → every fuse as decided, as \`@electron/fuses read\` reports it`, async () => {
        const binary = fakeElectron(`electron-${platform}`);
        // electron-builder's packager stands in (no Electron binary here); the flipping is the real library.
        await afterPack({
          electronPlatformName: platform,
          arch: 1,
          packager: { addElectronFuses: (_context, fuses) => flipFuses(binary, fuses) },
        });
        const wire = await getCurrentFuseWire(binary);
        expect(Object.keys(wire).filter((key) => /^\d+$/.test(key))).toHaveLength(9);
        const output = execFileSync(
          process.execPath,
          [path.join(root, 'node_modules/@electron/fuses/dist/bin.js'), 'read', '--app', binary],
          { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } },
        );
        for (const [name, state] of Object.entries(expectedFuseStates(platform)))
          expect(output).toContain(`${name} is ${state}`);
        // The unknown newer fuse kept Electron's default.
        expect(readFileSync(binary).toString('latin1')).toContain(
          platform === 'linux' ? '010001011' : '010011011',
        );
      });
    }
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
