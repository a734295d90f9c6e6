/**
 * The CRM companion's state in the app (SPEC §10.11): when the agent wants the screen-pop (on ring or
 * on answer, a choice on this machine), whether the host opens it itself, the pop URL of each live
 * call, and the answered calls still waiting for their wrap-up.
 */
import { createStore } from 'zustand/vanilla';
import type { PreferenceStorage } from './phone';

export type ScreenPopMoment = 'ring' | 'answer';

/** An answered call waiting for the agent's wrap-up. */
export interface WrapUpDue {
  /** The call's id, which is also its history entry's id. */
  callId: string;
  /** The id of the call's report on the server, which the wrap-up names. */
  reportId: string;
  number: string | null;
  remote: string;
  direction: 'inbound' | 'outbound';
  endedAt: number;
}

export interface CompanionState {
  screenPopOn: ScreenPopMoment;
  /** Whether the host opens URLs in the system browser (Electron); null until the host has said. */
  hostOpens: boolean | null;
  /** The screen-pop URL of each live call that has one (the browser host shows it as a link). */
  popUrls: Record<string, string>;
  /** Calls whose pop has been opened (or handed to the host): each opens once. */
  popped: Record<string, true>;
  wrapUpsDue: WrapUpDue[];
  setScreenPopOn(moment: ScreenPopMoment): void;
  setHostOpens(opens: boolean): void;
  setPopUrl(callId: string, url: string | null): void;
  /** True the first time it is asked for a call: whoever gets true opens the pop. */
  claimPop(callId: string): boolean;
  addWrapUpDue(due: WrapUpDue): void;
  removeWrapUpDue(callId: string): void;
}

const SCREEN_POP_KEY = 'blockline.screenPopOn';

export type CompanionStore = ReturnType<typeof createCompanionStore>;

export function createCompanionStore(storage: PreferenceStorage | null) {
  return createStore<CompanionState>()((set, get) => ({
    screenPopOn: storage?.getItem(SCREEN_POP_KEY) === 'answer' ? 'answer' : 'ring',
    hostOpens: null,
    popUrls: {},
    popped: {},
    wrapUpsDue: [],
    setScreenPopOn(moment) {
      storage?.setItem(SCREEN_POP_KEY, moment);
      set({ screenPopOn: moment });
    },
    setHostOpens(opens) {
      set({ hostOpens: opens });
    },
    setPopUrl(callId, url) {
      const { [callId]: _previous, ...others } = get().popUrls;
      set({ popUrls: url === null ? others : { ...others, [callId]: url } });
    },
    claimPop(callId) {
      if (get().popped[callId]) return false;
      set({ popped: { ...get().popped, [callId]: true } });
      return true;
    },
    addWrapUpDue(due) {
      if (get().wrapUpsDue.some((existing) => existing.callId === due.callId)) return;
      set({ wrapUpsDue: [...get().wrapUpsDue, due] });
    },
    removeWrapUpDue(callId) {
      set({ wrapUpsDue: get().wrapUpsDue.filter((due) => due.callId !== callId) });
    },
  }));
}
