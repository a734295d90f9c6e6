import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  identityFromHeaders,
  identityFromRawMessage,
  identityFromSipJsRequest,
  verificationStatus,
  MAX_HEADER_VALUE_LENGTH,
} from '../../shared/identity';
import type { CallerIdentity } from '../../shared/identity.types';

/** A raw INVITE with the given header lines (CRLF line ends, a small SDP body). */
function invite(...headerLines: string[]): string {
  return [
    'INVITE sip:+12125550000@pbx.example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds',
    ...headerLines,
    'To: <sip:+12125550000@pbx.example.com>',
    'Call-ID: a84b4c76e66710@192.0.2.1',
    'CSeq: 314159 INVITE',
    'Content-Type: application/sdp',
    '',
    'v=0',
    'o=- 0 0 IN IP4 192.0.2.1',
    '',
  ].join('\r\n');
}

/** Header source from a plain record, with case-insensitive names as a SIP stack provides. */
function headers(record: Record<string, string[]>): { get(name: string): string[] } {
  const lower = new Map(Object.entries(record).map(([name, values]) => [name.toLowerCase(), values]));
  return { get: (name) => lower.get(name.toLowerCase()) ?? [] };
}

function passport(claims: object): string {
  const encode = (value: object): string =>
    btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${encode({ alg: 'ES256', typ: 'passport', ppt: 'shaken' })}.${encode(claims)}.c2lnbmF0dXJl`;
}

const NUMBER = '+12125551234';

describe('caller identity from raw SIP (SPEC §3.2–3.3)', () => {
  const table: Array<{
    name: string;
    lines: string[];
    expected: Partial<CallerIdentity> & { kind: string };
  }> = [
    {
      name: 'plain sip: From',
      lines: ['From: <sip:+12125551234@carrier.example>;tag=1'],
      expected: { kind: 'number', e164: NUMBER },
    },
    {
      name: 'national number in From, normalized with the line country',
      lines: [
        'From: "Bob" <sip:(212) 555-1234@carrier.example;user=phone>;tag=1'.replace(
          '(212) 555-1234',
          '2125551234',
        ),
      ],
      expected: { kind: 'number', e164: NUMBER, withheld: false },
    },
    {
      name: 'tel: URI in From',
      lines: ['From: <tel:+12125551234>;tag=9'],
      expected: { kind: 'number', e164: NUMBER },
    },
    {
      name: 'tel: URI with phone-context',
      lines: ['From: <tel:555-1234;phone-context=+1-212>;tag=9'],
      expected: { kind: 'number', e164: NUMBER },
    },
    {
      name: 'addr-spec From without brackets',
      lines: ['From: sip:+12125551234@carrier.example;tag=2'],
      expected: { kind: 'number', e164: NUMBER },
    },
    {
      name: 'compact form f:',
      lines: ['f: <sip:+12125551234@carrier.example>;tag=1'],
      expected: { kind: 'number', e164: NUMBER },
    },
    {
      name: 'anonymous user',
      lines: ['From: "Anonymous" <sip:anonymous@anonymous.invalid>;tag=1'],
      expected: { kind: 'anonymous' },
    },
    {
      name: 'Anonymous, any case',
      lines: ['From: <sip:AnOnYmOuS@carrier.example>;tag=1'],
      expected: { kind: 'anonymous' },
    },
    {
      name: 'unknown',
      lines: ['From: <sip:unknown@carrier.example>;tag=1'],
      expected: { kind: 'anonymous' },
    },
    {
      name: 'unavailable',
      lines: ['From: <sip:Unavailable@carrier.example>;tag=1'],
      expected: { kind: 'anonymous' },
    },
    {
      name: 'restricted',
      lines: ['From: <sip:RESTRICTED@carrier.example>;tag=1'],
      expected: { kind: 'anonymous' },
    },
    {
      name: 'private',
      lines: ['From: <sip:private@carrier.example>;tag=1'],
      expected: { kind: 'anonymous' },
    },
    {
      name: 'withheld',
      lines: ['From: <sip:Withheld@carrier.example>;tag=1'],
      expected: { kind: 'anonymous' },
    },
    {
      name: 'empty user part',
      lines: ['From: <sip:@carrier.example>;tag=1'],
      expected: { kind: 'anonymous' },
    },
    {
      name: 'no user part at all',
      lines: ['From: <sip:carrier.example>;tag=1'],
      expected: { kind: 'anonymous' },
    },
    {
      name: 'anonymous.invalid host with a number user',
      lines: ['From: <sip:+12125551234@anonymous.invalid>;tag=1'],
      expected: { kind: 'anonymous' },
    },
    {
      name: 'Privacy: id with no asserted number',
      lines: ['From: <sip:+12125551234@carrier.example>;tag=1', 'Privacy: id'],
      expected: { kind: 'anonymous' },
    },
    {
      name: 'Privacy: user; header',
      lines: ['From: <sip:+12125551234@carrier.example>;tag=1', 'Privacy: user;header'],
      expected: { kind: 'anonymous' },
    },
    {
      name: 'Privacy: none keeps the number',
      lines: ['From: <sip:+12125551234@carrier.example>;tag=1', 'Privacy: none'],
      expected: { kind: 'number', e164: NUMBER },
    },
    {
      name: 'anonymous From with an asserted number → withheld number',
      lines: [
        'From: "Anonymous" <sip:anonymous@anonymous.invalid>;tag=1',
        'P-Asserted-Identity: <sip:+12125551234@carrier.example;user=phone>',
        'Privacy: id',
      ],
      expected: { kind: 'number', e164: NUMBER, withheld: true },
    },
    {
      name: 'PAI wins over From',
      lines: [
        'From: <sip:+13105550000@carrier.example>;tag=1',
        'P-Asserted-Identity: <sip:+12125551234@carrier.example>',
      ],
      expected: { kind: 'number', e164: NUMBER, withheld: false },
    },
    {
      name: 'multiple PAI, comma-separated, sip and tel',
      lines: [
        'From: <sip:anonymous@anonymous.invalid>;tag=1',
        'P-Asserted-Identity: "Bob, Jr." <sip:bob@corp.example>, <tel:+12125551234>',
      ],
      expected: { kind: 'number', e164: NUMBER, withheld: true },
    },
    {
      name: 'multiple PAI, repeated header',
      lines: [
        'From: <sip:anonymous@anonymous.invalid>;tag=1',
        'P-Asserted-Identity: <sip:bob@corp.example>',
        'P-Asserted-Identity: <tel:+12125551234>',
      ],
      expected: { kind: 'number', e164: NUMBER, withheld: true },
    },
    {
      name: 'Remote-Party-ID with privacy=full',
      lines: [
        'From: <sip:anonymous@carrier.example>;tag=1',
        'Remote-Party-ID: "x" <sip:+12125551234@carrier.example>;party=calling;privacy=full;screen=yes',
      ],
      expected: { kind: 'number', e164: NUMBER, withheld: true },
    },
    {
      name: 'Remote-Party-ID with privacy=off',
      lines: [
        'From: <sip:+13105550000@carrier.example>;tag=1',
        'Remote-Party-ID: <sip:+12125551234@carrier.example>;party=calling;privacy=off',
      ],
      expected: { kind: 'number', e164: NUMBER, withheld: false },
    },
    {
      name: 'Remote-Party-ID anonymous with privacy=full and a numeric From',
      lines: [
        'From: <sip:+12125551234@carrier.example>;tag=1',
        'Remote-Party-ID: <sip:anonymous@carrier.example>;privacy=full',
      ],
      expected: { kind: 'anonymous' },
    },
    {
      name: 'a name, not a number',
      lines: ['From: <sip:alice@corp.example>;tag=1'],
      expected: { kind: 'unknown', raw: 'alice' },
    },
    {
      name: 'an extension that is too short',
      lines: ['From: <sip:1234@corp.example>;tag=1'],
      expected: { kind: 'unknown', raw: '1234' },
    },
    { name: 'no From at all', lines: [], expected: { kind: 'unknown', raw: null } },
    { name: 'not a SIP URI', lines: ['From: <mailto:bob@example.com>;tag=1'], expected: { kind: 'unknown' } },
    {
      name: 'cut off inside the URI: malformed, not anonymous',
      lines: ['From: <sip:+1212'],
      expected: { kind: 'unknown', problem: expect.stringContaining('>') },
    },
    {
      name: 'a number in the host part of a user-less URI',
      lines: ['From: <sip:+12125551234>;tag=1'],
      expected: { kind: 'number', e164: NUMBER },
    },
    {
      name: 'folded header line',
      lines: ['From: "Long name"', ' <sip:+12125551234@carrier.example>;tag=1'],
      expected: { kind: 'number', e164: NUMBER },
    },
  ];

  for (const { name, lines, expected } of table) {
    it(name, () => {
      const identity = identityFromRawMessage(invite(...lines), 'US');
      expect(identity).toMatchObject(expected);
    });
  }

  it('normalizes with the line country', () => {
    const identity = identityFromRawMessage(invite('From: <sip:02079460958@carrier.example>;tag=1'), 'GB');
    expect(identity).toMatchObject({ kind: 'number', e164: '+442079460958' });
  });

  it('accepts LF-only line ends', () => {
    const identity = identityFromRawMessage(
      invite('From: <sip:+12125551234@x>;tag=1').replace(/\r\n/g, '\n'),
      'US',
    );
    expect(identity).toMatchObject({ kind: 'number', e164: NUMBER });
  });

  it('reports a message that is not a SIP request', () => {
    expect(identityFromRawMessage('hello world', 'US')).toMatchObject({
      kind: 'unknown',
      problem: expect.stringContaining('request line'),
    });
    expect(identityFromRawMessage('', 'US')).toMatchObject({
      kind: 'unknown',
      problem: expect.stringContaining('empty'),
    });
  });

  it('reports an unknown country instead of throwing', () => {
    expect(identityFromRawMessage(invite('From: <sip:+12125551234@x>;tag=1'), 'XX')).toMatchObject({
      kind: 'unknown',
      problem: expect.stringContaining('country'),
    });
  });
});

describe('caller verification (SPEC §3.3a)', () => {
  it('reads verstat from the asserted identity', () => {
    const identity = identityFromRawMessage(
      invite(
        'From: <sip:+12125551234@x>;tag=1',
        'P-Asserted-Identity: <sip:+12125551234;verstat=TN-Validation-Failed@carrier.example;user=phone>',
      ),
      'US',
    );
    expect(identity.verification).toEqual({ verstat: 'TN-Validation-Failed', attestation: null });
    expect(verificationStatus(identity.verification)).toBe('failed');
  });

  it('reads verstat as a URI parameter of From, any case', () => {
    const identity = identityFromRawMessage(
      invite('From: <sip:+12125551234@carrier.example;user=phone;verstat=tn-validation-passed>;tag=1'),
      'US',
    );
    expect(identity.verification?.verstat).toBe('TN-Validation-Passed');
    expect(verificationStatus(identity.verification)).toBe('passed');
  });

  it('reads No-TN-Validation from a tel: PAI', () => {
    const identity = identityFromRawMessage(
      invite(
        'From: <sip:+12125551234@x>;tag=1',
        'P-Asserted-Identity: <tel:+12125551234;verstat=No-TN-Validation>',
      ),
      'US',
    );
    expect(identity.verification?.verstat).toBe('No-TN-Validation');
    expect(verificationStatus(identity.verification)).toBe('none');
  });

  it('reads the attestation from the Identity header PASSporT, also in compact form y:', () => {
    for (const [name, attest] of [
      ['Identity', 'A'],
      ['y', 'C'],
    ] as const) {
      const value = `${passport({ attest, dest: { tn: ['12125550000'] }, orig: { tn: '12125551234' }, iat: 1 })};info=<https://cert.example/cert.pem>;alg=ES256;ppt=shaken`;
      const identity = identityFromRawMessage(
        invite('From: <sip:+12125551234@x>;tag=1', `${name}: ${value}`),
        'US',
      );
      expect(identity.verification).toEqual({ verstat: null, attestation: attest });
      expect(verificationStatus(identity.verification)).toBe('none');
    }
  });

  it('ignores a malformed Identity header', () => {
    for (const value of ['not-a-jwt', 'a.%%%.c', `a.${btoa('not json')}.c`, passport({ attest: 'Z' })]) {
      const identity = identityFromRawMessage(
        invite('From: <sip:+12125551234@x>;tag=1', `Identity: ${value}`),
        'US',
      );
      expect(identity).toMatchObject({ kind: 'number', verification: null });
    }
  });

  it('has no verification when nothing is passed on', () => {
    expect(verificationStatus(null)).toBe('none');
    expect(identityFromRawMessage(invite('From: <sip:+12125551234@x>;tag=1'), 'US').verification).toBeNull();
  });
});

