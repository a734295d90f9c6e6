/**
 * The phone core end to end against the real SIP lab: Kamailio + rtpengine, callers nobody on the
 * project wrote (sipp, baresip), and the phone in Debian's Chromium. One lab and one browser serve every
 * scenario. Run inside a loopback-only network namespace:
 *   unshare -n bash -c 'ip link set lo up; npx vitest run --project integration test/integration/sip-phone.test.ts'
 */
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Line } from '../../shared/contracts/api';
import type { Rule } from '../../shared/rules';
import { defaultOrgSettings, type OrgSettings } from '../../shared/settings';
import type { AgentPresence, CallSnapshot } from '../../renderer/phone/types';
import { manualRule } from '../helpers/rules';
import { soxStats, soxVoicedStats } from '../sip-lab/audio-analysis';
import { baresipCall } from '../sip-lab/baresip';
import { ANNOUNCEMENT_DIR } from '../sip-lab/browser';
import type { AutoAnswer, CallerCall, HarnessEvent } from '../sip-lab/harness/api';
import { assertLoopbackOnlyNetwork, startLab } from '../sip-lab/lab';
import {
  LAB_AGENT,
  LAB_LINE_NUMBER,
  LAB_LINES,
  openCallerPage,
  startLabPhone,
  type LabPhone,
} from '../sip-lab/lab-phone';
import { runUac, startUas, type CallerHeaders, type RunningUas } from '../sip-lab/sipp';

const BLOCKED = '+12125550100';
const ALLOWED = '+12125550150';
const PREFIX_BLOCKED = '+19005550123';
const PREFIX_EXCEPTION = '+19005550199';

let ruleCounter = 0;
function rule(number: string, kind: 'block' | 'allow' = 'block', scope: Rule['scope'] = 'all'): Rule {
  ruleCounter += 1;
  return manualRule(number, {
    id: `rule-${ruleCounter}`,
    kind,
    scope,
    reason: kind === 'block' ? `lab block ${number}` : `lab exception ${number}`,
  });
}

const BASE_RULES: Rule[] = [rule(BLOCKED), rule('+1900555*'), rule(PREFIX_EXCEPTION, 'allow')];

function settings(patch: Partial<OrgSettings> = {}): OrgSettings {
  return { ...defaultOrgSettings('US', 'America/New_York'), ...patch };
}

function fromNumber(e164: string, headers: string[] = []): CallerHeaders {
  return { callerUri: `sip:${e164}@127.0.0.1`, headers };
}

let phone: LabPhone;
let page: Page;
/** The inbound clip's voiced length: what a caller can hear of it, measured like the recordings. */
let clipDurationS: number;

async function configure(options: {
  rules?: Rule[];
  settings?: OrgSettings;
  lines?: Line[];
  autoAnswer?: AutoAnswer;
}): Promise<void> {
  await page.evaluate(
    ({ rules, orgSettings, lines, autoAnswer }) => {
      const lab = window.lab;
      if (!lab) throw new Error('harness not loaded');
      lab.setRules(rules);
      lab.setSettings(orgSettings);
      lab.setLines(lines);
      lab.setAutoAnswer(autoAnswer);
      lab.setLastEmergencyCall(null);
      lab.setPresence({
        availability: 'available',
        dndResponse: 486,
        refuseSecondCall: false,
        autoAnswer: false,
      });
      lab.clearEvents();
    },
    {
      rules: options.rules ?? BASE_RULES,
      orgSettings: options.settings ?? settings(),
      lines: options.lines ?? LAB_LINES,
      autoAnswer: options.autoAnswer ?? 'decline',
    },
  );
}

function events(): Promise<HarnessEvent[]> {
  return page.evaluate(() => window.lab?.events() ?? []);
}

function peakRemoteLevel(callId: string): Promise<number> {
  return page.evaluate((id) => window.lab?.peakRemoteLevel(id, 1200) ?? Promise.resolve(-1), callId);
}

function getUserMediaCalls(): Promise<number> {
  return page.evaluate(() => window.lab?.getUserMediaCalls() ?? -1);
}

async function waitForEvent(
  predicate: (event: HarnessEvent) => boolean,
  timeoutMs = 8000,
): Promise<HarnessEvent> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = (await events()).find(predicate);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `no matching phone event within ${timeoutMs} ms; events: ${JSON.stringify(await events()).slice(0, 2000)}`,
  );
}

function count(list: HarnessEvent[], type: HarnessEvent['type']): number {
  return list.filter((event) => event.type === type).length;
}

beforeAll(async () => {
  assertLoopbackOnlyNetwork();
  clipDurationS = soxVoicedStats(join(ANNOUNCEMENT_DIR, 'blocked-inbound.wav')).durationS;
  phone = await startLabPhone({ rules: BASE_RULES, settings: settings(), autoAnswer: 'decline' });
  page = phone.page;
  expect(phone.lines?.[0]?.status).toBe('registered');
});

afterAll(async () => {
  await phone?.close();
});

beforeEach(async () => {
  await configure({});
});

