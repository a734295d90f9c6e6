/**
 * What a lab party was sent, read off the wire: tcpdump on `lo` keeps the UDP packets to a port range,
 * and `pcmuWindowWav` turns the PCMU RTP among them (payload type 0) that arrived within a time window
 * into a WAV for sox (audio-analysis.ts). For when a party's own recording cannot be trusted: baresip
 * 1.0's `sndfile` stops writing what it decodes at the first re-INVITE (a hold), though the RTP keeps
 * coming — seen in test/e2e/ui-merge-calls.test.ts. Needs root (the lab's network namespace is).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

export interface RtpCapture {
  /** The pcap file tcpdump writes (complete once `stop()` resolved). */
  file: string;
  /** Stops tcpdump and waits until it has written its last packet. */
  stop(): Promise<void>;
}

/** Starts tcpdump on `lo` for UDP packets to ports `from`–`to`; resolves once it listens. */
export async function startRtpCapture(
  file: string,
  ports: { from: number; to: number },
): Promise<RtpCapture> {
  const child = spawn(
    'tcpdump',
    ['-i', 'lo', '-n', '-U', '-w', file, `udp and dst portrange ${ports.from}-${ports.to}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // A test that throws before stop() must not leave tcpdump running in the namespace.
  const killOnExit = () => child.kill('SIGINT');
  process.once('exit', killOnExit);
  const closed = new Promise<void>((resolve) =>
    child.on('close', () => {
      process.removeListener('exit', killOnExit);
      resolve();
    }),
  );
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${stderr}`)), 5000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/listening on/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('error', reject);
    void closed.then(() => reject(new Error(`tcpdump quit: ${stderr}`)));
  });
  return {
    file,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await closed;
    },
  };
}

/** The payloads of the PCMU packets in a pcap that arrived between `fromMs` and `toMs` (epoch ms). */
export function pcmuPayloads(pcapFile: string, window: { fromMs: number; toMs: number }): Buffer {
  const data = readFileSync(pcapFile);
  const magic = data.readUInt32LE(0);
  const nanoseconds = magic === 0xa1b23c4d;
  if (magic !== 0xa1b2c3d4 && !nanoseconds) throw new Error(`${pcapFile}: not a little-endian pcap`);
  // tcpdump on Linux's lo writes Ethernet frames (a zeroed 14-byte header) or, for "any", cooked ones.
  const linkType = data.readUInt32LE(20);
  const linkHeader = linkType === 1 ? 14 : linkType === 113 ? 16 : 0;
  const chunks: Buffer[] = [];
  for (let offset = 24; offset + 16 <= data.length;) {
    const seconds = data.readUInt32LE(offset);
    const fraction = data.readUInt32LE(offset + 4);
    const length = data.readUInt32LE(offset + 8);
    const packet = data.subarray(offset + 16, offset + 16 + length);
    offset += 16 + length;
    const atMs = seconds * 1000 + (nanoseconds ? fraction / 1e6 : fraction / 1e3);
    if (atMs < window.fromMs || atMs > window.toMs) continue;
    const ip = packet.subarray(linkHeader);
    if (ip.length < 20 || ip[0] === undefined || ip[0] >> 4 !== 4 || ip[9] !== 17) continue;
    const rtp = ip.subarray((ip[0] & 0x0f) * 4 + 8);
    const first = rtp[0] ?? 0;
    // RTP version 2, payload type 0 (PCMU): RTCP (types 200–204) and DTMF events are left out.
    if (rtp.length < 12 || first >> 6 !== 2 || ((rtp[1] ?? 0) & 0x7f) !== 0) continue;
    let header = 12 + 4 * (first & 0x0f);
    if (first & 0x10) header += 4 + 4 * rtp.readUInt16BE(header + 2);
    chunks.push(rtp.subarray(header));
  }
  return Buffer.concat(chunks);
}

/** The PCMU audio a pcap holds for the window, as an 8 kHz WAV at `wavFile` (throws when there is none). */
export function pcmuWindowWav(
  pcapFile: string,
  window: { fromMs: number; toMs: number },
  wavFile: string,
): string {
  const payloads = pcmuPayloads(pcapFile, window);
  if (payloads.length === 0) throw new Error(`${pcapFile}: no PCMU packets in the window`);
  const raw = `${wavFile}.ul`;
  writeFileSync(raw, payloads);
  execFileSync('sox', ['-t', 'ul', '-r', '8000', '-c', '1', raw, wavFile]);
  return wavFile;
}
