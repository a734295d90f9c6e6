import { describe, expect, it } from 'vitest';
import {
  checkInviteServer,
  formatInviteCode,
  inviteLink,
  normalizeInviteCode,
  parseInvite,
  parseInviteLink,
} from '../../shared/invite-link';

const CODE = 'ABCD1234EFGH5678JKMN';

describe('invite links and codes (SPEC §12.4)', () => {
  it('reads a typed code in any case and with any dashes or spaces, and refuses look-alike letters', () => {
    expect(normalizeInviteCode('abcd-1234 efgh-5678-jkmn')).toBe(CODE);
    expect(normalizeInviteCode('ABCD-1234-EFGH-5678-JKMO')).toBeNull();
    expect(normalizeInviteCode('SHORT')).toBeNull();
    expect(formatInviteCode(CODE)).toBe('ABCD-1234-EFGH-5678-JKMN');
  });

  it('takes a pasted link apart, and a bare code without a server', () => {
    const link = inviteLink('https://blockline.example.com', CODE);
    expect(link).toBe(
      'blockline://invite?server=https%3A%2F%2Fblockline.example.com&code=ABCD-1234-EFGH-5678-JKMN',
    );
    expect(parseInvite(link)).toEqual({ code: CODE, server: 'https://blockline.example.com' });
    expect(parseInvite(' abcd-1234-efgh-5678-jkmn ')).toEqual({ code: CODE, server: null });
    expect(parseInvite('blockline://settings?code=ABCD-1234-EFGH-5678-JKMN')).toBeNull();
  });

  it('an opened link: https servers, and http only to this computer', () => {
    expect(parseInviteLink(inviteLink('https://blockline.example.com:8443/', CODE))).toEqual({
      ok: true,
      server: 'https://blockline.example.com:8443',
      code: 'ABCD-1234-EFGH-5678-JKMN',
    });
    for (const loopback of ['http://127.0.0.1:8787', 'http://localhost:8787', 'http://[::1]:8787']) {
      expect(parseInviteLink(inviteLink(loopback, CODE))).toMatchObject({ ok: true, server: loopback });
    }
    for (const server of [
      'http://blockline.example.com',
      'http://10.0.0.5:8787',
      'ftp://example.com',
      'javascript:alert(1)',
    ]) {
      const result = parseInviteLink(inviteLink(server, CODE));
      expect([server, result.ok]).toEqual([server, false]);
      if (!result.ok) expect(result.message).toMatch(/https:\/\/|not a server address/);
    }
  });

  it('refuses malformed links with a reason a person can act on', () => {
    const cases: [string, RegExp][] = [
      ['https://blockline.example.com/invite?code=x', /not a blockline:\/\/invite link/],
      ['tel:+12125551234', /not a blockline:\/\/invite link/],
      ['blockline://invite?server=https%3A%2F%2Fa.example&code=NOPE', /damaged/],
      ['blockline://invite?server=https%3A%2F%2Fa.example', /damaged/],
      ['blockline://elsewhere?server=https%3A%2F%2Fa.example&code=ABCD-1234-EFGH-5678-JKMN', /damaged/],
      ['blockline://invite?code=ABCD-1234-EFGH-5678-JKMN', /names no server/],
      ['blockline://invite?server=not%20a%20url&code=ABCD-1234-EFGH-5678-JKMN', /not a server address/],
    ];
    for (const [link, reason] of cases) {
      const result = parseInviteLink(link);
      expect(result.ok, link).toBe(false);
      if (!result.ok) expect(result.message, link).toMatch(reason);
    }
    expect(checkInviteServer('https://a.example/path?x=1')).toEqual({
      ok: true,
      origin: 'https://a.example',
    });
  });
});