describe('blocked inbound (SPEC §3.4)', () => {
  it('announce: the caller gets 183 then 603 and a real phone hears the clip; nothing rings, no microphone', async () => {
    const sipp = await runUac({ scenario: 'uac-early-media', caller: fromNumber(BLOCKED) });
    expect(sipp.exitCode, sipp.screen + sipp.stderr).toBe(0);
    const [timing] = sipp.timings;
    expect(timing?.progressMs).toBeGreaterThan(0);
    // The final 603 comes after the clip, not before.
    expect(timing?.finalMs ?? 0).toBeGreaterThan(clipDurationS * 1000 * 0.8);

    const baresip = await baresipCall({
      from: `sip:${BLOCKED}@127.0.0.1`,
      target: 'sip:agent1@127.0.0.1',
      durationS: 7,
    });
    expect(baresip.output).toMatch(/603|Decline/i);
    const [recording] = baresip.receivedWavs;
    expect(recording, baresip.output).toBeDefined();
    const heard = soxVoicedStats(recording ?? '');
    expect(heard.rms).toBeGreaterThan(0.01);
    expect(heard.durationS).toBeGreaterThan(clipDurationS * 0.8);
    expect(heard.durationS).toBeLessThan(clipDurationS * 1.2);

    const seen = await events();
    expect(count(seen, 'incoming')).toBe(0);
    expect(count(seen, 'blocked')).toBe(2);
    const finished = seen.filter((event) => event.type === 'blocked-finished').map((event) => event.data);
    expect(finished).toEqual([
      expect.objectContaining({ handling: 'early-media', outcome: 'announced' }),
      expect.objectContaining({ handling: 'early-media', outcome: 'announced' }),
    ]);
    expect(await getUserMediaCalls()).toBe(0);
  });

  it('announce with 100rel: a reliable 183, PRACK, then 603', async () => {
    const sipp = await runUac({
      scenario: 'uac-early-media-100rel',
      caller: fromNumber(BLOCKED, ['Require: 100rel']),
    });
    expect(sipp.exitCode, sipp.screen + sipp.stderr).toBe(0);
    expect(count(await events(), 'incoming')).toBe(0);
  });

  it('reject mode: 603 at once, no 180 or 183', async () => {
    await configure({ settings: settings({ inboundAction: 'reject' }) });
    const sipp = await runUac({ scenario: 'uac-reject', caller: fromNumber(BLOCKED), calls: 3, rate: 10 });
    expect(sipp.exitCode, sipp.screen + sipp.stderr).toBe(0);
    expect(sipp.timings).toHaveLength(3);
    for (const timing of sipp.timings) expect(timing.finalMs).toBeLessThan(1000);
    const seen = await events();
    expect(count(seen, 'incoming')).toBe(0);
    expect(count(seen, 'blocked')).toBe(3);
    expect(await getUserMediaCalls()).toBe(0);
  });

  it('answer mode lines: the call is answered, the clip played, then BYE', async () => {
    await configure({ lines: [{ ...LAB_LINES[0]!, announcementMode: 'answer' }] });
    const baresip = await baresipCall({
      from: `sip:${BLOCKED}@127.0.0.1`,
      target: 'sip:agent1@127.0.0.1',
      durationS: 7,
    });
    const [recording] = baresip.receivedWavs;
    expect(recording, baresip.output).toBeDefined();
    const heard = soxVoicedStats(recording ?? '');
    expect(heard.rms).toBeGreaterThan(0.01);
    expect(heard.durationS).toBeGreaterThan(clipDurationS * 0.8);
    expect(heard.durationS).toBeLessThan(clipDurationS * 1.2);
    const finished = (await events())
      .filter((event) => event.type === 'blocked-finished')
      .map((event) => event.data);
    expect(finished).toContainEqual(expect.objectContaining({ handling: 'answer', outcome: 'announced' }));
    expect(count(await events(), 'incoming')).toBe(0);
    expect(await getUserMediaCalls()).toBe(0);
  });
});

describe('who is calling (SPEC §3.3, §3.3a, §2.1a)', () => {
  const anonymousForms: Array<[string, CallerHeaders]> = [
    ['From anonymous@anonymous.invalid', { callerUri: 'sip:anonymous@anonymous.invalid' }],
    ['From restricted user', { callerUri: 'sip:Restricted@127.0.0.1' }],
    ['empty user part', { callerUri: 'sip:gateway.lab.invalid' }],
    [
      'Privacy: id without an asserted number',
      { callerUri: 'sip:caller@127.0.0.1', headers: ['Privacy: id'] },
    ],
  ];

  for (const [name, caller] of anonymousForms) {
    it(`anonymous (${name}) is blocked with the toggle on and rings with it off`, async () => {
      await configure({ settings: settings({ blockAnonymous: true, inboundAction: 'reject' }) });
      const blocked = await runUac({ scenario: 'uac-reject', caller });
      expect(blocked.exitCode, blocked.screen).toBe(0);
      await configure({ settings: settings({ blockAnonymous: false, inboundAction: 'reject' }) });
      const rang = await runUac({ scenario: 'uac-ring', caller });
      expect(rang.exitCode, rang.screen).toBe(0);
      expect(count(await events(), 'incoming')).toBe(1);
    });
  }

  it('an anonymous From with a blocked P-Asserted-Identity is blocked as that number', async () => {
    await configure({ settings: settings({ inboundAction: 'reject', blockAnonymous: false }) });
    const result = await runUac({
      scenario: 'uac-reject',
      caller: {
        callerUri: 'sip:anonymous@anonymous.invalid',
        headers: [`P-Asserted-Identity: <sip:${BLOCKED}@127.0.0.1>`, 'Privacy: id'],
      },
    });
    expect(result.exitCode, result.screen).toBe(0);
    const blocked = await waitForEvent((event) => event.type === 'blocked');
    expect(blocked.data).toMatchObject({
      decision: { number: BLOCKED, verdict: { action: 'block', why: 'rule' } },
    });
  });

  it('Remote-Party-ID and tel: URIs are read', async () => {
    await configure({ settings: settings({ inboundAction: 'reject' }) });
    const rpid = await runUac({
      scenario: 'uac-reject',
      caller: {
        callerUri: 'sip:gateway@127.0.0.1',
        headers: [`Remote-Party-ID: <sip:${BLOCKED}@127.0.0.1>;party=calling;screen=yes`],
      },
    });
    expect(rpid.exitCode, rpid.screen).toBe(0);
    const tel = await runUac({ scenario: 'uac-reject', caller: { callerUri: `tel:${BLOCKED}` } });
    expect(tel.exitCode, tel.screen).toBe(0);
  });

  it('a prefix rule blocks the range while an exception inside it rings', async () => {
    await configure({ settings: settings({ inboundAction: 'reject' }) });
    const blocked = await runUac({ scenario: 'uac-reject', caller: fromNumber(PREFIX_BLOCKED) });
    expect(blocked.exitCode, blocked.screen).toBe(0);
    const excepted = await runUac({ scenario: 'uac-ring', caller: fromNumber(PREFIX_EXCEPTION) });
    expect(excepted.exitCode, excepted.screen).toBe(0);
    const incoming = await waitForEvent((event) => event.type === 'incoming');
    expect(incoming.data).toMatchObject({
      call: { number: PREFIX_EXCEPTION },
      decision: { verdict: { why: 'exception' } },
    });
  });

  it('verstat=TN-Validation-Failed is blocked only with blockFailedVerification on', async () => {
    const caller: CallerHeaders = {
      callerUri: `sip:${ALLOWED};verstat=TN-Validation-Failed@127.0.0.1;user=phone`,
      headers: [`P-Asserted-Identity: <sip:${ALLOWED};verstat=TN-Validation-Failed@127.0.0.1;user=phone>`],
    };
    await configure({ settings: settings({ inboundAction: 'reject', blockFailedVerification: false }) });
    const rang = await runUac({ scenario: 'uac-ring', caller });
    expect(rang.exitCode, rang.screen).toBe(0);
    const incoming = await waitForEvent((event) => event.type === 'incoming');
    expect(incoming.data).toMatchObject({ call: { verification: 'failed' } });
    await configure({ settings: settings({ inboundAction: 'reject', blockFailedVerification: true }) });
    const blocked = await runUac({ scenario: 'uac-reject', caller });
    expect(blocked.exitCode, blocked.screen).toBe(0);
  });

  it('a rule for another line does not block calls on this line', async () => {
    await configure({
      rules: [rule(ALLOWED, 'block', '+12125559999')],
      settings: settings({ inboundAction: 'reject' }),
    });
    const rang = await runUac({ scenario: 'uac-ring', caller: fromNumber(ALLOWED) });
    expect(rang.exitCode, rang.screen).toBe(0);
    await configure({
      rules: [rule(ALLOWED, 'block', LAB_LINE_NUMBER)],
      settings: settings({ inboundAction: 'reject' }),
    });
    const blocked = await runUac({ scenario: 'uac-reject', caller: fromNumber(ALLOWED) });
    expect(blocked.exitCode, blocked.screen).toBe(0);
  });
});

