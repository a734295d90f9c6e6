import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UserAgent } from 'sip.js';
import {
  TRANSFER_SILENCE_MS,
  TransferTracker,
  failureDetail,
  sendTransfer,
  sipfragStatusLine,
  statusWords,
  transferUnderWay,
} from '../../renderer/phone/transfer-progress';
import type { CallSnapshot, TransferStatus } from '../../renderer/phone/types';
import { trackedCall } from './phone-helpers';

/** A tracker with every callback recorded. */
function tracked(silenceMs = TRANSFER_SILENCE_MS) {
  const changes: TransferStatus[] = [];
  const failed: TransferStatus[] = [];
  let succeeded = 0;
  const tracker = new TransferTracker(
    { kind: 'blind', target: '(212) 555-0199', number: '+12125550199' },
    {
      onChange: (status) => changes.push(status),
      onSucceeded: () => {
        succeeded += 1;
      },
      onFailed: (status) => failed.push(status),
    },
    silenceMs,
  );
  return { tracker, changes, failed, succeeded: () => succeeded };
}

describe('the sipfrag of a REFER NOTIFY', () => {
  it('reads the status line with its reason, and nothing else', () => {
    expect(sipfragStatusLine('SIP/2.0 486 Busy Here\r\n')).toEqual({ code: 486, reason: 'Busy Here' });
    expect(sipfragStatusLine('  SIP/2.0 100 Trying')).toEqual({ code: 100, reason: 'Trying' });
    expect(sipfragStatusLine('SIP/2.0 603')).toEqual({ code: 603, reason: '' });
    expect(sipfragStatusLine('')).toBeNull();
    expect(sipfragStatusLine('HTTP/1.1 200 OK')).toBeNull();
    expect(sipfragStatusLine('SIP/2.0 2000 OK')).toBeNull();
  });

  it('says the common failures in words and keeps the code', () => {
    expect([486, 600].map(statusWords)).toEqual(['busy', 'busy']);
    expect([480, 408].map(statusWords)).toEqual(['no answer', 'no answer']);
    expect(statusWords(404)).toBe('not found');
    expect([403, 603].map(statusWords)).toEqual(['declined', 'declined']);
    expect(statusWords(503)).toBe('the network could not connect it');
    expect(statusWords(415)).toBe('refused');
    expect(failureDetail(486, 'Busy Here')).toBe('busy (486 Busy Here)');
    expect(failureDetail(480, '')).toBe('no answer (480)');
  });
});

