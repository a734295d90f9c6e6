/**
 * The floor of this machine for the scale benchmark: a bare Node `http` server that holds event
 * streams and, on `POST /emit?t=<ms>`, writes one change frame — the same shape and size as the org
 * server's — to every stream. Prints `LISTENING <port>`.
 */
import http from 'node:http';

const streams = new Set<http.ServerResponse>();
let revision = 0;

const server = http.createServer((request, response) => {
  if (request.method === 'GET') {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    });
    response.write('retry: 2000\n\n');
    streams.add(response);
    response.on('close', () => streams.delete(response));
    return;
  }
  const sent = new URL(request.url ?? '/', 'http://x').searchParams.get('t') ?? '0';
  revision += 1;
  const now = new Date().toISOString();
  const change = {
    type: 'rule_upserted',
    rule: {
      id: `${revision.toString(36)}.0`,
      kind: 'block',
      number: `+1212555${String(revision).padStart(4, '0')}`,
      scope: 'all',
      reason: `scale t=${sent}`,
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
  const frame = `id: ${revision}\nevent: change\ndata: ${JSON.stringify(change)}\n\n`;
  for (const stream of streams) stream.write(frame);
  response.writeHead(204).end();
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`LISTENING ${typeof address === 'object' && address !== null ? address.port : 0}\n`);
});
