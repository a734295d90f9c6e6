/**
 * One process of event-stream clients for the scale benchmark (bench/scale/scale.ts): opens COUNT
 * streams to one server, prints `READY n` once all are open, and records for every change how long it
 * took from the write (its reason carries `t=<wall-clock ms>`) to arrival here. On `DONE` on stdin it
 * prints `LATENCIES [..]` and exits. Clients live apart from the servers so they do not share a loop.
 *
 *   tsx bench/scale/sse-clients.ts <port> <token> <count>
 */
import http from 'node:http';
import { createInterface } from 'node:readline';

const [portText = '', token = '', countText = '0'] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const latencies: number[] = [];
const wallNow = () => performance.timeOrigin + performance.now();
let open = 0;
let failed = 0;

function onFrame(frame: string): void {
  const data = frame.split('\n').find((line) => line.startsWith('data: '));
  if (data === undefined || !frame.includes('event: change')) return;
  const sent = /t=(\d+(?:\.\d+)?)/.exec(data);
  if (sent?.[1] !== undefined) latencies.push(wallNow() - Number(sent[1]));
}

function connect(): Promise<void> {
  return new Promise((resolve) => {
    const request = http.get(
      { host: '127.0.0.1', port, path: '/v1/events', agent, headers: { authorization: `Bearer ${token}` } },
      (response) => {
        if (response.statusCode !== 200) {
          failed += 1;
          response.resume();
          resolve();
          return;
        }
        open += 1;
        resolve();
        response.setEncoding('utf8');
        let buffer = '';
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end !== -1) {
            onFrame(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
          }
        });
      },
    );
    request.on('error', () => {
      failed += 1;
      resolve();
    });
  });
}

async function main(): Promise<void> {
  for (let started = 0; started < count; started += 250) {
    await Promise.all(Array.from({ length: Math.min(250, count - started) }, connect));
  }
  process.stdout.write(`READY ${open} ${failed}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === 'DONE') break;
  }
  process.stdout.write(
    `LATENCIES ${JSON.stringify(latencies.map((value) => Math.round(value * 100) / 100))}\n`,
  );
  process.exit(0);
}

void main();
