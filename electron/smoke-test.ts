/**
 * The Electron side of `--smoke-test` (electron/launch.ts decides and words the result): waits for the
 * window's page, asks it what `window.blockline` holds, writes the one line and exits.
 */
import { app, type BrowserWindow } from 'electron';
import { errorMessage } from '../shared/error-message';
import { SMOKE_TEST_TIMEOUT_MS, smokeTestResult, type SmokeTestFacts } from './launch';

export function runSmokeTest(window: BrowserWindow, secretStorage: string): void {
  let finished = false;
  const finish = (facts: Omit<SmokeTestFacts, 'version' | 'secretStorage'>) => {
    if (finished) return;
    finished = true;
    const { line, exitCode } = smokeTestResult({ ...facts, version: app.getVersion(), secretStorage });
    // Exit only once the line is written: a pipe may be asynchronous (Windows).
    process.stdout.write(`${line}\n`, () => app.exit(exitCode));
  };
  setTimeout(
    () => finish({ loadError: `no page after ${SMOKE_TEST_TIMEOUT_MS} ms`, bridgeKeys: null }),
    SMOKE_TEST_TIMEOUT_MS,
  ).unref();
  window.webContents.once('did-fail-load', (_event, code, description) =>
    finish({ loadError: `${description} (${code})`, bridgeKeys: null }),
  );
  window.webContents.once('did-finish-load', () => {
    window.webContents
      .executeJavaScript('window.blockline ? Object.keys(window.blockline) : null')
      .then((keys: unknown) =>
        finish({
          loadError: null,
          bridgeKeys: Array.isArray(keys) ? keys.map(String) : null,
        }),
      )
      .catch((error: unknown) => finish({ loadError: errorMessage(error), bridgeKeys: null }));
  });
}
