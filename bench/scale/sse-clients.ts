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
const latencies = new Map<number, number[]>();
const wallNow = () => performance.timeOrigin + performance.now();
const MARK = Buffer.from('scale t=');
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const POINT = 0x2e;
let open = 0;
let failed = 0;
const failures = new Map<string, number>();

/** The number written after `at` (digits, at most one point), read from the bytes without a string. */
function numberAt(data: Buffer, at: number): number {
  let value = 0;
  let divisor = 0;
  for (let index = at; index < data.length; index += 1) {
    const byte = data[index] ?? 0;
    if (byte >= DIGIT_0 && byte <= DIGIT_9) {
      value = value * 10 + (byte - DIGIT_0);
      if (divisor !== 0) divisor *= 10;
    } else if (byte === POINT && divisor === 0) divisor = 1;
    else break;
  }
  return divisor === 0 ? value : value / divisor;
}

/** Records the sent time of every change in `data` before `end` (whole frames only). */
function onFrames(data: Buffer, start: number, end: number, arrived: number): void {
  for (let at = data.indexOf(MARK, start); at !== -1 && at < end; at = data.indexOf(MARK, at + MARK.length)) {
    const sent = numberAt(data, at + MARK.length);
    let list = latencies.get(sent);
    if (list === undefined) latencies.set(sent, (list = []));
    list.push(Math.round((arrived - sent) * 100) / 100);
  }
}

/** Opens one stream; resolves with null once it is open, or with why it is not. */
function connect(): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: '127.0.0.1', port });
    let settled = false;
    let head = true;
    let carry: Buffer | null = null;
    const settle = (failure: string | null) => {
      if (settled) return;
      settled = true;
      resolve(failure);
    };
    socket.setNoDelay(true);
    socket.write(
      `GET /v1/events HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nauthorization: Bearer ${token}\r\n` +
        'accept: text/event-stream\r\n\r\n',
    );
    socket.on('data', (chunk: Buffer) => {
      const arrived = wallNow();
      const data = carry === null ? chunk : Buffer.concat([carry, chunk]);
      carry = null;
      let start = 0;
      if (head) {
        const end = data.indexOf('\r\n\r\n');
        if (end === -1) {
          carry = data;
          return;
        }
        if (data.toString('latin1', 0, 13) !== 'HTTP/1.1 200 ') {
          settle(data.toString('latin1', 0, data.indexOf('\r\n')));
          socket.destroy();
          return;
        }
        head = false;
        settle(null);
        start = end + 4;
      }
      const last = data.lastIndexOf('\n\n');
      const complete = last < start ? start : last + 2;
      onFrames(data, start, complete, arrived);
      // A frame cut between two reads (its data line begun) waits for its end; chunk framing may go.
      if (data.indexOf('data: ', complete) !== -1) carry = data.subarray(complete);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
    socket.on('close', () => settle('closed before the response'));
  });
}

/** Like an app, a client whose connection failed tries again (a loaded machine drops some). */
async function connectRetrying(): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const failure = await connect();
    if (failure === null) {
      open += 1;
      return;
    }
    failures.set(failure, (failures.get(failure) ?? 0) + 1);
    if (attempt === 3) {
      failed += 1;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function main(): Promise<void> {
  for (let started = 0; started < count; started += 250) {
    await Promise.all(Array.from({ length: Math.min(250, count - started) }, connectRetrying));
  }
  if (failures.size > 0)
    console.error(`sse-clients: failed attempts: ${JSON.stringify(Object.fromEntries(failures))}`);
  process.stdout.write(`READY ${open} ${failed}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === 'DONE') break;
  }
  process.stdout.write(`LATENCIES ${JSON.stringify(Object.fromEntries(latencies))}\n`);
  process.exit(0);
}

void main();
