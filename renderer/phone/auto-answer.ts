/**
 * Auto-answer (SPEC §10.4): by the agent's own option, or when the PBX asks for it (`Call-Info:
 * …;answer-after=N`, `Alert-Info: …auto-answer…`, shared/pbx-auto-answer.ts) — the latter only on lines
 * where an admin turned it on (`Line.pbxAutoAnswer`), since anyone can write those headers. Only calls
 * that were allowed get here (the blocklist decision runs first), and never while another call is in
 * progress (that would put the live call on hold without the agent). Free of sip.js: unit-tested in Node.
 */
import type { Line } from '../../shared/contracts/api';
import { pbxAutoAnswerRequest, type AutoAnswerHeaders } from '../../shared/pbx-auto-answer';
import type { AgentPresence } from './types';

export interface AutoAnswerPlan {
  delayMs: number;
  why: 'agent' | 'pbx';
}

/** Whether and when to answer an allowed incoming call by itself, or null to let it ring. */
export function autoAnswerPlan(
  presence: AgentPresence,
  line: Pick<Line, 'pbxAutoAnswer'> | null,
  request: AutoAnswerHeaders,
  busy: boolean,
): AutoAnswerPlan | null {
  if (busy) return null;
  if (line?.pbxAutoAnswer === true) {
    const asked = pbxAutoAnswerRequest(request);
    if (asked !== null) return { delayMs: asked.delaySeconds * 1000, why: 'pbx' };
  }
  return presence.autoAnswer ? { delayMs: 0, why: 'agent' } : null;
}

/**
 * Answers after the plan's delay if the call is still ringing then (the agent may have answered, declined
 * or the caller given up meanwhile). Returns a cancel function.
 */
export function scheduleAutoAnswer(
  plan: AutoAnswerPlan,
  stillRinging: () => boolean,
  answer: () => Promise<void>,
  onError: (error: unknown) => void,
): () => void {
  const run = () => {
    if (stillRinging()) void answer().catch(onError);
  };
  if (plan.delayMs <= 0) {
    run();
    return () => undefined;
  }
  const timer = setTimeout(run, plan.delayMs);
  return () => clearTimeout(timer);
}

/**
 * Follows a call with its plan: answers when due, and forgets the plan once the call stops ringing (the
 * agent answered or declined, the caller gave up). `session` is the sip.js invitation.
 */
export function followAutoAnswer(call: {
  plan: AutoAnswerPlan | null;
  session: { stateChange: { addListener(listener: () => void): void } };
  ringing: () => boolean;
  answer: () => Promise<void>;
  onError: (error: unknown) => void;
}): void {
  if (call.plan === null) return;
  const cancel = scheduleAutoAnswer(call.plan, call.ringing, call.answer, call.onError);
  call.session.stateChange.addListener(() => {
    if (!call.ringing()) cancel();
  });
}
