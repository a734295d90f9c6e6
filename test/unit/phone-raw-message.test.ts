import { describe, expect, it } from 'vitest';
import { Core } from 'sip.js';
import {
  badRequestResponse,
  isInviteRequest,
  rewriteTelIdentities,
  TEL_HOST,
  TEL_REWRITTEN_HEADERS,
} from '../../renderer/phone/raw-message';
import { CALLER_URI_HEADERS } from '../../shared/sip-headers';
import { identityFromSipJsRequest } from '../../shared/identity';

const silentLogger = new Core.LoggerFactory();
silentLogger.builtinEnabled = false;
const parserLogger = silentLogger.getLogger('test.parser');

function invite(from: string, extra: string[] = []): string {
  return [
    'INVITE sip:agent1@127.0.0.1 SIP/2.0',
    'Via: SIP/2.0/WS 127.0.0.1:8080;branch=z9hG4bK-1;rport',
    `From: ${from};tag=abc`,
    'To: <sip:agent1@127.0.0.1>',
    'Call-ID: call-1',
    'CSeq: 1 INVITE',
    'Max-Forwards: 70',
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

describe('rewriteTelIdentities', () => {
  it('turns a tel: From that sip.js cannot parse into a number it can read', () => {
    const raw = invite('<tel:+12125550100>');
    expect(Core.Parser.parseMessage(raw, parserLogger)).toBeUndefined();
    const rewritten = rewriteTelIdentities(raw);
    expect(rewritten).toContain(`From: <sip:+12125550100@${TEL_HOST};user=phone>;tag=abc`);
    const parsed = Core.Parser.parseMessage(rewritten, parserLogger);
    expect(parsed).toBeInstanceOf(Core.IncomingRequestMessage);
    if (!(parsed instanceof Core.IncomingRequestMessage)) return;
    expect(identityFromSipJsRequest(parsed, 'US')).toMatchObject({ kind: 'number', e164: '+12125550100' });
  });

  it('keeps tel: parameters such as verstat with the number', () => {
    const rewritten = rewriteTelIdentities(
      invite('<sip:x@127.0.0.1>', ['P-Asserted-Identity: <tel:+12125550100;verstat=TN-Validation-Failed>']),
    );
    expect(rewritten).toContain(
      `P-Asserted-Identity: <sip:+12125550100;verstat=TN-Validation-Failed@${TEL_HOST};user=phone>`,
    );
  });

  it('wraps a bare tel: URI so its header parameters stay header parameters', () => {
    expect(rewriteTelIdentities(invite('tel:+12125550100'))).toContain(
      `From: <sip:+12125550100@${TEL_HOST};user=phone>;tag=abc`,
    );
  });

  it('rewrites every header the identity reader takes the caller from, by full or compact name, and To and P-Preferred-Identity', () => {
    expect(TEL_REWRITTEN_HEADERS).toEqual(expect.arrayContaining([...CALLER_URI_HEADERS]));
    const raw = [
      'INVITE sip:agent1@127.0.0.1 SIP/2.0',
      'Via: SIP/2.0/WS 127.0.0.1:8080;branch=z9hG4bK-1;rport',
      'f: <tel:+12125550101>;tag=abc',
      't: <tel:+12125550102>',
      'Remote-Party-ID: <tel:+12125550103>;privacy=off',
      'P-Preferred-Identity: <tel:+12125550104>',
      'p-asserted-identity : <tel:+12125550105>',
      'X-Other: <tel:+12125550106>',
      'Call-ID: call-1',
      'CSeq: 1 INVITE',
      '',
      '',
    ].join('\r\n');
    const rewritten = rewriteTelIdentities(raw);
    for (const number of ['101', '102', '103', '104', '105'])
      expect(rewritten).toContain(`<sip:+12125550${number}@${TEL_HOST};user=phone>`);
    expect(rewritten).toContain('X-Other: <tel:+12125550106>');
  });

  it('leaves the body, other headers and responses alone', () => {
    const raw = invite('<sip:+12125550100@127.0.0.1>', ['Subject: call tel:+1999']);
    expect(rewriteTelIdentities(raw)).toBe(raw);
    const response = 'SIP/2.0 200 OK\r\nFrom: <tel:+1212>;tag=1\r\n\r\n';
    expect(rewriteTelIdentities(response)).toBe(response);
  });
});

describe('badRequestResponse', () => {
  it('answers an unparseable INVITE with 400, copying the headers a response needs and adding a To tag', () => {
    const raw = invite('<<garbage>>');
    expect(isInviteRequest(raw)).toBe(true);
    const response = badRequestResponse(raw, 'Unreadable request') ?? '';
    expect(response.startsWith('SIP/2.0 400 Unreadable request\r\n')).toBe(true);
    expect(response).toContain('Via: SIP/2.0/WS 127.0.0.1:8080;branch=z9hG4bK-1;rport');
    expect(response).toContain('Call-ID: call-1');
    expect(response).toContain('CSeq: 1 INVITE');
    expect(response).toMatch(/To: <sip:agent1@127\.0\.0\.1>;tag=bl\w+/);
    expect(response.endsWith('Content-Length: 0\r\n\r\n')).toBe(true);
  });

  it('produces a response sip.js itself can read when the headers are sound', () => {
    const response = badRequestResponse(invite('<sip:+12125550100@127.0.0.1>'), 'Bad SDP') ?? '';
    expect(Core.Parser.parseMessage(response, parserLogger)).toBeInstanceOf(Core.IncomingResponseMessage);
  });

  it('gives up (null) when there is nothing to answer to', () => {
    expect(badRequestResponse('INVITE sip:x SIP/2.0\r\nFrom: a\r\n\r\n', 'x')).toBeNull();
  });
});
