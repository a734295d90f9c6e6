import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { Core } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { buildRuleIndex } from '../../shared/decision';
import { defaultOrgSettings, type OrgSettings } from '../../shared/settings';
import { fastReject, readRawInvite } from '../../renderer/phone/fast-reject';
import type { CallPolicySource } from '../../renderer/phone/types';
import { manualRule } from '../helpers/rules';

/** INVITEs exactly as the lab's Kamailio delivered them on the phone's WebSocket (see the fixture's README). */
const CAPTURED: string[] = JSON.parse(
  readFileSync(path.join(__dirname, '../fixtures/sip/captured-invites.json'), 'utf8'),
) as string[];
const [PLAIN, ANONYMOUS_ASSERTED, TEL_FROM, ALLOWED_WITH_CALL_INFO] = CAPTURED as [
  string,
  string,
  string,
  string,
];

const LINE = '+12125550000';
const blockRule = manualRule('+12125550100');

function policy(
  settings: Partial<OrgSettings> = { inboundAction: 'reject' },
  lastEmergencyCallAtMs: number | null = null,
): CallPolicySource {
  const index = buildRuleIndex([blockRule]);
  const all = { ...defaultOrgSettings('US'), ...settings };
  return {
    getIndex: () => index,
    getSettings: () => all,
    getLine: (number) =>
      number === LINE ? { number, label: 'Main', announcementMode: 'early-media' } : null,
    getClock: () => ({ nowMs: Date.now(), lastEmergencyCallAtMs }),
  };
}

const silent = new Core.LoggerFactory();
silent.builtinEnabled = false;
const parserLogger = silent.getLogger('test.parser');

function parsedResponse(text: string): Core.IncomingResponseMessage {
  const parsed = Core.Parser.parseMessage(text, parserLogger);
  if (!(parsed instanceof Core.IncomingResponseMessage)) throw new Error(`not a response: ${text}`);
  return parsed;
}

describe('readRawInvite on INVITEs captured from Kamailio', () => {
  it('reads the Call-ID and the headers the identity reader asks for, full or compact names', () => {
    const invite = readRawInvite(PLAIN);
    expect(invite?.callId).toMatch(/@127\.0\.0\.1$/);
    expect(invite?.request.getHeaders('From')).toEqual([
      expect.stringContaining('<sip:+12125550100@127.0.0.1>'),
    ]);
    expect(invite?.request.getHeaders('f')).toEqual(invite?.request.getHeaders('from'));
    expect(readRawInvite(ANONYMOUS_ASSERTED)?.request.getHeaders('P-Asserted-Identity')).toHaveLength(1);
    expect(readRawInvite(ALLOWED_WITH_CALL_INFO)?.request.getHeaders('Call-Info')).toEqual([
      '<sip:127.0.0.1>;answer-after=0',
    ]);
  });
});

describe('fastReject (reject mode)', () => {
  it('answers a blocked INVITE 603 with every Via in order, From, To with a tag, Call-ID and CSeq', () => {
    for (const raw of [PLAIN, ANONYMOUS_ASSERTED, TEL_FROM]) {
      const rejected = fastReject(raw, LINE, policy());
      expect(rejected, raw.split('\r\n')[6]).not.toBeNull();
      // From is copied as it came (RFC 3261 §8.2.6.2); sip.js's parser cannot read a tel: From, so the
      // check parses both sides with it spelled as sip:.
      expect(rejected?.response).toContain(raw.split('\r\n').find((line) => line.startsWith('From:')));
      const response = parsedResponse(
        (rejected?.response ?? '').replace(/<tel:([^>]*)>/g, '<sip:$1@tel.invalid>'),
      );
      const request = Core.Parser.parseMessage(
        raw.replace(/<tel:([^>]*)>/g, '<sip:$1@tel.invalid>'),
        parserLogger,
      );
      if (!(request instanceof Core.IncomingRequestMessage)) throw new Error('captured INVITE did not parse');
      expect(response.statusCode).toBe(603);
      expect(response.reasonPhrase).toBe('Decline');
      expect(response.getHeaders('Via')).toEqual(request.getHeaders('Via'));
      expect(response.callId).toBe(request.callId);
      expect(response.cseq).toBe(1);
      expect(response.method).toBe('INVITE');
      expect(response.fromTag).toBe(request.fromTag);
      expect(response.toTag).toMatch(/^\w+$/);
      expect(rejected?.decided.decision.verdict.action).toBe('block');
    }
  });

  it('hands everything else to sip.js: an allowed caller, announce mode, the emergency call-back window', () => {
    expect(fastReject(ALLOWED_WITH_CALL_INFO, LINE, policy())).toBeNull();
    expect(fastReject(PLAIN, LINE, policy({ inboundAction: 'announce' }))).toBeNull();
    expect(fastReject(PLAIN, LINE, policy({ inboundAction: 'reject' }, Date.now() - 60_000))).toBeNull();
  });

  it('never answers a re-INVITE (To has a tag), nor a message missing a header a response needs', () => {
    const reInvite = PLAIN.replace(/^To: (.*)$/m, 'To: $1;tag=as12');
    expect(fastReject(reInvite, LINE, policy())).toBeNull();
    for (const header of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
      const without = PLAIN.split('\r\n')
        .filter((line) => !line.startsWith(`${header}:`))
        .join('\r\n');
      expect(fastReject(without, LINE, policy()), header).toBeNull();
    }
    expect(fastReject(PLAIN.replace('CSeq: 1 INVITE', 'CSeq: 1 BYE'), LINE, policy())).toBeNull();
    expect(fastReject(PLAIN.replace(/^Call-ID: .*$/m, '$&\r\nCall-ID: second'), LINE, policy())).toBeNull();
  });

  it('malformed messages never throw and are left to sip.js', () => {
    for (const raw of [
      '',
      'INVITE ',
      'INVITE sip:x SIP/2.0',
      'INVITE sip:x SIP/2.0\r\nFrom: <sip:+12125550100@x>\r\n',
      'SIP/2.0 200 OK\r\n\r\n',
      PLAIN.slice(0, 200),
      PLAIN.replace('\r\n\r\n', '\r\n'),
      `${PLAIN.split('\r\n\r\n')[0]}\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
    ]) {
      expect(fastReject(raw, LINE, policy())).toBeNull();
    }
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: PLAIN.length }), (noise, at) => {
        const mangled = PLAIN.slice(0, at) + noise + PLAIN.slice(at);
        const result = fastReject(mangled, LINE, policy());
        if (result !== null) expect(result.response).toMatch(/^SIP\/2\.0 603 Decline\r\n/);
      }),
      { numRuns: 300 },
    );
  });

  it('fails open when the policy source breaks', () => {
    const broken: CallPolicySource = {
      ...policy(),
      getIndex: () => {
        throw new Error('index corrupted');
      },
    };
    expect(fastReject(PLAIN, LINE, broken)).toBeNull();
  });
});