/**
 * Sends one hand-made INVITE to Kamailio over UDP and collects the status codes that come back until a
 * final one (or `timeoutMs`).
 */
function sendRawInvite(options: {
  from: string;
  extraHeaders?: string[];
  body?: string;
  timeoutMs?: number;
}): Promise<number[]> {
  const socket = createSocket('udp4');
  const statuses: number[] = [];
  const body = options.body ?? '';
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      socket.close();
      resolve(statuses);
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 8000);
    socket.on('message', (message) => {
      const status = /^SIP\/2\.0 (\d{3})/.exec(message.toString('utf8'))?.[1];
      if (status === undefined) return;
      statuses.push(Number(status));
      if (Number(status) >= 200) finish();
    });
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      const id = Math.random().toString(36).slice(2);
      const message = [
        'INVITE sip:agent1@127.0.0.1:5060 SIP/2.0',
        `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-${id};rport`,
        `From: ${options.from};tag=${id}`,
        'To: <sip:agent1@127.0.0.1>',
        `Call-ID: hostile-${id}@127.0.0.1`,
        'CSeq: 1 INVITE',
        `Contact: <sip:hostile@127.0.0.1:${port}>`,
        'Max-Forwards: 70',
        ...(options.extraHeaders ?? []),
        ...(body ? ['Content-Type: application/sdp'] : []),
        `Content-Length: ${Buffer.byteLength(body)}`,
        '',
        body,
      ].join('\r\n');
      socket.send(message, 5060, '127.0.0.1');
    });
  });
}

describe('auto-answer when the PBX asks (SPEC §10.4)', () => {
  const callInfo = 'Call-Info: <sip:127.0.0.1>;answer-after=0';
  const calls = () => page.evaluate(() => window.lab?.calls() ?? []);

  it('Call-Info answer-after=0 is answered without a click on a line where an admin turned it on, after the decision', async () => {
    await configure({
      autoAnswer: 'none',
      settings: settings({ inboundAction: 'reject' }),
      lines: [{ ...LAB_LINES[0]!, pbxAutoAnswer: true }],
    });
    const answered = await runUac({ scenario: 'uac-ring', caller: fromNumber(ALLOWED, [callInfo]) });
    expect(answered.exitCode, answered.screen).toBe(0);
    expect(answered.timings[0]?.finalMs, answered.screen).not.toBeNull();
    const seen = await events();
    expect(
      seen.some((event) => event.type === 'call' && (event.data as CallSnapshot).state === 'connected'),
    ).toBe(true);
    // The header does not get a blocked caller past the decision: 603, never answered.
    const blocked = await runUac({ scenario: 'uac-reject', caller: fromNumber(BLOCKED, [callInfo]) });
    expect(blocked.exitCode, blocked.screen).toBe(0);
    expect(count(await events(), 'incoming')).toBe(1);
    await expect.poll(calls, { timeout: 8_000 }).toEqual([]);
  });

  it('the same INVITE rings normally (not answered) on a line where it is off', async () => {
    await configure({ autoAnswer: 'none' });
    const ringing = runUac({ scenario: 'uac-ring', caller: fromNumber(ALLOWED, [callInfo]) });
    const incoming = await waitForEvent((event) => event.type === 'incoming');
    const callId = (incoming.data as { call: CallSnapshot }).call.id;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await calls()).map((call) => call.state)).toEqual(['incoming']);
    await page.evaluate((id) => window.lab?.decline(id), callId);
    const result = await ringing;
    expect(result.exitCode, result.screen).toBe(0);
    expect(
      (await events()).some(
        (event) => event.type === 'call' && (event.data as CallSnapshot).state === 'connected',
      ),
    ).toBe(false);
  });
});

