/**
 * The browser host's WebSocket protocol: the same typed API as Electron's IPC, as JSON messages.
 * Pure (zod only), so both ends — the host in Node and the bridge in the page — import it.
 *   page → host: { type: 'invoke', id, channel, request }
 *   host → page: { type: 'result', id, ok: true, response } | { type: 'result', id, ok: false, error }
 *                { type: 'event', channel, payload }
 */
import { z } from 'zod';

export const BRIDGE_PATH = '/ipc';
/** The query parameter carrying the per-launch secret, on the page URL and on the WebSocket URL. */
export const BRIDGE_SECRET_PARAM = 'secret';

export const bridgeInvokeMessageSchema = z
  .object({
    type: z.literal('invoke'),
    id: z.number().int().nonnegative(),
    channel: z.string().max(100),
    request: z.unknown().optional(),
  })
  .strict();
export type BridgeInvokeMessage = z.infer<typeof bridgeInvokeMessageSchema>;

export const bridgeErrorSchema = z.object({ code: z.string(), message: z.string() });
export type BridgeError = z.infer<typeof bridgeErrorSchema>;

export const bridgeServerMessageSchema = z.union([
  z.object({ type: z.literal('result'), id: z.number().int(), ok: z.literal(true), response: z.unknown() }),
  z.object({
    type: z.literal('result'),
    id: z.number().int(),
    ok: z.literal(false),
    error: bridgeErrorSchema,
  }),
  z.object({ type: z.literal('event'), channel: z.string(), payload: z.unknown() }),
]);
export type BridgeServerMessage = z.infer<typeof bridgeServerMessageSchema>;
