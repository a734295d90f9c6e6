/**
 * The extension after a dialled number goes out as DTMF once the call connects (SPEC §1.1a). The session
 * is a stand-in for a sip.js session's state and its change events: an established call needs a far end.
 */
import { SessionState, type Emitter } from 'sip.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dialExtensionOnConnect, type SessionStateSource } from '../../renderer/phone/extension-dial';

/** A session stand-in: `to(state)` moves it and tells the listeners, as sip.js does. */
function standInSession(): SessionStateSource & { to(state: SessionState): void; listeners: number } {
  const listeners = new Set<(state: SessionState) => void>();
  let state = SessionState.Initial;
  const stateChange: Emitter<SessionState> = {
    addListener: (listener) => void listeners.add(listener),
    removeListener: (listener) => void listeners.delete(listener),
    on: (listener) => void listeners.add(listener),
    off: (listener) => void listeners.delete(listener),
    once: (listener) => {
      const once = (next: SessionState) => {
        listeners.delete(once);
        listener(next);
      };
      listeners.add(once);
    },
  };
  return {
    get state() {
      return state;
    },
    stateChange,
    get listeners() {
      return listeners.size;
    },
    to(next) {
      state = next;
      for (const listener of [...listeners]) listener(next);
    },
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('dialExtensionOnConnect', () => {
  it('sends the extension once, a pause after the call connects', async () => {
    const session = standInSession();
    const sent: string[] = [];
    dialExtensionOnConnect(
      session,
      '2041',
      async (tones) => void sent.push(tones),
      () => undefined,
      2000,
    );
    session.to(SessionState.Establishing);
    await vi.advanceTimersByTimeAsync(5000);
    expect(sent).toEqual([]);
    session.to(SessionState.Established);
    await vi.advanceTimersByTimeAsync(1999);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual(['2041']);
    expect(session.listeners).toBe(0);
  });

  it('sends nothing when the call ends first, or ends during the pause', async () => {
    const rejected = standInSession();
    const sent: string[] = [];
    dialExtensionOnConnect(
      rejected,
      '12',
      async (tones) => void sent.push(tones),
      () => undefined,
      2000,
    );
    rejected.to(SessionState.Terminated);
    expect(rejected.listeners).toBe(0);
    const hungUp = standInSession();
    dialExtensionOnConnect(
      hungUp,
      '34',
      async (tones) => void sent.push(tones),
      () => undefined,
      2000,
    );
    hungUp.to(SessionState.Established);
    hungUp.to(SessionState.Terminated);
    await vi.advanceTimersByTimeAsync(3000);
    expect(sent).toEqual([]);
  });

  it('reports a failed send instead of throwing into the call', async () => {
    const session = standInSession();
    const errors: unknown[] = [];
    dialExtensionOnConnect(
      session,
      '9',
      () => Promise.reject(new Error('no DTMF')),
      (error) => errors.push(error),
      10,
    );
    session.to(SessionState.Established);
    await vi.advanceTimersByTimeAsync(10);
    expect(errors).toEqual([new Error('no DTMF')]);
  });
});