describe('hostile INVITEs never take the phone down', () => {
  it('garbage SDP, no SDP, a huge header and an odd URI each get a final answer, and calls still work after', async () => {
    const garbageSdp = await sendRawInvite({
      from: `<sip:${BLOCKED}@127.0.0.1>`,
      body: 'v=0\r\nthis is not sdp\r\nm=audio banana\r\n',
    });
    expect(garbageSdp.at(-1)).toBeGreaterThanOrEqual(400);
    expect(garbageSdp).not.toContain(180);

    const noSdp = await sendRawInvite({ from: `<sip:${BLOCKED}@127.0.0.1>` });
    expect(noSdp.at(-1)).toBeGreaterThanOrEqual(200);
    expect(noSdp).not.toContain(180);

    await configure({ settings: settings({ inboundAction: 'reject' }) });
    const hugeHeader = await sendRawInvite({
      from: `<sip:${BLOCKED}@127.0.0.1>`,
      extraHeaders: [
        `X-Junk: ${'A'.repeat(16_000)}`,
        `P-Asserted-Identity: <sip:${'9'.repeat(300)}@127.0.0.1>`,
      ],
    });
    expect(hugeHeader.at(-1)).toBe(603);

    const oddUri = await sendRawInvite({ from: '"\u{1F4A3}" <sip:%00%ff@127.0.0.1;user=phone;;;>' });
    // Kamailio relays it (100 Trying); sip.js cannot parse that From, so the phone's guard answers 400.
    expect(oddUri).toEqual([100, 400]);

    const stillWorks = await runUac({ scenario: 'uac-reject', caller: fromNumber(BLOCKED) });
    expect(stillWorks.exitCode, stillWorks.screen).toBe(0);
    // Nothing is left half-open in the phone.
    expect(await page.evaluate(() => window.lab?.calls())).toEqual([]);
  });
});

