import { describe, expect, it } from 'vitest';
import {
  headsetActions,
  readTelephonyReport,
  telephonyLayout,
  type TelephonyState,
} from '../../shared/hid-telephony';

import { GENERIC, JABRA_STYLE, POLY_STYLE } from './hid-headset-fixtures';

const bytes = (...values: number[]) => new Uint8Array(values);

describe('WebHID telephony reports (hook switch, phone mute)', () => {
  it('reads the plain layout: bit 0 hook switch, bit 1 mute', () => {
    const layout = telephonyLayout(GENERIC);
    expect(layout).not.toBeNull();
    if (!layout) return;
    expect(readTelephonyReport(layout, 1, bytes(0b01))).toEqual({ hookSwitch: true, phoneMute: false });
    expect(readTelephonyReport(layout, 1, bytes(0b11))).toEqual({ hookSwitch: true, phoneMute: true });
    expect(readTelephonyReport(layout, 1, bytes(0b00))).toEqual({ hookSwitch: false, phoneMute: false });
    expect(readTelephonyReport(layout, 9, bytes(0xff))).toBeNull();
  });

  it('reads the Jabra-style layout past the line-busy bit, and ignores the consumer-page report', () => {
    const layout = telephonyLayout(JABRA_STYLE);
    if (!layout) throw new Error('no layout');
    expect([...layout.reports.keys()]).toEqual([2]);
    // Off hook with line busy set (bits 0 and 1): mute is bit 2.
    expect(readTelephonyReport(layout, 2, bytes(0b0000_0011, 0))).toEqual({
      hookSwitch: true,
      phoneMute: false,
    });
    expect(readTelephonyReport(layout, 2, bytes(0b0000_0101, 0))).toEqual({
      hookSwitch: true,
      phoneMute: true,
    });
    // A key pressed in the array nibble changes neither.
    expect(readTelephonyReport(layout, 2, bytes(0b0000_0001, 0x05))).toEqual({
      hookSwitch: true,
      phoneMute: false,
    });
  });

  it('reads the Poly-style array layout: a field holding the pressed usage’s index', () => {
    const layout = telephonyLayout(POLY_STYLE);
    if (!layout) throw new Error('no layout');
    expect(readTelephonyReport(layout, 3, bytes(1, 0))).toEqual({ hookSwitch: true, phoneMute: false });
    expect(readTelephonyReport(layout, 3, bytes(1, 3))).toEqual({ hookSwitch: true, phoneMute: true });
    expect(readTelephonyReport(layout, 3, bytes(0, 0))).toEqual({ hookSwitch: false, phoneMute: false });
  });

  it('is null for a device without the telephony usages (a keyboard, a mouse)', () => {
    expect(
      telephonyLayout([
        {
          usagePage: 0x01,
          usage: 0x06,
          inputReports: [{ reportId: 0, items: [{ usages: [0x070004], reportSize: 8, reportCount: 6 }] }],
        },
      ]),
    ).toBeNull();
  });
});

describe('headset state changes → call actions', () => {
  const state = (hookSwitch: boolean | null, phoneMute: boolean | null): TelephonyState => ({
    hookSwitch,
    phoneMute,
  });

  it('off hook answers, on hook hangs up, a mute press toggles once (not on release)', () => {
    expect(headsetActions(null, state(true, false))).toEqual(['answer']);
    expect(headsetActions(state(true, false), state(true, false))).toEqual([]);
    expect(headsetActions(state(true, false), state(true, true))).toEqual(['toggle-mute']);
    expect(headsetActions(state(true, true), state(true, false))).toEqual([]);
    expect(headsetActions(state(true, false), state(false, false))).toEqual(['hangup']);
    expect(headsetActions(null, state(false, false))).toEqual([]);
    expect(headsetActions(null, state(null, true))).toEqual(['toggle-mute']);
  });
});
