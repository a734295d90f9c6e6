/** electron/launch.ts: what a launch does (smoke test, profile, protocol registration) and the smoke line. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BRIDGE_KEYS, launchOptionsFrom, SMOKE_TEST_SWITCH, smokeTestResult } from '../../electron/launch';

const temp = () => '/tmp/blockline-smoke-test-x';
const options = (argv: string[], env: Record<string, string> = {}) =>
  launchOptionsFrom(['/opt/Blockline/blockline', ...argv], env, path.posix.join, temp);

describe('launchOptionsFrom', () => {
  it('an ordinary launch: the OS profile, protocol handlers registered, updates checked', () => {
    expect(options([])).toEqual({
      smokeTest: false,
      userDataDir: null,
      registerProtocolHandlers: true,
      checkForUpdates: true,
      allowLoopbackMedia: false,
    });
  });

  it('BLOCKLINE_DATA_DIR moves the profile (and so the single-instance lock) beside the data', () => {
    expect(options([], { BLOCKLINE_DATA_DIR: '/srv/run1' }).userDataDir).toBe('/srv/run1/electron');
  });

  it('--smoke-test: a throwaway profile, and nothing written to the OS or fetched', () => {
    expect(options([SMOKE_TEST_SWITCH], { BLOCKLINE_DATA_DIR: '/home/agent/real-data' })).toEqual({
      smokeTest: true,
      userDataDir: temp(),
      registerProtocolHandlers: false,
      checkForUpdates: false,
      allowLoopbackMedia: false,
    });
  });

  it('tests can leave the OS protocol association and the update check alone', () => {
    expect(
      options([], { BLOCKLINE_SKIP_PROTOCOL_REGISTRATION: '1', BLOCKLINE_DISABLE_UPDATES: '1' }),
    ).toMatchObject({ registerProtocolHandlers: false, checkForUpdates: false });
  });

  it('loopback media only when started beside the local demo PBX', () => {
    expect(options([], { BLOCKLINE_LOCAL_PBX: '1' }).allowLoopbackMedia).toBe(true);
    expect(options([], { BLOCKLINE_LOCAL_PBX: 'yes' }).allowLoopbackMedia).toBe(false);
  });

  it('a tel: link that merely contains the words is not the switch', () => {
    expect(options(['tel:+12125550123;smoke-test']).smokeTest).toBe(false);
  });
});

describe('smokeTestResult', () => {
  const facts = {
    version: '1.2.3',
    loadError: null,
    bridgeKeys: ['on', 'invoke'],
    secretStorage: 'keychain',
  };

  it('exit 0 and one line when the window loaded and the preload exposed exactly the bridge', () => {
    expect(smokeTestResult(facts)).toEqual({
      line: 'BLOCKLINE_SMOKE_TEST ok version=1.2.3 bridge=invoke,on secrets=keychain',
      exitCode: 0,
    });
    expect(BRIDGE_KEYS).toEqual(['invoke', 'on']);
  });

  it('exit 1 when the page did not load, the bridge is missing, or it exposes more', () => {
    expect(smokeTestResult({ ...facts, loadError: 'ERR_FILE_NOT_FOUND (-6)' })).toMatchObject({
      exitCode: 1,
      line: expect.stringMatching(
        /^BLOCKLINE_SMOKE_TEST failed: the window did not load \(ERR_FILE_NOT_FOUND/,
      ),
    });
    expect(smokeTestResult({ ...facts, bridgeKeys: null })).toMatchObject({
      exitCode: 1,
      line: expect.stringContaining('bridge=missing'),
    });
    expect(smokeTestResult({ ...facts, bridgeKeys: ['invoke', 'on', 'ipcRenderer'] })).toMatchObject({
      exitCode: 1,
      line: expect.stringContaining('bridge=invoke,ipcRenderer,on'),
    });
  });

  it('the line is one line', () => {
    for (const result of [
      smokeTestResult(facts),
      smokeTestResult({ ...facts, loadError: 'net::ERR_FAILED\nat line 2' }),
    ])
      expect(result.line).not.toMatch(/\n/);
  });
});
