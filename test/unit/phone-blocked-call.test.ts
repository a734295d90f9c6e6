import { describe, expect, it } from 'vitest';
import type { AnnouncementAudio } from '../../renderer/phone/announcement';
import {
  BlockedCalls,
  blockedCallEvent,
  blockedCallFinished,
  whenTerminated,
} from '../../renderer/phone/blocked-call';
import type { BlockedCallEvent, BlockedCallFinished } from '../../renderer/phone/types';
import { inviterOn, unstartedLine } from './phone-helpers';

const outboundFields = {
  sipCallId: null,
  direction: 'outbound',
  accountId: 'agent1',
  line: '+12125550000',
  decision: {
    verdict: { action: 'block', why: 'anonymous' },
    number: '+12125550100',
    explanation: 'blocked',
  },
  identity: null,
  dialed: '212 555 0100',
  handling: 'local-announcement',
} as const satisfies Omit<BlockedCallEvent, 'id' | 'at'>;

/** Web Audio cannot exist in Node: a stand-in player whose local playback resolves or fails. */
function standInAudio(playLocally: () => Promise<number>): AnnouncementAudio {
  return { playLocally } as unknown as AnnouncementAudio;
}

function flowWith(audio: AnnouncementAudio): {
  flow: BlockedCalls;
  log: string[];
  finished: BlockedCallFinished[];
} {
  const log: string[] = [];
  const finished: BlockedCallFinished[] = [];
  const flow = new BlockedCalls({
    audio,
    clipUrl: (kind) => (kind === 'inbound' ? 'in.wav' : 'out.wav'),
    mediaConnectTimeoutMs: 100,
    onBlocked: (event) => log.push(`blocked ${event.id}`),
    onFinished: (done) => {
      log.push(`finished ${done.outcome}`);
      finished.push(done);
    },
    onError: (context) => log.push(`error ${context}`),
  });
  return { flow, log, finished };
}

describe('blocked-call records', () => {
  it('stamps each attempt with a new id and the time, and closes it with its outcome', () => {
    const before = Date.now();
    const event = blockedCallEvent(outboundFields);
    const other = blockedCallEvent(outboundFields);
    expect(event.id).toMatch(/^blocked-/);
    expect(event.id).not.toBe(other.id);
    expect(event.at).toBeGreaterThanOrEqual(before);
    expect(blockedCallFinished(event, 'announced', 2100, 5)).toEqual({
      id: event.id,
      handling: 'local-announcement',
      outcome: 'announced',
      playedMs: 2100,
      endedAt: 5,
    });
  });
});

describe('BlockedCalls.outbound (stand-in Web Audio player)', () => {
  it('reports the attempt at once, then "announced" with the time the clip played', async () => {
    const { flow, log, finished } = flowWith(standInAudio(() => Promise.resolve(1800)));
    const event = blockedCallEvent(outboundFields);
    flow.outbound(event);
    expect(log).toEqual([`blocked ${event.id}`]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(finished).toEqual([
      expect.objectContaining({ id: event.id, outcome: 'announced', playedMs: 1800 }),
    ]);
  });

  it('still finishes the attempt when the clip cannot play', async () => {
    const { flow, log } = flowWith(standInAudio(() => Promise.reject(new Error('no output device'))));
    flow.outbound(blockedCallEvent(outboundFields));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(log.slice(1)).toEqual([
      'error playing the outbound announcement',
      'finished failed: no output device',
    ]);
  });

  it('gives no announcement stream to a session it is not announcing to', () => {
    const { flow } = flowWith(standInAudio(() => Promise.resolve(0)));
    expect(flow.announcementStream(inviterOn(unstartedLine()))).toBeNull();
  });
});

describe('whenTerminated', () => {
  it('resolves when a real sip.js session terminates, and at once when it already has', async () => {
    const inviter = inviterOn(unstartedLine());
    let done = false;
    const waiting = whenTerminated(inviter).then(() => {
      done = true;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    await inviter.dispose();
    await waiting;
    expect(done).toBe(true);
    await expect(whenTerminated(inviter)).resolves.toBeUndefined();
  });
});
