/**
 * The floor of this machine for the scale benchmark: a bare Node `http` server that holds event
 * streams and, on `POST /emit?t=<ms>`, writes one change frame — the same shape and size as the org
 * server's — to every stream, in the cheapest way Node offers: the frame encoded and chunk-framed once,
 * the one Buffer written to each socket (what the org server does too; `response.write(text)` per
 * client costs more and would make a floor the server can beat). Prints `LISTENING <port>`.
 */
import http from 'node:http';
import type { Socket } from 'node:net';

const streams = new Set<Socket>();
let revision = 0;

const server = http.createServer((request, response) => {
  if (request.method === 'GET') {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    });
    response.write('retry: 2000\n\n');
    const socket = response.socket;
    if (socket === null) return;
    streams.add(socket);
    response.on('close', () => streams.delete(socket));
    return;
  }
  const sent = new URL(request.url ?? '/', 'http://x').searchParams.get('t');
  revision += 1;
  const now = new Date().toISOString();
  const change = {
    type: 'rule_upserted',
    rule: {
      id: `${revision.toString(36)}.0`,
      kind: 'block',
      number: `+1212555${String(revision).padStart(4, '0')}`,
      scope: 'all',
      reason: sent === null ? 'warm-up' : `scale t=${sent}`,
      expiresAt: null,
      source: 'manual',
      createdBy: 'Scale lead',
      createdAt: now,
      updatedAt: now,
      hitCount: 0,
      lastHitAt: null,
    },
    revision,
    at: now,
  };
  const frame = Buffer.from(`id: ${revision}\nevent: change\ndata: ${JSON.stringify(change)}\n\n`);
  const chunk = Buffer.concat([Buffer.from(`${frame.length.toString(16)}\r\n`), frame, Buffer.from('\r\n')]);
  for (const socket of streams) socket.write(chunk);
  response.writeHead(204).end();
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`LISTENING ${typeof address === 'object' && address !== null ? address.port : 0}\n`);
});
