/**
 * The CRM companion's two host services (SPEC §10.11): opening a screen-pop URL in the system browser
 * (only where the host can — Electron's shell — and only http(s) URLs the shared policy allows), and
 * keeping a call's wrap-up with its history entry while it waits to be sent on its own.
 */
import type { InvokeChannel, InvokeResponse } from '../shared/contracts/ipc';
import { screenPopOpenProblem } from '../shared/screen-pop';
import type { ParsedInvokeRequest } from './ipc-guard';
import type { LocalStore } from './local-store';
import type { WrapUpQueue } from './wrap-up-queue';

type CompanionChannel = Extract<InvokeChannel, 'calls:wrapUp' | 'screenPop:open'>;
export type CompanionHandlers = {
  [C in CompanionChannel]: (request: ParsedInvokeRequest<C>) => Promise<InvokeResponse<C>>;
};

export interface CompanionOptions {
  store: LocalStore;
  wrapUps: WrapUpQueue;
  /** Opens a URL in the user's browser (Electron: `shell.openExternal`); absent where a host cannot. */
  openExternal?: (url: string) => Promise<void> | void;
  /** Sends what is waiting (reports first, then wrap-ups). */
  flush: () => void;
  now: () => Date;
  log: (message: string) => void;
}

export function createCompanionHandlers(options: CompanionOptions): CompanionHandlers {
  const { store, wrapUps, log } = options;
  return {
    'screenPop:open': async ({ url }) => {
      const problem = screenPopOpenProblem(url);
      if (problem !== null) {
        log(`screen-pop: refused to open ${url.slice(0, 200)}: ${problem}`);
        return { opened: false };
      }
      if (options.openExternal === undefined) return { opened: false };
      try {
        await options.openExternal(url);
        return { opened: true };
      } catch (error) {
        log(`screen-pop: the system browser did not open: ${String(error)}`);
        return { opened: false };
      }
    },
    'calls:wrapUp': async ({ historyId, reportId, wrapUp }) => {
      const entry = store.getHistory().find((candidate) => candidate.id === historyId);
      if (entry !== undefined)
        store.addHistoryEntry({ ...entry, wrapUp: { ...wrapUp, savedAt: options.now().toISOString() } });
      const queued = wrapUps.enqueue({ reportId, wrapUp });
      options.flush();
      return { queued };
    },
  };
}