describe('outbound and live calls', () => {
  let uas: RunningUas;
  beforeAll(() => {
    uas = startUas();
  });
  afterAll(async () => {
    await uas.stop();
  });

  async function waitForCallState(
    callId: string,
    state: CallSnapshot['state'],
    timeoutMs = 8000,
  ): Promise<void> {
    await waitForEvent(
      (event) =>
        event.type === 'call' &&
        (event.data as CallSnapshot).id === callId &&
        (event.data as CallSnapshot).state === state,
      timeoutMs,
    );
  }

  it('a blocked number is never dialled: no INVITE reaches the proxy, the clip plays locally', async () => {
    const before = uas.invites().length;
    // Calls answered by earlier tests on this page opened the microphone; this one must not.
    const microphonesBefore = await getUserMediaCalls();
    const kamailioInvitesBefore = phone.lab.readKamailioLog().split('LAB INVITE').length;
    // What the agent hears, measured at the output path's tap while the clip plays.
    const heard = page.evaluate(() => window.lab?.peakOutput('call', 2500) ?? Promise.resolve(null));
    const result = await page.evaluate((dialed) => window.lab?.placeCall(dialed), '(212) 555-0100');
    expect(result).toMatchObject({
      kind: 'blocked',
      event: { handling: 'local-announcement', decision: { number: BLOCKED } },
    });
    expect((await heard)?.rms).toBeGreaterThan(0.01);
    expect((await page.evaluate(() => window.lab?.peakOutput('ring', 200)))?.rms).toBe(0);
    const finished = await waitForEvent((event) => event.type === 'blocked-finished', 8000);
    const playedMs = (finished.data as { playedMs: number }).playedMs;
    const outboundClipS = soxStats(join(ANNOUNCEMENT_DIR, 'blocked-outbound.wav')).durationS;
    expect(playedMs / 1000).toBeGreaterThan(outboundClipS * 0.8);
    expect(finished.data).toMatchObject({ outcome: 'announced' });
    expect(uas.invites().length).toBe(before);
    expect(phone.lab.readKamailioLog().split('LAB INVITE').length).toBe(kamailioInvitesBefore);
    expect(await getUserMediaCalls()).toBe(microphonesBefore);
  });

  it('an allowed outbound call connects through rtpengine with audio both ways', async () => {
    const result = await page.evaluate((dialed) => window.lab?.placeCall(dialed), ALLOWED);
    expect(result).toMatchObject({ kind: 'placed' });
    const callId = result?.kind === 'placed' ? result.callId : '';
    await waitForCallState(callId, 'connected');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const stats = await page.evaluate((id) => window.lab?.stats(id), callId);
    // The UAS echoes our RTP: packets flow out and back, and what comes back is not silence.
    expect(stats?.packetsSent).toBeGreaterThan(20);
    expect(stats?.packetsReceived).toBeGreaterThan(20);
    expect(await peakRemoteLevel(callId)).toBeGreaterThan(0.005);
    expect(uas.invites()).toContainEqual(expect.stringContaining(ALLOWED));
    // Muted, the echo of our own microphone goes quiet; unmuted it comes back.
    await page.evaluate((id) => window.lab?.mute(id, true), callId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await peakRemoteLevel(callId)).toBeLessThan(0.002);
    await page.evaluate((id) => window.lab?.mute(id, false), callId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await peakRemoteLevel(callId)).toBeGreaterThan(0.005);
    // RFC 4733 digits were negotiated (telephone-event in the gateway's answer): sending them succeeds.
    await page.evaluate((id) => window.lab?.sendDtmf(id, '1#'), callId);
    await expect(page.evaluate((id) => window.lab?.sendDtmf(id, 'x'), callId)).rejects.toThrow(/not DTMF/);
    await page.evaluate((id) => window.lab?.hangup(id), callId);
    await waitForCallState(callId, 'ended');
  });

  it('a number dialled with an extension calls the main number, then sends the extension as DTMF (SPEC §1.1a)', async () => {
    // Chromium's own DTMF sender (RFC 4733) is watched: what the app hands it is what goes out in RTP.
    await page.evaluate(() => {
      const sent: string[] = [];
      (window as unknown as { sentDtmf: string[] }).sentDtmf = sent;
      const original = RTCDTMFSender.prototype.insertDTMF;
      RTCDTMFSender.prototype.insertDTMF = function (tones, ...rest) {
        sent.push(tones);
        return original.call(this, tones, ...rest);
      };
    });
    const invitesBefore = uas.invites().length;
    const result = await page.evaluate((dialed) => window.lab?.placeCall(dialed), '(212) 555-0150 x 42');
    expect(result).toMatchObject({ kind: 'placed' });
    const callId = result?.kind === 'placed' ? result.callId : '';
    await waitForCallState(callId, 'connected');
    const newInvites = uas.invites().slice(invitesBefore);
    expect(newInvites).toContainEqual(expect.stringContaining(`${ALLOWED}@`));
    expect(newInvites.join('\n')).not.toContain('215555015042');
    const sentDtmf = () => page.evaluate(() => (window as unknown as { sentDtmf: string[] }).sentDtmf);
    expect(await sentDtmf()).toEqual([]);
    await expect.poll(sentDtmf, { timeout: 6000 }).toEqual(['42']);
    await page.evaluate((id) => window.lab?.hangup(id), callId);
    await waitForCallState(callId, 'ended');
  });

  it('an allowed inbound call rings and connects with audio both ways (baresip)', async () => {
    await configure({ autoAnswer: 'answer' });
    const call = baresipCall({
      from: `sip:${ALLOWED}@127.0.0.1`,
      target: 'sip:agent1@127.0.0.1',
      durationS: 5,
      port: 5092,
    });
    const incoming = await waitForEvent((event) => event.type === 'incoming');
    const callId = (incoming.data as { call: CallSnapshot }).call.id;
    await waitForCallState(callId, 'connected');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const stats = await page.evaluate((id) => window.lab?.stats(id), callId);
    expect(stats?.packetsReceived).toBeGreaterThan(20);
    // baresip sends a steady 440 Hz tone.
    expect(await peakRemoteLevel(callId)).toBeGreaterThan(0.01);
    const finished = await call;
    const [recording] = finished.receivedWavs;
    expect(recording, finished.output).toBeDefined();
    // The browser's fake microphone (a beep) reached the SIP phone.
    expect(soxStats(recording ?? '').rms).toBeGreaterThan(0.005);
    expect(await getUserMediaCalls()).toBeGreaterThan(0);
  });

  it('a burst of 20 blocked INVITEs during a live call: all ended, the live call keeps its audio', async () => {
    await configure({ settings: settings({ inboundAction: 'announce' }) });
    const result = await page.evaluate((dialed) => window.lab?.placeCall(dialed), ALLOWED);
    const callId = result?.kind === 'placed' ? result.callId : '';
    await waitForCallState(callId, 'connected');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = await page.evaluate((id) => window.lab?.stats(id), callId);
    const startedAt = Date.now();
    const burst = await runUac({
      scenario: 'uac-early-media',
      caller: fromNumber(BLOCKED),
      calls: 20,
      rate: 20,
      timeoutS: 30,
    });
    const burstMs = Date.now() - startedAt;
    expect(burst.exitCode, burst.screen).toBe(0);
    expect(burst.timings).toHaveLength(20);
    const after = await page.evaluate((id) => window.lab?.stats(id), callId);
    const received = (after?.packetsReceived ?? 0) - (before?.packetsReceived ?? 0);
    // 20 ms packets: the live call kept ≥ 90 % of its packets through the burst.
    expect(received).toBeGreaterThan((burstMs / 20) * 0.9);
    expect(await peakRemoteLevel(callId)).toBeGreaterThan(0.005);
    const calls = await page.evaluate(() => window.lab?.calls() ?? []);
    expect(calls.find((call) => call.id === callId)?.state).toBe('connected');
    await page.evaluate((id) => window.lab?.hangup(id), callId);
    await waitForCallState(callId, 'ended');
  });

  /** baresip calls the app from an allowed number and the app answers; resolves once connected. */
  async function answeredBaresipCall(durationS: number, port: number) {
    await configure({ autoAnswer: 'answer' });
    const finished = baresipCall({
      from: `sip:${ALLOWED}@127.0.0.1`,
      target: LAB_AGENT.sipUri,
      durationS,
      port,
    });
    const incoming = await waitForEvent((event) => event.type === 'incoming');
    const callId = (incoming.data as { call: CallSnapshot }).call.id;
    await waitForCallState(callId, 'connected');
    return { callId, finished };
  }

  it('block and hang up from a live call: the caller hears the announcement on the call, then BYE (baresip)', async () => {
    const { callId, finished } = await answeredBaresipCall(12, 5096);
    // Let the agent's (fake microphone) audio reach baresip first.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const startedAt = Date.now();
    await page.evaluate((id) => window.lab?.announceAndHangUp(id), callId);
    const ended = await waitForEvent(
      (event) =>
        event.type === 'call' &&
        (event.data as CallSnapshot).id === callId &&
        (event.data as CallSnapshot).state === 'ended',
      20_000,
    );
    const announcedS = (Date.now() - startedAt) / 1000;
    // The BYE came after the clip, long before baresip's own 12 s end.
    expect(announcedS).toBeGreaterThan(clipDurationS * 0.8);
    expect(announcedS).toBeLessThan(clipDurationS + 3);
    expect(ended.data).toMatchObject({ endReason: 'blocked_by_agent' });
    const baresip = await finished;
    const [recording] = baresip.receivedWavs;
    expect(recording, baresip.output).toBeDefined();
    // What baresip heard in the last clip-length before the BYE is the announcement.
    const tail = join(baresip.dir, 'tail.wav');
    execFileSync('sox', [recording ?? '', tail, 'trim', `-${(clipDurationS + 0.4).toFixed(2)}`]);
    const heard = soxVoicedStats(tail);
    expect(heard.rms).toBeGreaterThan(0.01);
    expect(heard.durationS).toBeGreaterThan(clipDurationS * 0.8);
  });

  it('hold and resume: the re-INVITE silences the other side and brings it back (baresip)', async () => {
    const { callId, finished } = await answeredBaresipCall(9, 5093);
    const packetsOver = async (ms: number) => {
      const before = await page.evaluate((id) => window.lab?.stats(id), callId);
      await new Promise((resolve) => setTimeout(resolve, ms));
      const after = await page.evaluate((id) => window.lab?.stats(id), callId);
      return (after?.packetsReceived ?? 0) - (before?.packetsReceived ?? 0);
    };
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await packetsOver(1000)).toBeGreaterThan(30); // 50 packets/s of the caller's tone
    await page.evaluate((id) => window.lab?.hold(id, true), callId);
    await waitForEvent(
      (event) =>
        event.type === 'call' &&
        (event.data as CallSnapshot).id === callId &&
        (event.data as CallSnapshot).held,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await packetsOver(1000)).toBeLessThan(5); // on hold: the phone was asked to stop sending
    await page.evaluate((id) => window.lab?.hold(id, false), callId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await packetsOver(1000)).toBeGreaterThan(30);
    await page.evaluate((id) => window.lab?.hangup(id), callId);
    await finished;
  });

  it('blind transfer: the other side is sent on (REFER) to an allowed number, never to a blocked one', async () => {
    const { callId, finished } = await answeredBaresipCall(8, 5094);
    // A blocked number is refused before any REFER: the call goes on.
    await expect(
      page.evaluate(({ id, to }) => window.lab?.transfer(id, to), { id: callId, to: BLOCKED }),
    ).rejects.toThrow(/transfer blocked/);
    expect((await page.evaluate(() => window.lab?.calls()))?.find((call) => call.id === callId)?.state).toBe(
      'connected',
    );
    const target = '+12125550160';
    await page.evaluate(({ id, to }) => window.lab?.transfer(id, to), { id: callId, to: target });
    // baresip follows the REFER: its INVITE for the target reaches the lab's gateway.
    await expect
      .poll(() => uas.invites(), { timeout: 8_000 })
      .toContainEqual(expect.stringContaining(`sip:${target}@`));
    // baresip's NOTIFY says its call to the target was answered: the phone ends the call as transferred.
    const ended = await waitForEvent(
      (event) =>
        event.type === 'call' &&
        (event.data as CallSnapshot).id === callId &&
        (event.data as CallSnapshot).state === 'ended',
      8000,
    );
    expect(ended.data).toMatchObject({ endReason: 'transferred' });
    await finished;
  });

  it('after an emergency call a blocked call-back rings within the window and is blocked after it', async () => {
    await configure({ settings: settings({ inboundAction: 'reject', psapWindowMinutes: 15 }) });
    const result = await page.evaluate(() => window.lab?.placeCall('911'));
    expect(result).toMatchObject({ kind: 'placed', emergency: true });
    await waitForEvent((event) => event.type === 'emergency');
    const callId = result?.kind === 'placed' ? result.callId : '';
    await waitForCallState(callId, 'connected');
    // The gateway logs the INVITE to a file it flushes on its own schedule: poll for the line.
    await expect
      .poll(() => uas.invites(), { timeout: 5_000 })
      .toContainEqual(expect.stringContaining('sip:911@'));
    await page.evaluate((id) => window.lab?.hangup(id), callId);
    const rang = await runUac({ scenario: 'uac-ring', caller: fromNumber(BLOCKED) });
    expect(rang.exitCode, rang.screen).toBe(0);
    // Sixteen minutes later the window (15 min) is over.
    await page.evaluate(() => window.lab?.setLastEmergencyCall(Date.now() - 16 * 60_000));
    const blocked = await runUac({ scenario: 'uac-reject', caller: fromNumber(BLOCKED) });
    expect(blocked.exitCode, blocked.screen).toBe(0);
  });
});

