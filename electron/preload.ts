/**
 * The preload exposes exactly `BlocklineApi` as `window.blockline` — two functions, nothing of
 * ipcRenderer itself. It checks nothing the main process would not check again: the main process
 * validates the sender, the channel and the argument of every call.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type {
  BlocklineApi,
  EventChannel,
  EventPayload,
  InvokeChannel,
  InvokeRequest,
  InvokeResponse,
} from '../shared/contracts/ipc';
import { IPC_EVENT, IPC_INVOKE } from './ipc-channels';

const api: BlocklineApi = {
  invoke<C extends InvokeChannel>(channel: C, request: InvokeRequest<C>): Promise<InvokeResponse<C>> {
    return ipcRenderer.invoke(IPC_INVOKE, channel, request);
  },
  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void {
    const forward = (_event: IpcRendererEvent, eventChannel: unknown, payload: unknown) => {
      if (eventChannel === channel) listener(payload as EventPayload<C>);
    };
    ipcRenderer.on(IPC_EVENT, forward);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, forward);
    };
  },
};

contextBridge.exposeInMainWorld('blockline', api);
