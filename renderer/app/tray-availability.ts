/**
 * The tray's Available / Do not disturb choice (SPEC §10.4), linked to the phone store where the agent's
 * presence lives: every change of availability (from the header, Settings or the tray) is told to the host
 * for the tray, and a choice made in the tray (`tray:setAvailability`) is applied to the store. Glue only:
 * the menu itself is `host/tray-menu.ts`.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { BlocklineApi } from '../../shared/contracts/ipc';
import type { PhoneStoreState } from '../stores/phone';

/** Starts the link; returns the function that ends it. */
export function linkTrayAvailability(api: BlocklineApi, phone: StoreApi<PhoneStoreState>): () => void {
  let told: string | null = null;
  const tell = () => {
    const { availability } = phone.getState().presence;
    if (availability === told) return;
    told = availability;
    void api.invoke('tray:availability', { availability }).catch(() => undefined);
  };
  tell();
  const offStore = phone.subscribe(tell);
  const offTray = api.on('tray:setAvailability', ({ availability }) =>
    phone.getState().setPresence({ availability }),
  );
  return () => {
    offStore();
    offTray();
  };
}
