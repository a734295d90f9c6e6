import { HOOK_SWITCH, PHONE_MUTE, type HidCollectionInfo } from '../../shared/hid-telephony';

/**
 * Collections as WebHID exposes them (HIDDevice.collections) for three common layouts. They are
 * transcribed from published report descriptors of these headset families — not captured from hardware
 * on this machine, which has none.
 */
const TELEPHONY = 0x0b;
const usage = (id: number) => (TELEPHONY << 16) | id;

/** The plain USB telephony headset (the layout of the USB-IF telephony example and Teams-certified dongles). */
export const GENERIC: HidCollectionInfo[] = [
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
export const JABRA_STYLE: HidCollectionInfo[] = [
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
export const POLY_STYLE: HidCollectionInfo[] = [
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
