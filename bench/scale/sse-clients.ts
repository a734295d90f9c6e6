/**
 * One process of event-stream clients for the scale benchmark (bench/scale/scale.ts): opens COUNT
 * streams to one server, prints `READY n` once all are open, and records for every change how long it
 * took from the write (its reason carries `t=<wall-clock ms>`) to arrival here. On `DONE` on stdin it
 * prints `LATENCIES {"<sent>": [ms, ..], ..}` (one list per write) and exits. Clients live apart from the servers so they do not share a loop.
 *
 * Each client is a bare TCP socket speaking just enough HTTP/1.1: Node's HTTP client (a parser, an
 * IncomingMessage and a string decoder per stream) cost more CPU per delivered frame than the server
 * under test, and on a two-core machine that time is taken from the server and counted as latency.
 *
 *   tsx bench/scale/sse-clients.ts <port> <token> <count>
 */
import { connect as connectTcp } from 'node:net';
import { createInterface } from 'node:readline';

const [portText = '', token = '', countText = '0'] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const latencies = new Map<string, number[]>();
const wallNow = () => performance.timeOrigin + performance.now();
const MARK = 'scale t=';
let open = 0;
let failed = 0;

/** Records the sent time of every change in `text` (whole frames only: each ends with a blank line). */
function onFrames(text: string, arrived: number): void {
  for (let at = text.indexOf(MARK); at !== -1; at = text.indexOf(MARK, at + MARK.length)) {
    const sentText = /^[\d.]+/.exec(text.slice(at + MARK.length, at + MARK.length + 24))?.[0] ?? '';
    const sent = Number.parseFloat(sentText);
    if (!Number.isFinite(sent)) continue;
    let list = latencies.get(sentText);
    if (list === undefined) latencies.set(sentText, (list = []));
    list.push(Math.round((arrived - sent) * 100) / 100);
  }
}

function connect(): Promise<void> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: '127.0.0.1', port });
    let settled = false;
    let head = true;
    let carry = '';
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      if (ok) open += 1;
      else failed += 1;
      resolve();
    };
    socket.setNoDelay(true);
    socket.write(
      `GET /v1/events HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nauthorization: Bearer ${token}\r\n` +
        'accept: text/event-stream\r\n\r\n',
    );
    socket.on('data', (chunk: Buffer) => {
      const arrived = wallNow();
      let text = carry + chunk.toString('latin1');
      if (head) {
        const end = text.indexOf('\r\n\r\n');
        if (end === -1) {
          carry = text;
          return;
        }
        if (!/^HTTP\/1\.1 200 /.test(text)) {
          settle(false);
          socket.destroy();
          return;
        }
        head = false;
        settle(true);
        text = text.slice(end + 4);
      }
      // A frame cut between two reads waits for its end.
      const last = text.lastIndexOf('\n\n');
      if (last === -1) {
        carry = text;
        return;
      }
      onFrames(text.slice(0, last), arrived);
      carry = text.slice(last + 2);
    });
    socket.on('error', () => settle(false));
    socket.on('close', () => settle(false));
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
  process.stdout.write(`LATENCIES ${JSON.stringify(Object.fromEntries(latencies))}\n`);
  process.exit(0);
}

void main();
