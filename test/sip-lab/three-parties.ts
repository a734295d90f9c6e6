/**
 * Three parties for attended transfer and conference, each sending its own tone so a band-pass tells
 * who hears whom: the agent (the phone in the harness page, Chromium's fake microphone fed a 1000 Hz
 * file), A (the plain sip.js caller page in a second Chromium, 660 Hz: it follows a REFER and copies its
 * Replaces, as sip.js does) and C (a baresip registered with the lab's Kamailio that answers by itself,
 * 440 Hz, recording what it hears). Used by test/integration/sip-transfer.test.ts and `npm run bench -- sip`.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Rule } from '../../shared/rules';
import type { CallSnapshot } from '../../renderer/phone/types';
import { toneWav } from './audio-analysis';
import { baresipCall, type BaresipCallResult } from './baresip';
import { fakeMicrophoneArg, launchChromium } from './browser';
import type { CallerCall, HarnessEvent } from './harness/api';
import type { Lab } from './lab';
import { openCallerPage, startLabPhone } from './lab-phone';

export const TONE_HZ = { agent: 1000, a: 660, c: 440 } as const;

export interface Parties {
  lab: Lab;
  /** The harness page: the phone under test, as the agent. */
  agent: Page;
  /** The caller page: party A. */
  caller: Page;
  close(): Promise<void>;
}

/** The lab with the agent registered (`rules` in force, every call answered) and A's page open. */
export async function startParties(rules: Rule[]): Promise<Parties> {
  const agent = await startLabPhone({ rules, fakeMicrophone: { hz: TONE_HZ.agent, seconds: 120 } });
  if (agent.lines?.[0]?.status !== 'registered') {
    await agent.close();
    throw new Error(`the agent did not register: ${JSON.stringify(agent.lines)}`);
  }
  const callerTone = toneWav(join(agent.workDir, `tone-${TONE_HZ.a}.wav`), TONE_HZ.a, 120);
  let callerBrowser: Browser | undefined;
  const close = async (): Promise<void> => {
    await callerBrowser?.close();
    await agent.close();
  };
  try {
    callerBrowser = await launchChromium([fakeMicrophoneArg(callerTone)]);
    const caller = await openCallerPage(callerBrowser, agent.harness.url);
    return { lab: agent.lab, agent: agent.page, caller, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface ConsultTarget {
  /** baresip has quit (after `hangUp()` or its time); its recordings are final. */
  finished: Promise<BaresipCallResult>;
  /** Ends every call of C and quits. */
  hangUp(): void;
  /** What baresip has printed so far. */
  output(): string;
}

/**
 * C: a baresip registered as `number` that answers every call by itself and records what it hears;
 * `maxCalls` as in BaresipCallOptions.
 */
export async function startConsultTarget(
  number: string,
  durationS = 40,
  options: { maxCalls?: number } = {},
): Promise<ConsultTarget> {
  let registered: () => void = () => undefined;
  let hangUp: () => void = () => undefined;
  let output = '';
  const ready = new Promise<void>((resolve) => {
    registered = resolve;
  });
  const finished = baresipCall({
    from: `sip:${number}@127.0.0.1`,
    register: true,
    autoAnswer: true,
    toneHz: TONE_HZ.c,
    durationS,
    ...(options.maxCalls === undefined ? {} : { maxCalls: options.maxCalls }),
    port: 5094,
    rtpPorts: '31400-31500',
    onLine: (line, end) => {
      hangUp = end;
      output += `${line}\n`;
      if (process.env.LAB_DEBUG) console.log('C:', line);
      if (/200 OK/.test(line)) registered();
    },
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    ready,
    finished.then((result) => {
      throw new Error(`C quit before registering:\n${result.output}`);
    }),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('C did not register within 8 s')), 8000);
    }),
  ]).finally(() => clearTimeout(timer));
  return { finished, hangUp: () => hangUp(), output: () => output };
}

export function agentCalls(parties: Parties): Promise<CallSnapshot[]> {
  return parties.agent.evaluate(() => window.lab?.calls() ?? []);
}

/** The agent's call `id` as the phone has it now (undefined once it has ended). */
export async function agentCall(parties: Parties, id: string): Promise<CallSnapshot | undefined> {
  return (await agentCalls(parties)).find((call) => call.id === id);
}

/**
 * Ends what a test may have left (a failed one included): C, when given, hangs up and quits, then the
 * agent hangs up every call it still has.
 */
export async function endLeftoverCalls(parties: Parties, c: ConsultTarget | null): Promise<void> {
  if (c) {
    c.hangUp();
    await c.finished;
  }
  for (const call of await agentCalls(parties))
    await parties.agent.evaluate((id) => window.lab?.hangup(id), call.id).catch(() => undefined);
}

export function agentEvents(parties: Parties): Promise<HarnessEvent[]> {
  return parties.agent.evaluate(() => window.lab?.events() ?? []);
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function callerCall(parties: Parties, id: string): Promise<CallerCall | undefined> {
  return parties.caller.evaluate((callId) => window.caller?.result(callId), id);
}

/** A calls the agent, who answers: resolves with both sides' ids once connected. */
export async function connectA(
  parties: Parties,
  aNumber: string,
): Promise<{ callerId: string; callId: string }> {
  await parties.agent.evaluate(() => window.lab?.clearEvents());
  const callerId = await parties.caller.evaluate(
    (from) => window.caller?.call(from, 'sip:agent1@127.0.0.1') ?? Promise.reject(new Error('no caller')),
    aNumber,
  );
  await until('A connected', async () => (await callerCall(parties, callerId))?.established);
  const call = await until('the agent connected to A', async () =>
    (await agentCalls(parties)).find((candidate) => candidate.state === 'connected'),
  );
  return { callerId, callId: call.id };
}

/** The agent consults `target` from `callId`: resolves with the consultation call's id once connected. */
export async function consultConnected(parties: Parties, callId: string, target: string): Promise<string> {
  const result = await parties.agent.evaluate(({ id, to }) => window.lab?.consult(id, to), {
    id: callId,
    to: target,
  });
  if (result?.kind !== 'placed')
    throw new Error(`the consultation was not placed: ${JSON.stringify(result)}`);
  await until(
    'the consultation call connected',
    async () => (await agentCalls(parties)).find((call) => call.id === result.callId)?.state === 'connected',
    15_000,
  );
  return result.callId;
}

/** What the agent hears at each frequency over `durationMs` (median dBFS, -200 for silence). */
export function agentHears(parties: Parties, frequencies: number[], durationMs = 1500): Promise<number[]> {
  return parties.agent.evaluate(
    ({ fs, ms }) => window.lab?.outputLevels('call', fs, ms) ?? Promise.resolve([]),
    { fs: frequencies, ms: durationMs },
  );
}

/** What A hears at each frequency on one of its calls over `durationMs` (median dBFS). */
export function callerHears(
  parties: Parties,
  callerId: string,
  frequencies: number[],
  durationMs = 1500,
): Promise<number[]> {
  return parties.caller.evaluate(
    ({ id, fs, ms }) => window.caller?.levelsAt(id, fs, ms) ?? Promise.resolve([]),
    { id: callerId, fs: frequencies, ms: durationMs },
  );
}
