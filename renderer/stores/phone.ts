import { createStore } from 'zustand/vanilla';
import { AVAILABLE, type AgentPresence, type LineSnapshot } from '../phone/types';

export interface AudioPreferences {
  inputDeviceId: string;
  outputDeviceId: string;
  /** Where the ringtone plays: `same` (the speaker above), `default`, or a device id (SPEC §10.5). */
  ringDeviceId: string;
  ringtone: string;
}

/** The ring device that follows the call speaker. */
export const RING_ON_SPEAKER = 'same';

export const RINGTONES = [
  { id: 'classic', label: 'Classic (two tones)' },
  { id: 'soft', label: 'Soft chime' },
  { id: 'silent', label: 'Silent (visual only)' },
] as const;

export const DEFAULT_AUDIO_PREFERENCES: AudioPreferences = {
  inputDeviceId: 'default',
  outputDeviceId: 'default',
  ringDeviceId: RING_ON_SPEAKER,
  ringtone: 'classic',
};

/** Where preferences live between runs; `localStorage` in the app, a map in tests. */
export interface PreferenceStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const AUDIO_KEY = 'blockline.audio';
const PRESENCE_KEY = 'blockline.presence';

export interface PhoneStoreState {
  /** Snapshots from the phone core by account id (never sip.js objects). */
  lines: Record<string, LineSnapshot>;
  /** The account outbound calls go through, or null to use the first registered line. */
  selectedAccountId: string | null;
  audio: AudioPreferences;
  /** Available / Do not disturb and the agent's call preferences on this machine (SPEC §10.4). */
  presence: AgentPresence;
  setLine(line: LineSnapshot): void;
  removeLine(accountId: string): void;
  selectAccount(accountId: string | null): void;
  setAudio(patch: Partial<AudioPreferences>): void;
  setPresence(patch: Partial<AgentPresence>): void;
}

export type PhoneStore = ReturnType<typeof createPhoneStore>;

/** Lines (one SIP user agent each), their registration, and this machine's audio choices (SPEC §7.4). */
export function createPhoneStore(storage: PreferenceStorage | null) {
  return createStore<PhoneStoreState>()((set, get) => ({
    lines: {},
    selectedAccountId: null,
    audio: readAudio(storage),
    presence: readPresence(storage),
    setLine(line) {
      set({ lines: { ...get().lines, [line.accountId]: line } });
    },
    removeLine(accountId) {
      const { [accountId]: _removed, ...lines } = get().lines;
      set({
        lines,
        selectedAccountId: get().selectedAccountId === accountId ? null : get().selectedAccountId,
      });
    },
    selectAccount(accountId) {
      set({ selectedAccountId: accountId });
    },
    setAudio(patch) {
      const audio = { ...get().audio, ...patch };
      storage?.setItem(AUDIO_KEY, JSON.stringify(audio));
      set({ audio });
    },
    setPresence(patch) {
      const presence = { ...get().presence, ...patch };
      storage?.setItem(PRESENCE_KEY, JSON.stringify(presence));
      set({ presence });
    },
  }));
}

/** The stored presence, each field checked; anything unreadable falls back to "available". */
function readPresence(storage: PreferenceStorage | null): AgentPresence {
  const raw = storage?.getItem(PRESENCE_KEY);
  if (!raw) return AVAILABLE;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return AVAILABLE;
    const field = (key: keyof AgentPresence): unknown => Reflect.get(parsed, key);
    return {
      availability: field('availability') === 'dnd' ? 'dnd' : 'available',
      dndResponse: field('dndResponse') === 480 ? 480 : 486,
      refuseSecondCall: field('refuseSecondCall') === true,
      autoAnswer: field('autoAnswer') === true,
    };
  } catch {
    return AVAILABLE;
  }
}

function readAudio(storage: PreferenceStorage | null): AudioPreferences {
  const raw = storage?.getItem(AUDIO_KEY);
  if (!raw) return DEFAULT_AUDIO_PREFERENCES;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return DEFAULT_AUDIO_PREFERENCES;
    const pick = (key: keyof AudioPreferences) => {
      const value: unknown = Reflect.get(parsed, key);
      return typeof value === 'string' && value !== '' ? value : DEFAULT_AUDIO_PREFERENCES[key];
    };
    return {
      inputDeviceId: pick('inputDeviceId'),
      outputDeviceId: pick('outputDeviceId'),
      ringDeviceId: pick('ringDeviceId'),
      ringtone: pick('ringtone'),
    };
  } catch {
    return DEFAULT_AUDIO_PREFERENCES;
  }
}

/** A device preference as the phone takes it: null for the system default. */
export function deviceOrDefault(deviceId: string): string | null {
  return deviceId === 'default' ? null : deviceId;
}

/** The device the ringtone plays on (null: the system default): its own, or the call speaker's. */
export function ringSink(audio: Pick<AudioPreferences, 'outputDeviceId' | 'ringDeviceId'>): string | null {
  return deviceOrDefault(audio.ringDeviceId === RING_ON_SPEAKER ? audio.outputDeviceId : audio.ringDeviceId);
}

/** The line an outbound call uses: the chosen one if registered, else the first registered line. */
export function outboundLine(
  state: Pick<PhoneStoreState, 'lines' | 'selectedAccountId'>,
): LineSnapshot | null {
  const lines = Object.values(state.lines);
  const chosen = state.selectedAccountId === null ? undefined : state.lines[state.selectedAccountId];
  if (chosen && chosen.status === 'registered') return chosen;
  return lines.find((line) => line.status === 'registered') ?? null;
}

/** "2 of 3 lines registered" for the status bar and the tray. */
export function registrationSummary(lines: Record<string, LineSnapshot>): {
  registered: number;
  total: number;
} {
  const all = Object.values(lines);
  return { registered: all.filter((line) => line.status === 'registered').length, total: all.length };
}
