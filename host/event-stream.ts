/**
 * Reads the org server's Server-Sent Events stream over fetch (Node 20 has no EventSource), parsed by
 * eventsource-parser. One call is one connection: it resolves when the server ends the stream and
 * rejects on a network error, an HTTP error, or silence longer than `idleTimeoutMs` (a dead TCP
 * connection is otherwise invisible). Reconnecting — with Last-Event-ID — is the caller's job.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { errorFromResponse, type FetchLike } from './api-client';

export interface EventStreamOptions {
  url: string;
  headers: Record<string, string>;
  /** Sent as Last-Event-ID so the server replays everything after it. */
  lastEventId: string | null;
  fetch: FetchLike;
  signal: AbortSignal;
  /** Called once the server has accepted the stream (2xx). */
  onOpen: () => void;
  onEvent: (message: EventSourceMessage) => void;
  idleTimeoutMs: number;
}

export class EventStreamError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'EventStreamError';
  }
}

export async function readEventStream(options: EventStreamOptions): Promise<void> {
  const controller = new AbortController();
  const abort = () => controller.abort(options.signal.reason);
  if (options.signal.aborted) abort();
  options.signal.addEventListener('abort', abort, { once: true });
  let idleTimer: NodeJS.Timeout | undefined;
  const armIdleTimer = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(
      () =>
        controller.abort(
          new EventStreamError(`no data from the server for ${options.idleTimeoutMs} ms`, null),
        ),
      options.idleTimeoutMs,
    );
  };
  try {
    armIdleTimer();
    const headers: Record<string, string> = { ...options.headers, accept: 'text/event-stream' };
    if (options.lastEventId !== null) headers['last-event-id'] = options.lastEventId;
    const response = await options.fetch(options.url, { headers, signal: controller.signal });
    if (!response.ok) {
      const error = await errorFromResponse(response);
      throw new EventStreamError(error.message, response.status, error.code);
    }
    if (response.body === null) throw new EventStreamError('the event stream has no body', response.status);
    options.onOpen();
    const parser = createParser({ onEvent: options.onEvent });
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    // Not every fetch ties the body to the signal: cancel the read ourselves on abort.
    const cancelRead = () => void reader.cancel(controller.signal.reason).catch(() => undefined);
    controller.signal.addEventListener('abort', cancelRead, { once: true });
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || controller.signal.aborted) break;
        armIdleTimer();
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } finally {
      controller.signal.removeEventListener('abort', cancelRead);
    }
    if (controller.signal.aborted) throw controller.signal.reason;
  } catch (error) {
    // An abort carries its reason (ours: idle timeout; the caller's: stop) — surface that, not "aborted".
    if (controller.signal.aborted && controller.signal.reason instanceof Error)
      throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(idleTimer);
    options.signal.removeEventListener('abort', abort);
  }
}
