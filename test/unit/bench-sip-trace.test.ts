/**
 * The SIP benchmark's packet-capture reader: a capture written here byte by byte (Ethernet, IPv4,
 * UDP/TCP, WebSocket frames masked and not) gives back each hop of a blocked call.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPcap, traceBlockedCalls, webSocketTexts } from '../../bench/sip-trace';

const dir = mkdtempSync(path.join(tmpdir(), 'blockline-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function webSocketFrame(text: string, mask: Buffer | null): Buffer {
  const payload = Buffer.from(text);
  const header = payload.length < 126 ? Buffer.from([0x81, payload.length]) : Buffer.alloc(4);
  if (payload.length >= 126) {
    header[0] = 0x81;
    header[1] = 126;
    header.writeUInt16BE(payload.length, 2);
  }
  if (mask === null) return Buffer.concat([header, payload]);
  header[1] = header[1]! | 0x80;
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([header, mask, masked]);
}

function packet(protocol: 'udp' | 'tcp', from: number, to: number, payload: Buffer): Buffer {
  const transport = protocol === 'udp' ? Buffer.alloc(8) : Buffer.alloc(20);
  transport.writeUInt16BE(from, 0);
  transport.writeUInt16BE(to, 2);
  if (protocol === 'tcp') transport[12] = 5 << 4;
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + transport.length + payload.length, 2);
  ip[9] = protocol === 'udp' ? 17 : 6;
  const ethernet = Buffer.alloc(14);
  ethernet.writeUInt16BE(0x0800, 12);
  return Buffer.concat([ethernet, ip, transport, payload]);
}

function pcap(records: Array<{ atMs: number; frame: Buffer }>): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const parts: Buffer[] = [header];
  for (const { atMs, frame } of records) {
    const record = Buffer.alloc(16);
    record.writeUInt32LE(Math.floor(atMs / 1000), 0);
    record.writeUInt32LE(Math.round((atMs % 1000) * 1000), 4);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    parts.push(record, frame);
  }
  return Buffer.concat(parts);
}

const invite = 'INVITE sip:+12125550000@127.0.0.1 SIP/2.0\r\nCall-ID: call-1@sipp\r\nCSeq: 1 INVITE\r\n\r\n';
const decline = 'SIP/2.0 603 Decline\r\nCall-ID: call-1@sipp\r\nCSeq: 1 INVITE\r\n\r\n';

describe('SIP benchmark capture reader', () => {
  it('unmasks WebSocket frames, several to a segment', () => {
    const mask = Buffer.from([1, 2, 3, 4]);
    const segment = Buffer.concat([webSocketFrame(invite, null), webSocketFrame(decline.repeat(3), mask)]);
    expect(webSocketTexts(segment)).toEqual([invite, decline.repeat(3)]);
  });

  it("times each hop of a blocked call and Kamailio's round trips to rtpengine", () => {
    const base = 1_790_000_000_000;
    const ng = (text: string, from: number, to: number) => packet('udp', from, to, Buffer.from(text));
    const file = path.join(dir, 'trace.pcap');
    writeFileSync(
      file,
      pcap([
        { atMs: base, frame: packet('udp', 5061, 5060, Buffer.from(invite)) },
        { atMs: base + 0.3, frame: ng('c1 d7:command5:offer7:call-id11:call-1@sippe', 40000, 22222) },
        { atMs: base + 0.8, frame: ng('c1 d6:result2:oke', 22222, 40000) },
        { atMs: base + 1.2, frame: packet('tcp', 8080, 50000, webSocketFrame(invite, null)) },
        {
          atMs: base + 2.9,
          frame: packet('tcp', 50000, 8080, webSocketFrame(decline, Buffer.from([9, 8, 7, 6]))),
        },
        { atMs: base + 3.0, frame: ng('c2 d7:command6:delete7:call-id11:call-1@sippe', 40000, 22222) },
        { atMs: base + 3.4, frame: ng('c2 d6:result2:oke', 22222, 40000) },
        { atMs: base + 3.6, frame: packet('udp', 5060, 5061, Buffer.from(decline)) },
      ]),
    );
    const [trace, ...others] = traceBlockedCalls(readPcap(file), {
      sipPort: 5060,
      webSocketPort: 8080,
      rtpenginePort: 22222,
    });
    expect(others).toEqual([]);
    expect(trace?.callId).toBe('call-1@sipp');
    expect(trace!.inviteToApp - trace!.inviteAtProxy).toBeCloseTo(1.2, 3);
    expect(trace!.finalFromApp - trace!.inviteToApp).toBeCloseTo(1.7, 3);
    expect(trace!.finalToCaller - trace!.finalFromApp).toBeCloseTo(0.7, 3);
    expect(trace!.rtpengineMs).toBeCloseTo(0.9, 3);
  });
});