describe('header sources', () => {
  it('reads any { get(name) } source', () => {
    const identity = identityFromHeaders(
      headers({
        from: ['<sip:anonymous@anonymous.invalid>;tag=1'],
        'p-asserted-identity': ['<tel:+12125551234>'],
      }),
      'US',
    );
    expect(identity).toEqual({ kind: 'number', e164: NUMBER, withheld: true, verification: null });
  });

  it('adapts a sip.js-shaped request, trying compact names when the full name is absent', () => {
    const store: Record<string, string[]> = {
      From: ['<sip:+12125551234@x>;tag=1'],
      Y: [`${passport({ attest: 'B' })};ppt=shaken`],
    };
    const request = {
      getHeaders: (name: string) => store[name.length === 1 ? name.toUpperCase() : name] ?? [],
    };
    expect(identityFromSipJsRequest(request, 'US')).toEqual({
      kind: 'number',
      e164: NUMBER,
      withheld: false,
      verification: { verstat: null, attestation: 'B' },
    });
  });

  it('survives a header source that throws or returns junk', () => {
    const throwing = {
      get: (): string[] => {
        throw new Error('boom');
      },
    };
    expect(identityFromHeaders(throwing, 'US')).toMatchObject({ kind: 'unknown' });
    const junk = { get: (): string[] => JSON.parse('[1, null, {"a": 2}]') };
    expect(identityFromHeaders(junk, 'US')).toMatchObject({ kind: 'unknown' });
    const request = {
      getHeaders: (): string[] => {
        throw new TypeError('bad');
      },
    };
    expect(identityFromSipJsRequest(request, 'US')).toMatchObject({ kind: 'unknown' });
  });

  it('ignores header values longer than the cap', () => {
    const huge = `<sip:+12125551234@${'a'.repeat(MAX_HEADER_VALUE_LENGTH)}>`;
    expect(identityFromHeaders(headers({ From: [huge] }), 'US')).toMatchObject({
      kind: 'unknown',
      problem: expect.any(String),
    });
    const hugePai = headers({ From: ['<sip:+13105550000@x>'], 'P-Asserted-Identity': [huge] });
    expect(identityFromHeaders(hugePai, 'US')).toMatchObject({ kind: 'number', e164: '+13105550000' });
  });
});

