import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { installBrowserBridge } from './bridge/browser-bridge';
import { createPhone } from './phone';
import { App } from './app/App';
import { getBlocklineApi, isBlocklineApi } from './app/api';
import { PhoneControllerProvider } from './app/controller';
import { startCrmCompanion } from './app/crm-companion';
import { createPhoneController } from './app/phone-controller';
import { createAppStores, StoresProvider } from './app/stores';
import './styles/app.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

// Electron's preload has already installed window.blockline; in a plain browser the host's bridge does.
if (!isBlocklineApi(Reflect.get(window, 'blockline'))) installBrowserBridge(window);

if (!isBlocklineApi(Reflect.get(window, 'blockline'))) {
  root.textContent =
    'Blockline cannot reach its background service. Start it with the desktop app, or open the address the browser host printed (it carries the secret).';
} else {
  const stores = createAppStores(getBlocklineApi(), window.localStorage);
  const controller = createPhoneController(stores, createPhone);
  startCrmCompanion(stores);
  // Account changes in Settings → Phone restart the lines with the new configuration.
  stores.settings.subscribe((state, previous) => {
    if (state.accountsVersion !== previous.accountsVersion)
      void controller.restart().catch((error: unknown) => console.error('phone restart failed', error));
  });
  createRoot(root).render(
    <StrictMode>
      <StoresProvider stores={stores}>
        <PhoneControllerProvider controller={controller}>
          <App />
        </PhoneControllerProvider>
      </StoresProvider>
    </StrictMode>,
  );
}
