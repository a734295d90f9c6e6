/**
 * The start script talks to the app the way its page does: the browser host's typed API over its
 * WebSocket (shared/contracts/bridge.ts), with the per-launch secret from the app's URL. Used to set
 * up the demo SIP account through the app's own `phone:saveAccount` (store + secret store).
 */
import WebSocket from 'ws';
import { BRIDGE_PATH, BRIDGE_SECRET_PARAM, bridgeServerMessageSchema } from '../../shared/contracts/bridge';
import type { InvokeChannel, InvokeRequest, InvokeResponse, SipAccount } from '../../shared/contracts/ipc';

export interface AppBridge {
  invoke<C extends InvokeChannel>(channel: C, request: InvokeRequest<C>): Promise<InvokeResponse<C>>;
  close(): void;
}

export async function connectAppBridge(appUrl: string): Promise<AppBridge> {
  const page = new URL(appUrl);
  const secret = page.searchParams.get(BRIDGE_SECRET_PARAM) ?? '';
  const socketUrl = `ws://${page.host}${BRIDGE_PATH}?${new URLSearchParams({ [BRIDGE_SECRET_PARAM]: secret })}`;
  const socket = new WebSocket(socketUrl, { origin: page.origin });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  socket.on('message', (data) => {
    const parsed = bridgeServerMessageSchema.safeParse(JSON.parse(data.toString()));
    if (!parsed.success || parsed.data.type !== 'result') return;
    const message = parsed.data;
    const pending = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.ok) pending?.resolve(message.response);
    else pending?.reject(new Error(`${message.error.code}: ${message.error.message}`));
  });
  socket.on('close', () => {
    for (const pending of waiting.values()) pending.reject(new Error('the app closed its connection'));
    waiting.clear();
  });
  return {
    invoke<C extends InvokeChannel>(channel: C, request: InvokeRequest<C>) {
      const id = nextId++;
      return new Promise<InvokeResponse<C>>((resolve, reject) => {
        waiting.set(id, { resolve: (value) => resolve(value as InvokeResponse<C>), reject });
        socket.send(JSON.stringify({ type: 'invoke', id, channel, request }));
      });
    },
    close: () => socket.close(),
  };
}

/** Waits until the app is signed in to its org server (the host signs in at start, retrying). */
export async function waitSignedIn(bridge: AppBridge, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const session = await bridge.invoke('session:get', undefined);
    if (session.signedIn) return;
    if (Date.now() > deadline) throw new Error(`the app did not sign in within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Saves the demo SIP account unless the app has it already; an existing one keeps the user's edits
 * and only follows the PBX to another WebSocket port. Returns what was done.
 */
export async function ensureDemoAccount(
  bridge: AppBridge,
  account: SipAccount,
  password: string,
): Promise<'added' | 'updated' | 'kept'> {
  const existing = (await bridge.invoke('phone:accounts', undefined)).find(
    (entry) => entry.account.id === account.id,
  );
  if (existing === undefined) {
    await bridge.invoke('phone:saveAccount', { account, password });
    return 'added';
  }
  if (existing.account.websocketUrl === account.websocketUrl && existing.hasPassword) return 'kept';
  await bridge.invoke('phone:saveAccount', {
    account: { ...existing.account, websocketUrl: account.websocketUrl },
    ...(existing.hasPassword ? {} : { password }),
  });
  return 'updated';
}
