/**
 * The WebHID link of the headset buttons against a fake `navigator.hid` (no HID device exists on this
 * machine; the fakes carry recorded headset descriptors): which devices it opens,
 * which reports become which call actions, and connect/disconnect/stop.
 */
import { describe, expect, it } from 'vitest';
import type { HeadsetAction, HidCollectionInfo } from '../../shared/hid-telephony';
import { linkHeadsetButtons, requestHeadsets } from '../../renderer/app/headset-buttons';
import { GENERIC, JABRA_STYLE } from './hid-headset-fixtures';

const KEYBOARD: HidCollectionInfo[] = [
  {
    usagePage: 0x01,
    usage: 0x06,
    inputReports: [{ reportId: 0, items: [{ usages: [0x070004], reportSize: 8, reportCount: 6 }] }],
  },
];

type Listener<E> = (event: E) => void;

class FakeDevice implements HIDDevice {
  opened = false;
  readonly vendorId = 0x0b0e;
  readonly productId = 0x0001;
  private readonly listeners = new Set<Listener<HIDInputReportEvent>>();
  constructor(
    readonly productName: string,
    readonly collections: HidCollectionInfo[],
  ) {}
  async open() {
    this.opened = true;
  }
  async close() {
    this.opened = false;
  }
  addEventListener(_type: 'inputreport', listener: Listener<HIDInputReportEvent>) {
    this.listeners.add(listener);
  }
  removeEventListener(_type: 'inputreport', listener: Listener<HIDInputReportEvent>) {
    this.listeners.delete(listener);
  }
  /** What the OS would deliver; WebHID drops reports of a closed device. */
  report(reportId: number, ...bytes: number[]) {
    if (!this.opened) return;
    const data = new DataView(new Uint8Array(bytes).buffer);
    const event = Object.assign(new Event('inputreport'), { device: this, reportId, data });
    for (const listener of this.listeners) listener(event);
  }
}

class FakeHid implements HID {
  requested: unknown[] = [];
  private readonly listeners = {
    connect: new Set<Listener<HIDConnectionEvent>>(),
    disconnect: new Set<Listener<HIDConnectionEvent>>(),
  };
  constructor(
    public permitted: FakeDevice[],
    private readonly grantOnRequest: FakeDevice[] = [],
  ) {}
  async getDevices() {
    return [...this.permitted];
  }
  async requestDevice(options: { filters: HIDDeviceFilter[] }) {
    this.requested.push(options);
    this.permitted.push(...this.grantOnRequest);
    return this.grantOnRequest;
  }
  addEventListener(type: 'connect' | 'disconnect', listener: Listener<HIDConnectionEvent>) {
    this.listeners[type].add(listener);
  }
  removeEventListener(type: 'connect' | 'disconnect', listener: Listener<HIDConnectionEvent>) {
    this.listeners[type].delete(listener);
  }
  plug(device: FakeDevice, type: 'connect' | 'disconnect') {
    const event = Object.assign(new Event(type), { device });
    for (const listener of this.listeners[type]) listener(event);
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('headset buttons over WebHID (fake navigator.hid)', () => {
  it('opens only headsets and turns hook switch and mute reports into call actions', async () => {
    const jabra = new FakeDevice('Jabra-style headset', JABRA_STYLE);
    const keyboard = new FakeDevice('Keyboard', KEYBOARD);
    const hid = new FakeHid([jabra, keyboard]);
    const actions: HeadsetAction[] = [];
    const stop = linkHeadsetButtons(hid, (action) => actions.push(action));
    await settle();
    expect(jabra.opened).toBe(true);
    expect(keyboard.opened).toBe(false);

    jabra.report(2, 0b001, 0); // off hook
    jabra.report(2, 0b001, 0); // the same state again: nothing
    jabra.report(2, 0b101, 0); // mute pressed
    jabra.report(2, 0b001, 0); // mute released: nothing
    jabra.report(1, 0b11); // the consumer-page report (volume): nothing
    jabra.report(2, 0b000, 0); // on hook
    expect(actions).toEqual(['answer', 'toggle-mute', 'hangup']);

    stop();
    expect(jabra.opened).toBe(false);
    jabra.opened = true; // even if it were still delivering, the link is gone
    jabra.report(2, 0b001, 0);
    expect(actions).toEqual(['answer', 'toggle-mute', 'hangup']);
  });

  it('keeps a device open while another link uses it (React runs effects twice in development)', async () => {
    const generic = new FakeDevice('USB headset', GENERIC);
    const hid = new FakeHid([generic]);
    const actions: string[] = [];
    linkHeadsetButtons(hid, (action) => actions.push(`first ${action}`))(); // ended at once
    const stopSecond = linkHeadsetButtons(hid, (action) => actions.push(`second ${action}`));
    await settle();
    const stopThird = linkHeadsetButtons(hid, (action) => actions.push(`third ${action}`));
    await settle();
    stopThird();
    expect(generic.opened).toBe(true);
    generic.report(1, 0b01);
    expect(actions).toEqual(['second answer']);
    stopSecond();
    expect(generic.opened).toBe(false);
  });

  it('follows connect and disconnect', async () => {
    const hid = new FakeHid([]);
    const actions: HeadsetAction[] = [];
    const stop = linkHeadsetButtons(hid, (action) => actions.push(action));
    await settle();
    const generic = new FakeDevice('USB headset', GENERIC);
    hid.plug(generic, 'connect');
    await settle();
    expect(generic.opened).toBe(true);
    generic.report(1, 0b01);
    expect(actions).toEqual(['answer']);
    hid.plug(generic, 'disconnect');
    expect(generic.opened).toBe(false);
    stop();
  });

  it('asks for telephony devices only, and picks up the one the user grants', async () => {
    const granted = new FakeDevice('USB headset', GENERIC);
    const hid = new FakeHid([], [granted]);
    const actions: HeadsetAction[] = [];
    const stop = linkHeadsetButtons(hid, (action) => actions.push(action));
    await settle();
    const headsets = await requestHeadsets(hid);
    expect(hid.requested).toEqual([{ filters: [{ usagePage: 0x0b }] }]);
    expect(headsets.map((device) => device.productName)).toEqual(['USB headset']);
    expect(granted.opened).toBe(true);
    granted.report(1, 0b01);
    granted.report(1, 0b11);
    expect(actions).toEqual(['answer', 'toggle-mute']);
    stop();
  });
});
