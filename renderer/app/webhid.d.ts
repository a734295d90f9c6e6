/**
 * The part of WebHID (https://wicg.github.io/webhid/) the headset buttons use; TypeScript's DOM lib
 * has no WebHID yet. `navigator.hid` is optional: Chromium and Electron have it, other engines do not.
 */
import type { HidCollectionInfo } from '../../shared/hid-telephony';

declare global {
  interface HIDInputReportEvent extends Event {
    readonly device: HIDDevice;
    readonly reportId: number;
    readonly data: DataView;
  }

  interface HIDConnectionEvent extends Event {
    readonly device: HIDDevice;
  }

  // Only the members used here, not the whole EventTarget: tests can stand in a plain object.
  interface HIDDevice {
    readonly opened: boolean;
    readonly vendorId: number;
    readonly productId: number;
    readonly productName: string;
    readonly collections: HidCollectionInfo[];
    open(): Promise<void>;
    close(): Promise<void>;
    addEventListener(type: 'inputreport', listener: (event: HIDInputReportEvent) => void): void;
    removeEventListener(type: 'inputreport', listener: (event: HIDInputReportEvent) => void): void;
  }

  interface HIDDeviceFilter {
    vendorId?: number;
    productId?: number;
    usagePage?: number;
    usage?: number;
  }

  interface HID {
    getDevices(): Promise<HIDDevice[]>;
    requestDevice(options: { filters: HIDDeviceFilter[] }): Promise<HIDDevice[]>;
    addEventListener(type: 'connect' | 'disconnect', listener: (event: HIDConnectionEvent) => void): void;
    removeEventListener(type: 'connect' | 'disconnect', listener: (event: HIDConnectionEvent) => void): void;
  }

  interface Navigator {
    readonly hid?: HID;
  }
}
