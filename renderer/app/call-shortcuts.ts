/**
 * Call control from the keyboard (SPEC §10.9): the in-window shortcuts while the window has focus, and
 * the desktop's global shortcuts, which the main process forwards as `shortcut:action`. Both end in the
 * same place: the action applied to the call `targetCallFor` picks.
 */
import { useEffect } from 'react';
import {
  actionForPress,
  DEFAULT_SHORTCUTS,
  targetCallFor,
  type CallAction,
  type Platform,
  type ShortcutBindings,
} from '../../shared/shortcuts';
import type { PhoneController } from './phone-controller';
import type { AppStores } from './stores';

export function currentPlatform(): Platform {
  return typeof navigator !== 'undefined' && /Mac/i.test(navigator.platform) ? 'darwin' : 'linux';
}

/** Applies one action; returns whether a call was there to act on. */
export function runCallAction(action: CallAction, stores: AppStores, controller: PhoneController): boolean {
  const calls = Object.values(stores.calls.getState().calls);
  const callId = targetCallFor(action, calls);
  const call = calls.find((candidate) => candidate.id === callId);
  if (!call) return false;
  const done = (promise: Promise<void>) => void promise.catch(() => undefined);
  switch (action) {
    case 'answer':
      done(controller.answer(call.id));
      break;
    case 'hangup':
      done(call.state === 'incoming' ? controller.decline(call.id) : controller.hangup(call.id));
      break;
    case 'mute':
      controller.mute(call.id, !call.muted);
      break;
    case 'hold':
      done(controller.hold(call.id, !call.held));
      break;
  }
  return true;
}

export function useCallShortcuts(
  stores: AppStores,
  controller: PhoneController,
  bindings: ShortcutBindings = DEFAULT_SHORTCUTS,
): void {
  useEffect(() => {
    const platform = currentPlatform();
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.repeat) return;
      const action = actionForPress(bindings, event, platform);
      if (action && runCallAction(action, stores, controller)) event.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    const offGlobal = stores.api.on('shortcut:action', ({ action }) => {
      runCallAction(action, stores, controller);
    });
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      offGlobal();
    };
  }, [stores, controller, bindings]);
}
