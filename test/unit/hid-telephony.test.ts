import { describe, expect, it } from 'vitest';
import {
  headsetActions,
  HOOK_SWITCH,
  PHONE_MUTE,
  readTelephonyReport,
  telephonyLayout,
  type HidCollectionInfo,
  type TelephonyState,
} from '../../shared/hid-telephony';

/*
 * Collections as WebHID exposes them (HIDDevice.collections) for three common layouts. They are
 * transcribed from published report descriptors of these headset families — not captured from hardware
 * on this machine, which has none.
 */
const TELEPHONY = 0x0b;
const usage = (id: number) => (TELEPHONY << 16) | id;

/** The plain USB telephony headset (the layout of the USB-IF telephony example and Teams-certified dongles). */
const GENERIC: HidCollectionInfo[] = [
  {
    usagePage: TELEPHONY,
    usage: 0x05,
    inputReports: [
      {
        reportId: 1,
        items: [
          { usages: [HOOK_SWITCH, PHONE_MUTE], reportSize: 1, reportCount: 2, isAbsolute: true },
          { reportSize: 1, reportCount: 6, isConstant: true },
        ],
      },
    ],
  },
];

/** Jabra Evolve-style: report 2 with Hook Switch, Line Busy, Phone Mute (relative), Flash, Redial, a key array. */
const JABRA_STYLE: HidCollectionInfo[] = [
  {
    usagePage: 0x0c,
    usage: 0x01,
    inputReports: [{ reportId: 1, items: [{ usages: [0x0c00e9, 0x0c00ea], reportSize: 1, reportCount: 2 }] }],
  },
  {
    usagePage: TELEPHONY,
    usage: 0x05,
    inputReports: [
      {
        reportId: 2,
        items: [
          { usages: [HOOK_SWITCH], reportSize: 1, reportCount: 1, isAbsolute: true },
          { usages: [usage(0x97)], reportSize: 1, reportCount: 1, isAbsolute: true },
          { usages: [PHONE_MUTE], reportSize: 1, reportCount: 1, isAbsolute: false },
          { usages: [usage(0x21), usage(0x24)], reportSize: 1, reportCount: 2, isAbsolute: false },
          { reportSize: 1, reportCount: 3, isConstant: true },
          {
            isArray: true,
            isRange: true,
            usageMinimum: usage(0xb0),
            usageMaximum: usage(0xbb),
            logicalMinimum: 0,
            reportSize: 4,
            reportCount: 1,
          },
          { reportSize: 4, reportCount: 1, isConstant: true },
        ],
      },
    ],
  },
];

/** Poly/Plantronics-style: the telephony buttons as an array field (index of the pressed usage, 1-based). */
const POLY_STYLE: HidCollectionInfo[] = [
  {
    usagePage: TELEPHONY,
    usage: 0x05,
    children: [
      {
        usagePage: TELEPHONY,
        usage: 0x05,
        inputReports: [
          {
            reportId: 3,
            items: [
              {
                usages: [HOOK_SWITCH, usage(0x21), PHONE_MUTE],
                isArray: true,
                logicalMinimum: 1,
                reportSize: 8,
                reportCount: 2,
              },
            ],
          },
        ],
      },
    ],
  },
];

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
