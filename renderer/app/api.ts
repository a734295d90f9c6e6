import type { BlocklineApi, InvokeResponse, WriteError } from '../../shared/contracts/ipc';
import { errorMessage } from '../../shared/error-message';

/**
 * The one way the renderer reaches the main-process services: `window.blockline`, installed by the
 * Electron preload or, in a plain browser, by the WebSocket bridge before the app mounts.
 */
export function getBlocklineApi(): BlocklineApi {
  const api: unknown = Reflect.get(window, 'blockline');
  if (!isBlocklineApi(api))
    throw new Error('window.blockline is not installed: start the app through Electron or the browser host');
  return api;
}

export function isBlocklineApi(value: unknown): value is BlocklineApi {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'invoke') === 'function' &&
    typeof Reflect.get(value, 'on') === 'function'
  );
}

export type WriteOutcome<T> = { ok: true; value: T } | WriteError;

/**
 * Invokes a write channel and turns a thrown transport error (the host went away, the bridge is
 * closed) into the same `{ ok: false }` shape the server's refusals have, so views show one kind of error.
 */
export async function safeWrite<T>(call: () => Promise<WriteOutcome<T>>): Promise<WriteOutcome<T>> {
  try {
    return await call();
  } catch (error) {
    return { ok: false, code: 'network', message: errorMessage(error) };
  }
}

export type { InvokeResponse };
