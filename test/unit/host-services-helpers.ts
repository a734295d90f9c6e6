/** The real main-process services as the Electron-side unit tests run them, with nothing outside the test. */
import { LocalStore } from '../../host/local-store';
import { createMemorySecretStore } from '../../host/secrets';
import { createMainServices, type MainServices, type MainServicesOptions } from '../../host/services';

/**
 * The services of an Electron host (tray, notifications, keychain, protocol handlers) on a local store
 * in `dir`, with secrets in memory, no network, a fixed clock (2026-01-10 12:00 UTC) and randomness;
 * `extra` adds or replaces options (e.g. `native`).
 */
export function offlineElectronServices(dir: string, extra: Partial<MainServicesOptions> = {}): MainServices {
  return createMainServices({
    store: new LocalStore({ dir }),
    secrets: createMemorySecretStore(),
    fetch: () => Promise.reject(new Error('no network in this test')),
    now: () => new Date('2026-01-10T12:00:00Z'),
    random: () => 0.5,
    appInfo: {
      host: 'electron',
      version: '1.2.3',
      capabilities: { tray: true, nativeNotifications: true, osKeychain: true, protocolHandlers: true },
    },
    ...extra,
  });
}
