/**
 * An event stream's HTTP response. Node's ServerResponse writes the head and, at the end, the last
 * chunk; in between the stream's frames go straight to the socket, already framed as HTTP/1.1 chunks
 * (`SharedFrames.chunked`): one write of one shared Buffer per client, where `response.write` would
 * encode the text again and cork, frame and uncork each client's socket on its own.
 */
import type { ServerResponse } from 'node:http';
import type { SseOutput } from './sse';
import type { SharedFrames } from './sse-frames';

export function openEventResponse(response: ServerResponse): SseOutput {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  response.flushHeaders();
  // Node frames the body as chunks for HTTP/1.1; an HTTP/1.0 client gets it bare, ended by the close.
  const chunked = response.chunkedEncoding;
  // No socket yet: a pipelined request waiting for the one before it. Node then queues the head, so
  // the body must queue behind it through the response (rare, and only for clients that pipeline).
  const socket = response.socket;
  return {
    write(frames: SharedFrames): void {
      if (response.writableEnded) return;
      if (socket === null) response.write(frames.bytes);
      else if (!socket.destroyed) socket.write(chunked ? frames.chunked : frames.bytes);
    },
    get bufferedBytes(): number {
      return socket === null ? response.writableLength : socket.writableLength;
    },
    end(): void {
      if (!response.writableEnded) response.end();
    },
    onClose(listener: () => void): void {
      response.on('close', listener);
    },
  };
}
