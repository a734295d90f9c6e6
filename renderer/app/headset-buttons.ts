/**
 * USB headset buttons (SPEC §10.9) through WebHID: every permitted device with a telephony collection is
 * opened, its input reports read with shared/hid-telephony.ts, and the hook switch and mute button turned
 * into the same call actions as the keyboard shortcuts (`runCallAction`), so the rules are identical:
 * off hook answers the ringing call, on hook hangs up the live one, the mute button toggles mute.
 * Devices plugged in later follow `connect`/`disconnect`; a device the user grants in Settings is
 * picked up by `requestHeadsets`.
 */
import { useEffect } from 'react';
import {
  headsetActions,
  readTelephonyReport,
  TELEPHONY_PAGE,
  telephonyLayout,
  type HeadsetAction,
  type TelephonyState,
} from '../../shared/hid-telephony';
import { runCallAction } from './call-shortcuts';
import type { PhoneController } from './phone-controller';
import type { AppStores } from './stores';

/** WebHID where this engine has it (Chromium, Electron), otherwise null. */
export function webHid(): HID | null {
  return typeof navigator !== 'undefined' ? (navigator.hid ?? null) : null;
}

export function isHeadset(device: HIDDevice): boolean {
  return telephonyLayout(device.collections) !== null;
}

/** The running links: told to look again when Settings was granted a new device. */
const linked = new Set<() => Promise<void>>();
/**
 * How many links use each device: a link that ends (React runs effects twice in development, and
 * remounts) must not close a device another link still listens to.
 */
const users = new Map<HIDDevice, number>();

/**
 * Asks the user for headsets (Chromium's device chooser; Electron's `select-hid-device` in main picks
 * the telephony one). Needs a click's user gesture. Returns every headset now permitted.
 */
export async function requestHeadsets(hid: HID): Promise<HIDDevice[]> {
  await hid.requestDevice({ filters: [{ usagePage: TELEPHONY_PAGE }] });
  await Promise.all([...linked].map((refresh) => refresh()));
  return (await hid.getDevices()).filter(isHeadset);
}

/** Starts listening to every permitted headset; returns the function that ends it. */
export function linkHeadsetButtons(hid: HID, onAction: (action: HeadsetAction) => void): () => void {
  const attached = new Map<HIDDevice, (event: HIDInputReportEvent) => void>();
  let stopped = false;

  const attach = async (device: HIDDevice) => {
    const layout = telephonyLayout(device.collections);
    if (stopped || layout === null || attached.has(device)) return;
    let state: TelephonyState | null = null;
    const onReport = (event: HIDInputReportEvent) => {
      const data = new Uint8Array(event.data.buffer, event.data.byteOffset, event.data.byteLength);
      const read = readTelephonyReport(layout, event.reportId, data);
      if (read === null) return;
      // A report without one of the two usages leaves that one's state as it was.
      const next: TelephonyState = {
        hookSwitch: read.hookSwitch ?? state?.hookSwitch ?? null,
        phoneMute: read.phoneMute ?? state?.phoneMute ?? null,
      };
      const actions = headsetActions(state, next);
      state = next;
      for (const action of actions) onAction(action);
    };
    attached.set(device, onReport);
    users.set(device, (users.get(device) ?? 0) + 1);
    device.addEventListener('inputreport', onReport);
    try {
      if (!device.opened) await device.open();
    } catch {
      // Another program holds it (some vendors' own softphones do): no buttons from this one.
      detach(device);
    }
    if (stopped) detach(device);
  };
  const detach = (device: HIDDevice) => {
    const onReport = attached.get(device);
    if (onReport === undefined) return;
    device.removeEventListener('inputreport', onReport);
    attached.delete(device);
    const left = (users.get(device) ?? 1) - 1;
    if (left > 0) users.set(device, left);
    else {
      users.delete(device);
      if (device.opened) void device.close().catch(() => undefined);
    }
  };
  const refresh = async () => {
    const devices = await hid.getDevices().catch(() => []);
    await Promise.all(devices.map(attach));
  };
  const onConnect = (event: HIDConnectionEvent) => void attach(event.device);
  const onDisconnect = (event: HIDConnectionEvent) => detach(event.device);

  hid.addEventListener('connect', onConnect);
  hid.addEventListener('disconnect', onDisconnect);
  linked.add(refresh);
  void refresh();
  return () => {
    stopped = true;
    linked.delete(refresh);
    hid.removeEventListener('connect', onConnect);
    hid.removeEventListener('disconnect', onDisconnect);
    for (const device of [...attached.keys()]) detach(device);
  };
}

/** The headset's buttons drive the calls for as long as the signed-in app is shown. */
export function useHeadsetButtons(stores: AppStores, controller: PhoneController): void {
  useEffect(() => {
    const hid = webHid();
    if (hid === null) return;
    return linkHeadsetButtons(hid, (action) => {
      runCallAction(action === 'toggle-mute' ? 'mute' : action, stores, controller);
    });
  }, [stores, controller]);
}
