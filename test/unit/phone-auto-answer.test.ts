import { afterEach, describe, expect, it, vi } from 'vitest';
import { autoAnswerPlan, followAutoAnswer, scheduleAutoAnswer } from '../../renderer/phone/auto-answer';
import { AVAILABLE } from '../../renderer/phone/types';

const asksNow = { get: (name: string) => (name === 'Call-Info' ? ['<sip:pbx>;answer-after=0'] : []) };
const asksIn2 = {
  get: (name: string) => (name === 'Alert-Info' ? ['<http://x>;info=alert-autoanswer;delay=2'] : []),
};
const ordinary = { get: () => [] };

describe('auto-answer (SPEC §10.4)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers when the PBX asks only on a line where it is turned on', () => {
    expect(autoAnswerPlan(AVAILABLE, { pbxAutoAnswer: true }, asksNow, false)).toEqual({
      delayMs: 0,
      why: 'pbx',
    });
    expect(autoAnswerPlan(AVAILABLE, { pbxAutoAnswer: true }, asksIn2, false)).toEqual({
      delayMs: 2000,
      why: 'pbx',
    });
    expect(autoAnswerPlan(AVAILABLE, { pbxAutoAnswer: false }, asksNow, false)).toBeNull();
    expect(autoAnswerPlan(AVAILABLE, {}, asksNow, false)).toBeNull();
    expect(autoAnswerPlan(AVAILABLE, null, asksNow, false)).toBeNull();
    expect(autoAnswerPlan(AVAILABLE, { pbxAutoAnswer: true }, ordinary, false)).toBeNull();
  });

  it("answers by the agent's own option, and never over another call", () => {
    const agent = { ...AVAILABLE, autoAnswer: true };
    expect(autoAnswerPlan(agent, null, ordinary, false)).toEqual({ delayMs: 0, why: 'agent' });
    expect(autoAnswerPlan(agent, { pbxAutoAnswer: true }, asksNow, true)).toBeNull();
    expect(autoAnswerPlan(agent, null, ordinary, true)).toBeNull();
  });

  it('answers after the delay only if the call still rings, and can be cancelled', async () => {
    vi.useFakeTimers();
    const answer = vi.fn(async () => undefined);
    let ringing = true;
    scheduleAutoAnswer(
      { delayMs: 2000, why: 'pbx' },
      () => ringing,
      answer,
      () => undefined,
    );
    await vi.advanceTimersByTimeAsync(1999);
    expect(answer).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(answer).toHaveBeenCalledTimes(1);

    ringing = false;
    scheduleAutoAnswer(
      { delayMs: 1000, why: 'pbx' },
      () => ringing,
      answer,
      () => undefined,
    );
    await vi.advanceTimersByTimeAsync(1000);
    expect(answer).toHaveBeenCalledTimes(1);

    ringing = true;
    const cancel = scheduleAutoAnswer(
      { delayMs: 1000, why: 'pbx' },
      () => ringing,
      answer,
      () => undefined,
    );
    cancel();
    await vi.advanceTimersByTimeAsync(1000);
    expect(answer).toHaveBeenCalledTimes(1);
  });

  it('reports a failed answer instead of throwing', async () => {
    const errors: unknown[] = [];
    scheduleAutoAnswer(
      { delayMs: 0, why: 'agent' },
      () => true,
      async () => {
        throw new Error('no microphone');
      },
      (error) => errors.push(error),
    );
    await Promise.resolve();
    await Promise.resolve();
    expect(errors).toHaveLength(1);
  });

  it('forgets the plan once the call stops ringing before it is due', async () => {
    vi.useFakeTimers();
    const listeners: Array<() => void> = [];
    const session = { stateChange: { addListener: (listener: () => void) => void listeners.push(listener) } };
    const answer = vi.fn(async () => undefined);
    let ringing = true;
    followAutoAnswer({
      plan: { delayMs: 3000, why: 'pbx' },
      session,
      ringing: () => ringing,
      answer,
      onError: () => undefined,
    });
    await vi.advanceTimersByTimeAsync(1000);
    ringing = false;
    for (const listener of listeners) listener();
    ringing = true; // even if something rang again on the same record, the plan is gone
    await vi.advanceTimersByTimeAsync(5000);
    expect(answer).not.toHaveBeenCalled();
    followAutoAnswer({ plan: null, session, ringing: () => true, answer, onError: () => undefined });
    await vi.advanceTimersByTimeAsync(5000);
    expect(answer).not.toHaveBeenCalled();
  });
});
