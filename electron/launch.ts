/**
 * How this launch of the app behaves, decided from its command line and environment. Pure (no Electron
 * import), so tests cover it; electron/main.ts applies it.
 *
 * `--smoke-test` is for a packaged build, which Playwright cannot drive once the inspect fuse is off: the
 * app starts in a throwaway profile, loads its window, writes one line saying what it found and exits
 * (0 when the window loaded and the preload exposed exactly the typed bridge, 1 otherwise). It changes
 * nothing on the machine: no protocol registration, no update check, no data of the user's.
 */
export const SMOKE_TEST_SWITCH = '--smoke-test';
export const SMOKE_TEST_TIMEOUT_MS = 30_000;
/** What the preload must expose on `window.blockline`, and nothing more (electron/preload.ts). */
export const BRIDGE_KEYS = ['invoke', 'on'] as const;

export interface LaunchOptions {
  smokeTest: boolean;
  /**
   * Where Electron keeps its profile (and so its single-instance lock): null for the OS default.
   * BLOCKLINE_DATA_DIR moves it beside the app's data, so test runs neither share nor touch the user's.
   */
  userDataDir: string | null;
  /** Writes the OS's tel:/callto:/sip: association: not for a smoke test or a test run. */
  registerProtocolHandlers: boolean;
  checkForUpdates: boolean;
  /**
   * Chromium drops loopback ICE candidates unless told otherwise; the local demo PBX (npm start) has
   * nothing else. Only for that PBX: a real one is never on loopback.
   */
  allowLoopbackMedia: boolean;
}

export function launchOptionsFrom(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  join: (...parts: string[]) => string,
  makeTempDir: () => string,
): LaunchOptions {
  const smokeTest = argv.includes(SMOKE_TEST_SWITCH);
  const dataDir = env.BLOCKLINE_DATA_DIR;
  return {
    smokeTest,
    userDataDir: smokeTest ? makeTempDir() : dataDir ? join(dataDir, 'electron') : null,
    registerProtocolHandlers: !smokeTest && env.BLOCKLINE_SKIP_PROTOCOL_REGISTRATION !== '1',
    checkForUpdates: !smokeTest && env.BLOCKLINE_DISABLE_UPDATES !== '1',
    allowLoopbackMedia: env.BLOCKLINE_LOCAL_PBX === '1',
  };
}

export interface SmokeTestFacts {
  version: string;
  /** The page finished loading (null: it failed, with the reason). */
  loadError: string | null;
  /** `Object.keys(window.blockline)` in the page, or null when it is missing. */
  bridgeKeys: string[] | null;
  /** Where secrets would be kept (SecretStorageStatus['mode']). */
  secretStorage: string;
}

/** The one line a smoke test writes, and its exit code. */
export function smokeTestResult(facts: SmokeTestFacts): { line: string; exitCode: 0 | 1 } {
  const result = wordSmokeTest(facts);
  return { ...result, line: result.line.replace(/\s+/g, ' ') };
}

function wordSmokeTest(facts: SmokeTestFacts): { line: string; exitCode: 0 | 1 } {
  const bridge = facts.bridgeKeys === null ? 'missing' : [...facts.bridgeKeys].sort().join(',');
  const detail = `version=${facts.version} bridge=${bridge} secrets=${facts.secretStorage}`;
  if (facts.loadError !== null)
    return {
      line: `BLOCKLINE_SMOKE_TEST failed: the window did not load (${facts.loadError}) ${detail}`,
      exitCode: 1,
    };
  if (bridge !== BRIDGE_KEYS.join(','))
    return {
      line: `BLOCKLINE_SMOKE_TEST failed: the preload must expose exactly ${BRIDGE_KEYS.join(',')} ${detail}`,
      exitCode: 1,
    };
  return { line: `BLOCKLINE_SMOKE_TEST ok ${detail}`, exitCode: 0 };
}
