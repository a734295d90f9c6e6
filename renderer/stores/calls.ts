import { createStore } from 'zustand/vanilla';
import type { CallSnapshot } from '../phone/types';

export interface CallsStoreState {
  /** Plain snapshots from the phone core by call id; the sip.js sessions stay inside the phone. */
  calls: Record<string, CallSnapshot>;
  /** The dialer's text (typed, or filled by a `tel:` link). */
  dialerText: string;
  /** A notice for the agent about the last outbound attempt (blocked, refused). */
  dialerNotice: { tone: 'error' | 'warning' | 'info'; text: string } | null;
  upsertCall(call: CallSnapshot): void;
  removeCall(id: string): void;
  setDialerText(text: string): void;
  setDialerNotice(notice: CallsStoreState['dialerNotice']): void;
}

export type CallsStore = ReturnType<typeof createCallsStore>;

/** How long an ended call stays on screen before it is dropped from the live calls. */
export const ENDED_CALL_LINGER_MS = 2_000;

export function createCallsStore() {
  return createStore<CallsStoreState>()((set, get) => ({
    calls: {},
    dialerText: '',
    dialerNotice: null,
    upsertCall(call) {
      set({ calls: { ...get().calls, [call.id]: call } });
    },
    removeCall(id) {
      if (!(id in get().calls)) return;
      const { [id]: _removed, ...calls } = get().calls;
      set({ calls });
    },
    setDialerText(text) {
      set({ dialerText: text, dialerNotice: null });
    },
    setDialerNotice(notice) {
      set({ dialerNotice: notice });
    },
  }));
}

/** The ringing inbound call to present: the oldest one. */
export function incomingCall(calls: Record<string, CallSnapshot>): CallSnapshot | null {
  return (
    Object.values(calls)
      .filter((call) => call.state === 'incoming')
      .sort((a, b) => a.startedAt - b.startedAt)[0] ?? null
  );
}

/** Calls in progress (dialing, ringing out, connected), oldest first. */
export function ongoingCalls(calls: Record<string, CallSnapshot>): CallSnapshot[] {
  return Object.values(calls)
    .filter((call) => call.state === 'dialing' || call.state === 'ringing' || call.state === 'connected')
    .sort((a, b) => a.startedAt - b.startedAt);
}

/** Seconds on the call so far (0 until connected). */
export function callElapsedSeconds(call: CallSnapshot, nowMs: number): number {
  if (call.connectedAt === null) return 0;
  return Math.max(0, Math.floor(((call.endedAt ?? nowMs) - call.connectedAt) / 1000));
}