describe('robustness (never throws, bounded work)', () => {
  const identityLike = (identity: CallerIdentity): boolean =>
    ['number', 'anonymous', 'unknown'].includes(identity.kind);
  const sipish = fc.oneof(
    fc.string(),
    fc.stringMatching(/^[<>"';,=@:.+\-a-zA-Z0-9 \\%?]{0,80}$/),
    fc.constantFrom(
      '<sip:+12125551234@x>;tag=1',
      '"a\\"b" <tel:+1212;verstat=TN-Validation-Failed>',
      '<sip:anonymous@anonymous.invalid>',
    ),
  );

  it('identityFromHeaders never throws on random header values', () => {
    fc.assert(
      fc.property(sipish, sipish, sipish, sipish, sipish, (from, pai, rpid, privacy, identityHeader) => {
        const identity = identityFromHeaders(
          headers({
            From: [from],
            'P-Asserted-Identity': [pai],
            'Remote-Party-ID': [rpid],
            Privacy: [privacy],
            Identity: [identityHeader],
          }),
          'US',
        );
        expect(identityLike(identity)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('identityFromRawMessage never throws on random or truncated messages', () => {
    const full = invite(
      'From: "Anonymous" <sip:anonymous@anonymous.invalid>;tag=1',
      'P-Asserted-Identity: <sip:+12125551234;verstat=TN-Validation-Passed@carrier.example;user=phone>, <tel:+12125551234>',
      'Remote-Party-ID: <sip:+12125551234@c>;privacy=full',
      'Privacy: id',
      `Identity: ${passport({ attest: 'A' })};ppt=shaken`,
    );
    for (let cut = 0; cut <= full.length; cut++) {
      expect(identityLike(identityFromRawMessage(full.slice(0, cut), 'US'))).toBe(true);
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.integer({ min: 0, max: full.length }), (noise, at) => {
        expect(identityLike(identityFromRawMessage(full.slice(0, at) + noise + full.slice(at), 'US'))).toBe(
          true,
        );
        expect(identityLike(identityFromRawMessage(noise, 'US'))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('does bounded work on a huge message', () => {
    const many = Array.from({ length: 5000 }, () => 'P-Asserted-Identity: <sip:bob@x>, <sip:carol@y>').join(
      '\r\n',
    );
    const message = invite('From: <sip:+12125551234@x>;tag=1', many, `X-Junk: ${'a,'.repeat(500_000)}`);
    const started = performance.now();
    const identity = identityFromRawMessage(message, 'US');
    expect(performance.now() - started).toBeLessThan(500);
    expect(identity).toMatchObject({ kind: 'number', e164: NUMBER });
  });
});

describe('a From with no user part and an IP address host (SPEC §3.3 "user part empty")', () => {
  it.each(['<sip:127.0.0.1>;tag=1', '<sip:192.0.2.10:5060>;tag=2', 'sip:10.0.0.1'])(
    '%s is anonymous',
    (from) => {
      expect(identityFromHeaders({ get: (name) => (name === 'From' ? [from] : []) }, 'US').kind).toBe(
        'anonymous',
      );
    },
  );
  it('a numeric host that is a phone number is still read as one', () => {
    const identity = identityFromHeaders(
      { get: (name) => (name === 'From' ? ['<sip:+12125551234>;tag=1'] : []) },
      'US',
    );
    expect(identity).toMatchObject({ kind: 'number', e164: '+12125551234' });
  });
});
