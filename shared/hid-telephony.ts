/**
 * USB headset buttons through WebHID (SPEC §10.9): the telephony usage page (0x0B, HID Usage Tables
 * §14) — Hook Switch (0x20) and Phone Mute (0x2F). WebHID gives the parsed report descriptor as
 * collections of report items; this finds where the two usages sit in each input report and reads them
 * from the raw bytes, then turns state changes into call actions. Pure: the shapes below are the
 * fields of WebHID's HIDCollectionInfo/HIDReportItem that are read, so recorded descriptors test it.
 */

export const TELEPHONY_PAGE = 0x0b;
export const HOOK_SWITCH = (TELEPHONY_PAGE << 16) | 0x20;
export const PHONE_MUTE = (TELEPHONY_PAGE << 16) | 0x2f;

export interface HidReportItem {
  /** Extended usages (page << 16 | id), as WebHID gives them. */
  usages?: number[];
  usageMinimum?: number;
  usageMaximum?: number;
  isRange?: boolean;
  isArray?: boolean;
  isConstant?: boolean;
  isAbsolute?: boolean;
  logicalMinimum?: number;
  reportSize: number;
  reportCount: number;
}

export interface HidReportInfo {
  reportId: number;
  items?: HidReportItem[];
}

export interface HidCollectionInfo {
  usagePage?: number;
  usage?: number;
  inputReports?: HidReportInfo[];
  children?: HidCollectionInfo[];
}

/** Where a usage sits: a 1-bit variable field, or one of an array's index fields. */
type Field =
  | { kind: 'bit'; bitOffset: number; absolute: boolean }
  | { kind: 'array'; bitOffset: number; size: number; count: number; value: number };

export interface TelephonyLayout {
  /** By report id: the fields of Hook Switch and Phone Mute in that report. */
  reports: Map<number, { hookSwitch: Field | null; phoneMute: Field | null }>;
}

function itemUsages(item: HidReportItem): number[] {
  if (item.isRange && item.usageMinimum !== undefined && item.usageMaximum !== undefined) {
    const usages: number[] = [];
    for (let usage = item.usageMinimum; usage <= item.usageMaximum && usages.length < 1024; usage += 1)
      usages.push(usage);
    return usages;
  }
  return item.usages ?? [];
}

function* walk(collection: HidCollectionInfo): Generator<HidCollectionInfo> {
  yield collection;
  for (const child of collection.children ?? []) yield* walk(child);
}

/** Reads the device's collections once; null when it has no telephony input (not a headset). */
export function telephonyLayout(collections: readonly HidCollectionInfo[]): TelephonyLayout | null {
  const reports: TelephonyLayout['reports'] = new Map();
  for (const top of collections) {
    for (const collection of walk(top)) {
      for (const report of collection.inputReports ?? []) {
        let bitOffset = 0;
        let hookSwitch: Field | null = null;
        let phoneMute: Field | null = null;
        for (const item of report.items ?? []) {
          const usages = itemUsages(item);
          if (!item.isConstant) {
            if (item.isArray) {
              // Each field holds the index of the pressed usage (logicalMinimum = the first usage).
              const base = item.logicalMinimum ?? 0;
              const at = (usage: number) => usages.indexOf(usage);
              const array = (usage: number): Field | null =>
                at(usage) < 0
                  ? null
                  : {
                      kind: 'array',
                      bitOffset,
                      size: item.reportSize,
                      count: item.reportCount,
                      value: base + at(usage),
                    };
              hookSwitch ??= array(HOOK_SWITCH);
              phoneMute ??= array(PHONE_MUTE);
            } else if (item.reportSize === 1) {
              for (let index = 0; index < item.reportCount; index += 1) {
                // Fewer usages than fields: the last usage repeats (HID 1.11 §6.2.2.8).
                const usage = usages[Math.min(index, usages.length - 1)];
                const field: Field = {
                  kind: 'bit',
                  bitOffset: bitOffset + index,
                  absolute: item.isAbsolute !== false,
                };
                if (usage === HOOK_SWITCH) hookSwitch ??= field;
                if (usage === PHONE_MUTE) phoneMute ??= field;
              }
            }
          }
          bitOffset += item.reportSize * item.reportCount;
        }
        if (hookSwitch || phoneMute) reports.set(report.reportId, { hookSwitch, phoneMute });
      }
    }
  }
  return reports.size > 0 ? { reports } : null;
}

function readBits(data: Uint8Array, bitOffset: number, size: number): number {
  let value = 0;
  for (let bit = 0; bit < size; bit += 1) {
    const position = bitOffset + bit;
    const byte = data[position >> 3] ?? 0;
    value |= ((byte >> (position & 7)) & 1) << bit;
  }
  return value;
}

function fieldIsOn(field: Field, data: Uint8Array): boolean {
  if (field.kind === 'bit') return readBits(data, field.bitOffset, 1) === 1;
  for (let index = 0; index < field.count; index += 1)
    if (readBits(data, field.bitOffset + index * field.size, field.size) === field.value) return true;
  return false;
}

export interface TelephonyState {
  /** Off hook: the headset says "a call is on". */
  hookSwitch: boolean | null;
  /** The mute button is down. */
  phoneMute: boolean | null;
}

/** One input report (WebHID's `reportId` and `data` without the id byte); null when not a telephony report. */
export function readTelephonyReport(
  layout: TelephonyLayout,
  reportId: number,
  data: Uint8Array,
): TelephonyState | null {
  const fields = layout.reports.get(reportId);
  if (!fields) return null;
  return {
    hookSwitch: fields.hookSwitch ? fieldIsOn(fields.hookSwitch, data) : null,
    phoneMute: fields.phoneMute ? fieldIsOn(fields.phoneMute, data) : null,
  };
}

export type HeadsetAction = 'answer' | 'hangup' | 'toggle-mute';

/**
 * What a change of state asks for: the hook switch going off hook answers, going on hook hangs up;
 * the mute button toggles mute when pressed (headsets send it as a momentary button).
 */
export function headsetActions(previous: TelephonyState | null, next: TelephonyState): HeadsetAction[] {
  const actions: HeadsetAction[] = [];
  const wasOffHook = previous?.hookSwitch ?? false;
  if (next.hookSwitch === true && !wasOffHook) actions.push('answer');
  if (next.hookSwitch === false && wasOffHook) actions.push('hangup');
  if (next.phoneMute === true && !(previous?.phoneMute ?? false)) actions.push('toggle-mute');
  return actions;
}
