import { describe, expect, it } from 'vitest';
import { sipAccountSchema } from '../../shared/contracts/ipc';
import { iceServerUrlProblem, peerIceServers, validateIceSettings } from '../../shared/ice-servers';

describe('STUN/TURN server URLs (SPEC §10.8, RFC 7064/7065)', () => {
  it('accepts stun:, turn: and turns: with host, port and transport', () => {
    for (const url of [
      'stun:stun.example.com',
      'stun:stun.example.com:3478',
      'turn:turn.example.com:3478?transport=udp',
      'turn:127.0.0.1:3478?transport=tcp',
      'turns:turn.example.com:5349?transport=tcp',
      'turn:[2001:db8::1]:3478',
      'TURN:Turn.Example.com',
    ])
      expect(iceServerUrlProblem(url), url).toBeNull();
  });

  it('refuses every other scheme and malformed forms, saying why', () => {
    expect(iceServerUrlProblem('http://turn.example.com')).toMatch(/stun:, turn: or turns:/);
    expect(iceServerUrlProblem('stuns:stun.example.com')).toMatch(/stun:, turn: or turns:/);
    expect(iceServerUrlProblem('javascript:alert(1)')).toMatch(/stun:, turn: or turns:/);
    expect(iceServerUrlProblem('turn://turn.example.com')).toMatch(/Write it as/);
    expect(iceServerUrlProblem('turn:user@turn.example.com')).toMatch(/Write it as/);
    expect(iceServerUrlProblem('turn:turn.example.com:99999')).toMatch(/port/);
    expect(iceServerUrlProblem('stun:stun.example.com?transport=udp')).toMatch(/no transport/);
    expect(iceServerUrlProblem('turns:turn.example.com?transport=udp')).toMatch(/only be tcp/);
    expect(iceServerUrlProblem('turn:turn.example.com?transport=sctp')).toMatch(/Write it as/);
  });

  it('the account schema refuses a bad server and reads accounts saved with bare URL strings', () => {
    const account = {
      id: 'a',
      websocketUrl: 'wss://pbx.example.com',
      sipUri: 'sip:a@pbx.example.com',
      displayName: 'A',
      lineNumber: '+12125550100',
    };
    expect(
      sipAccountSchema.safeParse({ ...account, iceServers: [{ url: 'https://x.example' }] }).success,
    ).toBe(false);
    expect(sipAccountSchema.safeParse({ ...account, iceGatheringTimeoutMs: 50 }).success).toBe(false);
    expect(sipAccountSchema.parse({ ...account, iceServers: ['stun:stun.example.com'] }).iceServers).toEqual([
      { url: 'stun:stun.example.com' },
    ]);
  });
});

describe('the peer connection’s servers', () => {
  it('joins each TURN server with its credential and leaves out a TURN server missing one', () => {
    const servers = peerIceServers(
      [
        { url: 'stun:stun.example.com' },
        { url: 'turn:a.example.com', username: 'u1' },
        { url: 'turn:b.example.com', username: 'u2' },
        { url: 'turn:c.example.com' },
      ],
      (url) => ({ 'turn:a.example.com': 'secret-a', 'turn:c.example.com': 'secret-c' })[url],
    );
    expect(servers).toEqual([
      { urls: 'stun:stun.example.com' },
      { urls: 'turn:a.example.com', username: 'u1', credential: 'secret-a' },
    ]);
  });
});

describe('the settings form’s network fields', () => {
  const turn = 'turn:turn.example.com:3478?transport=udp';

  it('returns servers, the credentials typed now and the timeout', () => {
    const result = validateIceSettings(
      [
        { url: ' stun:stun.example.com ', username: '', credential: '' },
        { url: turn, username: 'agent', credential: 'pw' },
      ],
      '1500',
      [],
    );
    expect(result).toEqual({
      ok: true,
      servers: [{ url: 'stun:stun.example.com' }, { url: turn, username: 'agent' }],
      credentials: { [turn]: 'pw' },
      iceGatheringTimeoutMs: 1500,
    });
  });

  it('keeps a saved credential when none is typed, and asks for one otherwise', () => {
    const draft = [{ url: turn, username: 'agent', credential: '' }];
    expect(validateIceSettings(draft, '500', [turn])).toMatchObject({ ok: true, credentials: {} });
    expect(validateIceSettings(draft, '500', [])).toEqual({
      ok: false,
      serverErrors: [{ credential: 'A TURN server needs a credential' }],
      timeoutError: null,
    });
  });

  it('reports each field’s problem: URL, user name, duplicates, timeout', () => {
    const result = validateIceSettings(
      [
        { url: 'http://nope', username: '', credential: '' },
        { url: turn, username: '', credential: 'x' },
        { url: turn, username: 'u', credential: 'x' },
      ],
      '20000',
      [],
    );
    expect(result).toEqual({
      ok: false,
      serverErrors: [
        { url: 'Use a stun:, turn: or turns: URL' },
        { username: 'A TURN server needs a user name' },
        { url: 'This server is listed twice' },
      ],
      timeoutError: 'Give a whole number of milliseconds from 100 to 10000',
    });
  });
});