describe('a WebRTC caller in a second browser page (a plain sip.js user agent)', () => {
  let callerPage: Page;
  beforeAll(async () => {
    callerPage = await openCallerPage(phone.browser, phone.harness.url);
  });
  afterAll(async () => {
    await callerPage?.close();
  });

  const callAgent = (from: string) =>
    callerPage.evaluate(
      ({ caller, target }) => window.caller?.call(caller, target) ?? Promise.reject(new Error('no caller')),
      { caller: from, target: LAB_AGENT.sipUri },
    );
  async function callerResult(id: string, done: (call: CallerCall) => boolean): Promise<CallerCall> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const call = await callerPage.evaluate((callId) => window.caller?.result(callId), id);
      if (call && done(call)) return call;
      if (Date.now() > deadline)
        throw new Error(`the caller's call did not get there: ${JSON.stringify(call)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('a blocked caller hears the announcement as early media, then gets 603; the app never rang', async () => {
    const microphonesBefore = await getUserMediaCalls();
    const id = await callAgent(BLOCKED);
    const call = await callerResult(id, (result) => result.ended);
    const statuses = call.responses.map((response) => response.status).filter((status) => status > 0);
    expect(statuses).toContain(183);
    expect(statuses).not.toContain(180);
    expect(statuses.at(-1)).toBe(603);
    expect(call.established).toBe(false);
    // The clip reached the caller over WebRTC before the 603 (what it heard, not just packets).
    expect(call.peakEarlyMedia).toBeGreaterThan(0.01);
    const list = await events();
    expect(count(list, 'incoming')).toBe(0);
    expect(count(list, 'blocked')).toBe(1);
    expect(await getUserMediaCalls()).toBe(microphonesBefore);
  });

  it('an allowed caller rings the app, and once answered each hears the other', async () => {
    await configure({ autoAnswer: 'answer' });
    const id = await callAgent(ALLOWED);
    const incoming = await waitForEvent((event) => event.type === 'incoming');
    const callId = (incoming.data as { call: CallSnapshot }).call.id;
    expect((incoming.data as { call: CallSnapshot }).call.number).toBe(ALLOWED);
    await callerResult(id, (result) => result.established);
    // Both fake microphones beep once a second.
    expect(await peakRemoteLevel(callId)).toBeGreaterThan(0.005);
    const call = await callerResult(id, (result) => result.peakEstablished > 0.005);
    expect(call.responses.map((response) => response.status)).toContain(200);
    await callerPage.evaluate((callId) => window.caller?.hangup(callId), id);
    await waitForEvent(
      (event) =>
        event.type === 'call' &&
        (event.data as CallSnapshot).id === callId &&
        (event.data as CallSnapshot).state === 'ended',
    );
  });

  describe('call waiting (SPEC §10.1)', () => {
    const CALLER_A = ALLOWED;
    const CALLER_B = '+12125550152';
    const callerPeak = (id: string, ms = 1500) =>
      callerPage.evaluate(
        ({ call, duration }) => window.caller?.peakFor(call, duration) ?? Promise.resolve(-1),
        { call: id, duration: ms },
      );
    const waitingTone = () =>
      page.evaluate(() => window.lab?.peakOutput('tone', 1500, 440) ?? Promise.resolve(null));
    const ringChannel = () =>
      page.evaluate(() => window.lab?.peakOutput('ring', 300) ?? Promise.resolve(null));
    async function incomingFrom(number: string): Promise<string> {
      const event = await waitForEvent(
        (candidate) =>
          candidate.type === 'incoming' && (candidate.data as { call: CallSnapshot }).call.number === number,
      );
      return (event.data as { call: CallSnapshot }).call.id;
    }
    async function connectedA(): Promise<{ callerId: string; callId: string }> {
      await configure({ autoAnswer: 'none' });
      const callerId = await callAgent(CALLER_A);
      const callId = await incomingFrom(CALLER_A);
      await page.evaluate((id) => window.lab?.answer(id), callId);
      await callerResult(callerId, (result) => result.established);
      // Two-way audio (both fake microphones beep once a second).
      expect(await peakRemoteLevel(callId)).toBeGreaterThan(0.005);
      expect(await callerPeak(callerId)).toBeGreaterThan(0.005);
      return { callerId, callId };
    }
    async function endAll(callerIds: string[]): Promise<void> {
      for (const id of callerIds) await callerPage.evaluate((call) => window.caller?.hangup(call), id);
      await page.evaluate(async () => {
        for (const call of window.lab?.calls() ?? [])
          await window.lab?.hangup(call.id).catch(() => undefined);
      });
      await expect.poll(() => page.evaluate(() => window.lab?.calls().length), { timeout: 8_000 }).toBe(0);
    }

    it('B waits with a tone (not the ringtone); answering holds A, switching back resumes A, hanging up B leaves A talking', async () => {
      const a = await connectedA();
      const before = await waitingTone();
      const callerB = await callAgent(CALLER_B);
      const callB = await incomingFrom(CALLER_B);
      const during = await waitingTone();
      console.log(
        `waiting tone at 440 Hz: ${before?.dbAtFrequency} dBFS before B, ${during?.dbAtFrequency} while B waits`,
      );
      expect((during?.dbAtFrequency ?? -200) - (before?.dbAtFrequency ?? -200)).toBeGreaterThan(10);
      expect((await ringChannel())?.rms).toBe(0);

      await page.evaluate((id) => window.lab?.answer(id), callB);
      await callerResult(callerB, (result) => result.established);
      const afterAnswer = (await page.evaluate(() => window.lab?.calls())) ?? [];
      expect(afterAnswer.find((call) => call.id === a.callId)).toMatchObject({
        state: 'connected',
        held: true,
      });
      // A is held: it gets no agent audio; B talks both ways.
      expect(await callerPeak(a.callerId)).toBeLessThan(0.005);
      expect(await peakRemoteLevel(callB)).toBeGreaterThan(0.005);
      expect(await callerPeak(callerB)).toBeGreaterThan(0.005);
      // The tone stopped once B was answered.
      expect((await waitingTone())?.dbAtFrequency ?? -200).toBeLessThan((during?.dbAtFrequency ?? 0) - 10);

      await page.evaluate((id) => window.lab?.switchTo(id), a.callId);
      expect(await callerPeak(a.callerId)).toBeGreaterThan(0.005);
      expect(await callerPeak(callerB)).toBeLessThan(0.005);
      await page.evaluate((id) => window.lab?.hangup(id), callB);
      await callerResult(callerB, (result) => result.ended);
      expect(await callerPeak(a.callerId)).toBeGreaterThan(0.005);
      expect(await peakRemoteLevel(a.callId)).toBeGreaterThan(0.005);
      await endAll([a.callerId]);
    });

    it('Decline sends B 486; a blocked B during the call produces no tone and leaves A undisturbed', async () => {
      const a = await connectedA();
      const callerB = await callAgent(CALLER_B);
      const callB = await incomingFrom(CALLER_B);
      await page.evaluate((id) => window.lab?.decline(id), callB);
      const declined = await callerResult(callerB, (result) => result.ended);
      expect(declined.responses.map((response) => response.status).at(-1)).toBe(486);

      const before = await waitingTone();
      const blockedCaller = await callAgent(BLOCKED);
      const tone = await waitingTone();
      await callerResult(blockedCaller, (result) => result.ended);
      expect(tone?.dbAtFrequency ?? -200).toBeLessThan((before?.dbAtFrequency ?? -200) + 6);
      expect(await peakRemoteLevel(a.callId)).toBeGreaterThan(0.005);
      expect(await callerPeak(a.callerId)).toBeGreaterThan(0.005);
      expect(count(await events(), 'blocked')).toBe(1);
      await endAll([a.callerId]);
    });
  });

  describe('availability (SPEC §10.4)', () => {
    const presence = (patch: Partial<AgentPresence>) =>
      page.evaluate((next) => window.lab?.setPresence(next), {
        availability: 'available',
        dndResponse: 486,
        refuseSecondCall: false,
        autoAnswer: false,
        ...patch,
      } as AgentPresence);
    const finalStatus = (call: CallerCall) =>
      call.responses.map((response) => response.status).filter((status) => status > 0);

    it('Do not disturb: 486 (or 480 by choice) and nothing rings; blocked calls are still announced and reported', async () => {
      await configure({ autoAnswer: 'none' });
      await presence({ availability: 'dnd' });
      const busy = await callerResult(await callAgent(ALLOWED), (result) => result.ended);
      expect(finalStatus(busy)).not.toContain(180);
      expect(finalStatus(busy).at(-1)).toBe(486);
      await presence({ availability: 'dnd', dndResponse: 480 });
      const unavailable = await callerResult(await callAgent(ALLOWED), (result) => result.ended);
      expect(finalStatus(unavailable).at(-1)).toBe(480);
      const blocked = await callerResult(await callAgent(BLOCKED), (result) => result.ended);
      expect(finalStatus(blocked)).toContain(183);
      expect(finalStatus(blocked).at(-1)).toBe(603);
      const seen = await events();
      expect(count(seen, 'incoming')).toBe(0);
      expect(count(seen, 'refused')).toBe(2);
      expect(count(seen, 'blocked')).toBe(1);
      await waitForEvent((event) => event.type === 'blocked-finished');
    });

    it('the emergency call-back rings through Do not disturb during the window', async () => {
      await configure({ autoAnswer: 'decline' });
      await presence({ availability: 'dnd' });
      await page.evaluate((at) => window.lab?.setLastEmergencyCall(at), Date.now());
      const callback = await callerResult(await callAgent(BLOCKED), (result) => result.ended);
      expect(finalStatus(callback)).toContain(180);
      const incoming = await waitForEvent((event) => event.type === 'incoming');
      expect(incoming.data).toMatchObject({ decision: { verdict: { why: 'callback_window' } } });
      expect(count(await events(), 'refused')).toBe(0);
    });

    it('auto-answer (agent option): an allowed call is answered without a click, after the decision', async () => {
      await configure({ autoAnswer: 'none' });
      await presence({ autoAnswer: true });
      const id = await callAgent(ALLOWED);
      const answered = await callerResult(id, (result) => result.established);
      expect(finalStatus(answered)).toContain(200);
      const blocked = await callerResult(await callAgent(BLOCKED), (result) => result.ended);
      expect(blocked.established).toBe(false);
      expect(finalStatus(blocked).at(-1)).toBe(603);
      await callerPage.evaluate((call) => window.caller?.hangup(call), id);
      await expect.poll(() => page.evaluate(() => window.lab?.calls().length), { timeout: 8_000 }).toBe(0);
    });
  });

  it('being transferred: a REFER to a blocked number is refused (403) and no INVITE leaves; an allowed one becomes an ordinary call', async () => {
    const gateway = startUas();
    try {
      await configure({ autoAnswer: 'answer' });
      const id = await callAgent(ALLOWED);
      const incoming = await waitForEvent((event) => event.type === 'incoming');
      const callId = (incoming.data as { call: CallSnapshot }).call.id;
      await callerResult(id, (result) => result.established);
      const refer = (target: string) =>
        callerPage.evaluate(
          ({ call, to }) => window.caller?.refer(call, to) ?? Promise.reject(new Error('no caller')),
          { call: id, to: target },
        );

      expect(await refer(`sip:${BLOCKED}@127.0.0.1`)).toBe(403);
      const told = await waitForEvent((event) => event.type === 'transfer-refused');
      expect(told.data).toMatchObject({ callId, message: expect.stringContaining('refused') });
      const blocked = await waitForEvent((event) => event.type === 'blocked');
      expect(blocked.data).toMatchObject({ direction: 'outbound', dialed: BLOCKED });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(gateway.invites().filter((uri) => uri.includes(BLOCKED))).toEqual([]);
      const stillThere = (await page.evaluate(() => window.lab?.calls())) ?? [];
      expect(stillThere.map((call) => [call.id, call.state])).toEqual([[callId, 'connected']]);

      const allowed = '+12125550161';
      expect(await refer(`sip:${allowed}@127.0.0.1`)).toBe(202);
      await expect
        .poll(() => gateway.invites(), { timeout: 8_000 })
        .toContainEqual(expect.stringContaining(`sip:${allowed}@`));
      const referred = await waitForEvent(
        (event) =>
          event.type === 'call' &&
          (event.data as CallSnapshot).direction === 'outbound' &&
          (event.data as CallSnapshot).remote === allowed,
      );
      expect((referred.data as CallSnapshot).number).toBe(allowed);

      await callerPage.evaluate((call) => window.caller?.hangup(call), id);
      await page.evaluate(async () => {
        for (const call of window.lab?.calls() ?? [])
          await window.lab?.hangup(call.id).catch(() => undefined);
      });
      await expect.poll(() => page.evaluate(() => window.lab?.calls().length), { timeout: 8_000 }).toBe(0);
    } finally {
      await gateway.stop();
    }
  });

  it('hang-up race: answered, then hung up at a random moment within 300 ms, 20 times: each call ends on both sides within 1 s', async () => {
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 20; attempt += 1) {
      await configure({ autoAnswer: 'none' });
      const delayMs = Math.floor(Math.random() * 301);
      const id = await callAgent(ALLOWED);
      const incoming = await waitForEvent((event) => event.type === 'incoming');
      const callId = (incoming.data as { call: CallSnapshot }).call.id;
      const hungUpAt = await page.evaluate(
        ({ call, delay }) => window.lab?.answerThenHangUp(call, delay) ?? Promise.reject(new Error('no lab')),
        { call: callId, delay: delayMs },
      );
      const callerSide = await callerResult(id, (result) => result.ended);
      const statuses = callerSide.responses.map((response) => response.status).filter((status) => status > 0);
      const context = `attempt ${attempt}, hung up ${delayMs} ms after Answer: ${JSON.stringify(callerSide)}`;
      expect(callerSide.endedAt, context).not.toBeNull();
      expect((callerSide.endedAt ?? Infinity) - hungUpAt, context).toBeLessThanOrEqual(1000);
      if (callerSide.established) {
        // The 200 had left: the caller was connected and then got a BYE.
        expect(statuses, context).toContain(200);
        outcomes.push(`${delayMs} ms: BYE`);
      } else {
        // No 200 had left: a final error response, never a connected call.
        expect(statuses.at(-1), context).toBeGreaterThanOrEqual(400);
        outcomes.push(`${delayMs} ms: ${statuses.at(-1)}`);
      }
      const ended = await waitForEvent(
        (event) =>
          event.type === 'call' &&
          (event.data as CallSnapshot).id === callId &&
          (event.data as CallSnapshot).state === 'ended',
      );
      const endedAt = (ended.data as CallSnapshot).endedAt ?? Infinity;
      expect(endedAt - hungUpAt, context).toBeLessThanOrEqual(1000);
      expect((ended.data as CallSnapshot).endReason, context).toBe('hangup');
    }
    console.log(`hang-up race outcomes: ${outcomes.join(', ')}`);
    // None stays connected, on the app's side either.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await page.evaluate(() => window.lab?.calls() ?? null)).toEqual([]);
    expect(outcomes).toHaveLength(20);
  }, 180_000);
});

describe('registration', () => {
  it('re-registers with backoff after the registrar restarts', async () => {
    const dir = phone.lab.dir;
    await phone.lab.stop();
    await page.waitForFunction(
      () => window.lab?.lines().some((line) => line.status === 'connecting' && line.reconnectAt !== null),
      undefined,
      {
        timeout: 10_000,
      },
    );
    phone.lab = await startLab({ dir });
    await page.waitForFunction(
      () => window.lab?.lines().every((line) => line.status === 'registered'),
      undefined,
      {
        timeout: 20_000,
      },
    );
    const result = await runUac({ scenario: 'uac-ring', caller: fromNumber(ALLOWED) });
    expect(result.exitCode, result.screen).toBe(0);
  });
});
