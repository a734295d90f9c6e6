import { describe, expect, it } from 'vitest';
import {
  CALLER_URI_HEADERS,
  IDENTITY_HEADERS,
  canonicalHeaderName,
  compactFormOf,
  isHeaderLine,
  parseRawHeaders,
  sipHeader,
} from '../../shared/sip-headers';

describe('the SIP header table', () => {
  it('gives the identity headers the reader uses, with their compact forms', () => {
    expect(IDENTITY_HEADERS).toEqual({
      assertedIdentity: { name: 'P-Asserted-Identity', compact: null },
      remotePartyId: { name: 'Remote-Party-ID', compact: null },
      from: { name: 'From', compact: 'f' },
      privacy: { name: 'Privacy', compact: null },
      identity: { name: 'Identity', compact: 'y' },
    });
    expect(CALLER_URI_HEADERS.map((header) => header.name)).toEqual([
      'P-Asserted-Identity',
      'Remote-Party-ID',
      'From',
    ]);
  });

  it('maps compact forms both ways, any case', () => {
    expect(compactFormOf('Call-ID')).toBe('i');
    expect(compactFormOf('CSeq')).toBeUndefined();
    expect(canonicalHeaderName(' F ')).toBe('from');
    expect(canonicalHeaderName('P-Asserted-Identity')).toBe('p-asserted-identity');
    expect(sipHeader('To')).toEqual({ name: 'To', compact: 't' });
  });

  it('recognises a header line by its full or compact name, space before the colon allowed', () => {
    expect(isHeaderLine('f: <sip:a@b>', [IDENTITY_HEADERS.from])).toBe(true);
    expect(isHeaderLine('FROM  : <sip:a@b>', [IDENTITY_HEADERS.from])).toBe(true);
    expect(isHeaderLine('From-X: <sip:a@b>', [IDENTITY_HEADERS.from])).toBe(false);
    expect(isHeaderLine(' From: <sip:a@b>', [IDENTITY_HEADERS.from])).toBe(false);
    expect(isHeaderLine('no colon here', [IDENTITY_HEADERS.from])).toBe(false);
  });
});

describe('parseRawHeaders', () => {
  it('reads headers by canonical name, joins folded lines and stops at the body', () => {
    const { headers, problem } = parseRawHeaders(
      'INVITE sip:a@b SIP/2.0\r\nf: <sip:+12125550100@x>\r\nP-Asserted-Identity: <sip:+1212@x>,\r\n <sip:+1313@x>\r\n\r\nFrom: body',
    );
    expect(problem).toBeNull();
    expect(headers.get('from')).toEqual(['<sip:+12125550100@x>']);
    expect(headers.get('p-asserted-identity')).toEqual(['<sip:+1212@x>, <sip:+1313@x>']);
  });

  it('says what is wrong with a message that is not a request', () => {
    expect(parseRawHeaders('').problem).toBe('the SIP message is empty');
    expect(parseRawHeaders('SIP/2.0 200 OK\r\n\r\n').problem).toMatch(/does not start with a request line/);
  });
});
