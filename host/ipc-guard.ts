/**
 * The one gate every renderer → main call passes, in both hosts: the channel must be in the shared
 * map and the argument must match its schema. A refusal is an `IpcRefusedError` with a clear message;
 * it never reaches a handler and never takes the process down.
 */
import { z } from 'zod';
import { invokeChannels, isInvokeChannel, type InvokeChannel } from '../shared/contracts/ipc';

export type IpcRefusalCode = 'unknown_channel' | 'untrusted_sender' | 'invalid_request';

export class IpcRefusedError extends Error {
  constructor(
    readonly code: IpcRefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'IpcRefusedError';
  }
}

export type ParsedInvokeRequest<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['request']>;

/** The same map, typed per channel so a generic channel indexes to its own schema. */
const requestSchemas: { [K in InvokeChannel]: { request: z.ZodType<ParsedInvokeRequest<K>, unknown> } } =
  invokeChannels;

export function assertInvokeChannel(channel: unknown): InvokeChannel {
  if (!isInvokeChannel(channel)) {
    const shown = typeof channel === 'string' ? `"${channel.slice(0, 100)}"` : typeof channel;
    throw new IpcRefusedError('unknown_channel', `Refused: ${shown} is not a Blockline channel`);
  }
  return channel;
}

export function parseInvokeRequest<C extends InvokeChannel>(
  channel: C,
  request: unknown,
): ParsedInvokeRequest<C> {
  const schema = requestSchemas[channel].request;
  const parsed = schema.safeParse(request);
  if (!parsed.success) {
    throw new IpcRefusedError('invalid_request', `Refused ${channel}: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
