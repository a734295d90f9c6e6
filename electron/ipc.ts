/**
 * The single IPC entry of the main process. No `electron` import: Electron's ipcMain is passed in,
 * so tests exercise the same function with a stand-in. Every call is checked in this order —
 * sender frame, channel, argument — and a refusal is a rejected promise with a clear message in
 * the renderer, logged here, and never an exception that escapes into the main process.
 */
import { IpcRefusedError } from '../host/ipc-guard';
import type { MainServices } from '../host/services';
import { isTrustedSenderUrl, type AppLocation } from './policy';

import { IPC_INVOKE } from './ipc-channels';
import { errorDetail, errorMessage } from '../shared/error-message';

export { IPC_EVENT, IPC_INVOKE } from './ipc-channels';

export interface InvokeEventLike {
  senderFrame: { url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
}

export function registerInvokeHandlers(input: {
  ipcMain: IpcMainLike;
  services: Pick<MainServices, 'handle'>;
  app: AppLocation;
  log: (message: string) => void;
}): void {
  input.ipcMain.handle(IPC_INVOKE, (event, channel, request, ...extra) =>
    handleInvoke({ ...input, event, channel, request, extraArguments: extra.length }),
  );
}

export async function handleInvoke(input: {
  services: Pick<MainServices, 'handle'>;
  app: AppLocation;
  log: (message: string) => void;
  event: InvokeEventLike;
  channel: unknown;
  request: unknown;
  extraArguments?: number;
}): Promise<unknown> {
  const senderUrl = input.event.senderFrame?.url ?? '';
  try {
    if (!isTrustedSenderUrl(senderUrl, input.app)) {
      throw new IpcRefusedError(
        'untrusted_sender',
        `Refused: the call came from a page that is not Blockline's own (${senderUrl || 'unknown frame'})`,
      );
    }
    if ((input.extraArguments ?? 0) > 0) {
      throw new IpcRefusedError('invalid_request', 'Refused: a Blockline call takes exactly one argument');
    }
    return await input.services.handle(input.channel, input.request);
  } catch (error) {
    if (error instanceof IpcRefusedError) {
      input.log(`ipc: ${error.message}`);
      throw error;
    }
    // An unexpected failure inside a handler: the renderer gets a plain message, the log the detail.
    const channel = typeof input.channel === 'string' ? input.channel : 'unknown channel';
    input.log(`ipc: ${channel} failed: ${errorDetail(error)}`);
    throw new Error(`${channel} failed: ${errorMessage(error)}`);
  }
}