describe('a transfer’s state (TransferTracker)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts trying, stays trying through provisional NOTIFYs, and fails on a final error with the code', () => {
    const { tracker, changes, failed, succeeded } = tracked();
    expect(changes).toEqual([expect.objectContaining({ kind: 'blind', state: 'trying', statusCode: null })]);
    tracker.referAccepted();
    tracker.notify('SIP/2.0 100 Trying');
    tracker.notify('SIP/2.0 180 Ringing');
    expect(tracker.status.state).toBe('trying');
    tracker.notify('SIP/2.0 486 Busy Here');
    expect(tracker.status).toMatchObject({
      state: 'failed',
      statusCode: 486,
      detail: 'busy (486 Busy Here)',
    });
    expect(failed).toHaveLength(1);
    expect(succeeded()).toBe(0);
    // The silence timer is off once the outcome is known.
    vi.advanceTimersByTime(TRANSFER_SILENCE_MS * 2);
    expect(failed).toHaveLength(1);
    expect(tracker.status.detail).toBe('busy (486 Busy Here)');
  });

  it('succeeds once on a 2xx sipfrag, and nothing fires after it', () => {
    const { tracker, failed, succeeded } = tracked();
    tracker.referAccepted();
    tracker.notify('SIP/2.0 200 OK');
    expect(succeeded()).toBe(1);
    expect(tracker.finished).toBe(true);
    tracker.notify('SIP/2.0 200 OK');
    vi.advanceTimersByTime(TRANSFER_SILENCE_MS * 2);
    expect(succeeded()).toBe(1);
    expect(failed).toEqual([]);
  });

  it('calls the outcome unknown after 30 s without a word, each provisional NOTIFY starting the wait again', () => {
    const { tracker, failed } = tracked();
    tracker.referAccepted();
    vi.advanceTimersByTime(20_000);
    tracker.notify('SIP/2.0 180 Ringing');
    vi.advanceTimersByTime(TRANSFER_SILENCE_MS - 1);
    expect(tracker.status.state).toBe('trying');
    vi.advanceTimersByTime(1);
    expect(tracker.status).toMatchObject({ state: 'failed', statusCode: null });
    expect(tracker.status.detail).toBe(
      'no final answer from the other side within 30 s, so the outcome is unknown',
    );
    expect(failed).toHaveLength(1);
  });

  it('fails at once on a NOTIFY it cannot read, saying so; a later final status still counts', () => {
    const { tracker, changes, failed, succeeded } = tracked();
    tracker.notify('<html>not a sipfrag</html>');
    expect(tracker.status).toMatchObject({ state: 'failed', statusCode: null });
    expect(tracker.status.detail).toMatch(/could not be read, so the outcome is unknown/);
    // A readable failure after it refines the notice without a second "failed" callback …
    tracker.notify('SIP/2.0 404 Not Found');
    expect(tracker.status).toMatchObject({ statusCode: 404, detail: 'not found (404 Not Found)' });
    expect(failed).toHaveLength(1);
    expect(changes.at(-1)?.statusCode).toBe(404);
    // … and a success after all still ends the call as transferred.
    tracker.notify('SIP/2.0 200 OK');
    expect(succeeded()).toBe(1);
  });

  it('a refused REFER fails with the REFER’s own code and ends the transfer', () => {
    const { tracker, failed } = tracked();
    tracker.referRejected(405, 'Method Not Allowed');
    expect(tracker.status).toMatchObject({ state: 'failed', statusCode: 405 });
    expect(tracker.status.detail).toBe('the other side would not transfer the call (405 Method Not Allowed)');
    expect(tracker.finished).toBe(true);
    tracker.notify('SIP/2.0 200 OK');
    expect(failed).toHaveLength(1);
  });

  it('stopped (the call ended), it neither fails nor succeeds', () => {
    const { tracker, failed, succeeded } = tracked(1000);
    tracker.stop();
    vi.advanceTimersByTime(5000);
    tracker.notify('SIP/2.0 200 OK');
    expect(failed).toEqual([]);
    expect(succeeded()).toBe(0);
    expect(tracker.status.state).toBe('trying');
  });
});

describe('sendTransfer on a real sip.js session', () => {
  it('a REFER that cannot be sent (no dialog yet) shows as a failed transfer in the snapshot, and resolves', async () => {
    const changes: CallSnapshot[] = [];
    const { registry, record } = trackedCall((snapshot) => changes.push(snapshot), {
      direction: 'inbound',
      state: 'connected',
    });
    const failed: TransferStatus[] = [];
    const target = UserAgent.makeURI('sip:+12125550199@lab.invalid');
    if (!target) throw new Error('bad URI');
    await sendTransfer({
      registry,
      record,
      kind: 'blind',
      target: '2125550199',
      number: '+12125550199',
      referTo: target,
      onSucceeded: () => undefined,
      onFailed: (status) => failed.push(status),
      onError: () => undefined,
    });
    expect(changes.map((change) => change.transfer?.state)).toEqual(['trying', 'failed']);
    expect(record.snapshot.transfer).toMatchObject({
      kind: 'blind',
      target: '2125550199',
      number: '+12125550199',
      state: 'failed',
      statusCode: null,
    });
    expect(record.snapshot.transfer?.detail).toMatch(/^the transfer could not be sent \(/);
    expect(failed).toHaveLength(1);
    expect(transferUnderWay(record)).toBe(false);
  });
});
