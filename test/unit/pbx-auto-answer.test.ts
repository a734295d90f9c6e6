import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_AUTO_ANSWER_DELAY_S, pbxAutoAnswerRequest } from '../../shared/pbx-auto-answer';
import { canonicalHeaderName, parseRawHeaders } from '../../shared/sip-headers';

function headers(table: Record<string, string | string[]>) {
  return {
    get: (name: string) => {
      const value = table[name];
      return value === undefined ? [] : Array.isArray(value) ? value : [value];
    },
  };
}

describe('the PBX auto-answer request (SPEC §10.4)', () => {
  it('reads Call-Info answer-after with and without a URI', () => {
    expect(pbxAutoAnswerRequest(headers({ 'Call-Info': '<sip:pbx.example.com>;answer-after=0' }))).toEqual({
      delaySeconds: 0,
      header: 'Call-Info',
    });
    expect(pbxAutoAnswerRequest(headers({ 'Call-Info': '<sip:127.0.0.1>;Answer-After=3' }))).toEqual({
      delaySeconds: 3,
      header: 'Call-Info',
    });
    expect(pbxAutoAnswerRequest(headers({ 'Call-Info': ';answer-after=0' }))?.delaySeconds).toBe(0);
    expect(pbxAutoAnswerRequest(headers({ 'Call-Info': 'answer-after=2' }))?.delaySeconds).toBe(2);
  });

  it('finds answer-after in any entry of a comma-separated Call-Info, not inside a URI', () => {
    const value = '<http://www.example.com/alice/photo.jpg>;purpose=icon, <sip:pbx>;answer-after=1';
    expect(pbxAutoAnswerRequest(headers({ 'Call-Info': value }))?.delaySeconds).toBe(1);
    expect(
      pbxAutoAnswerRequest(headers({ 'Call-Info': '<http://x.example/?answer-after=0>;purpose=info' })),
    ).toBeNull();
  });

  it('reads the Alert-Info spellings of auto-answer, with an optional delay', () => {
    for (const value of [
      '<http://www.notused.com>;info=alert-autoanswer;delay=0',
      'info=alert-autoanswer',
      '<sip:127.0.0.1>;info=alert-autoanswer',
      'Auto Answer',
      '<http://127.0.0.1>;auto-answer',
      '<sip:auto-answer@pbx.example.com>',
      'autoanswer',
    ]) {
      expect(pbxAutoAnswerRequest(headers({ 'Alert-Info': value })), value).toEqual({
        delaySeconds: 0,
        header: 'Alert-Info',
      });
    }
    expect(
      pbxAutoAnswerRequest(headers({ 'Alert-Info': '<http://x>;info=alert-autoanswer;delay=5' }))
        ?.delaySeconds,
    ).toBe(5);
  });

  it('reads RFC 5373 Answer-Mode: Auto', () => {
    expect(pbxAutoAnswerRequest(headers({ 'Answer-Mode': 'Auto' }))?.header).toBe('Answer-Mode');
    expect(pbxAutoAnswerRequest(headers({ 'Priv-Answer-Mode': 'Auto;require' }))?.delaySeconds).toBe(0);
    expect(pbxAutoAnswerRequest(headers({ 'Answer-Mode': 'Manual' }))).toBeNull();
  });

  it('is null for ordinary calls and look-alikes', () => {
    expect(pbxAutoAnswerRequest(headers({}))).toBeNull();
    for (const value of [
      '<http://127.0.0.1/Bellcore-dr4>',
      '<http://example.com/ring.wav>;info=alert-internal',
      '<http://x>;info=notautoanswering',
    ]) {
      expect(pbxAutoAnswerRequest(headers({ 'Alert-Info': value })), value).toBeNull();
    }
    expect(pbxAutoAnswerRequest(headers({ 'Call-Info': '<sip:pbx>;purpose=icon' }))).toBeNull();
  });

  it('refuses delays that are not whole seconds, and caps long ones', () => {
    for (const bad of ['-1', 'abc', '1.5', '', '0x10', '9999999']) {
      expect(pbxAutoAnswerRequest(headers({ 'Call-Info': `<sip:pbx>;answer-after=${bad}` })), bad).toBeNull();
    }
    expect(pbxAutoAnswerRequest(headers({ 'Call-Info': '<sip:pbx>;answer-after=3600' }))?.delaySeconds).toBe(
      MAX_AUTO_ANSWER_DELAY_S,
    );
  });

  it('reads a raw INVITE through the shared header table', () => {
    const raw =
      'INVITE sip:agent@127.0.0.1 SIP/2.0\r\nFrom: <sip:pbx@127.0.0.1>;tag=1\r\n' +
      'Call-Info: <sip:127.0.0.1>;answer-after=0\r\n\r\n';
    const { headers: table } = parseRawHeaders(raw);
    expect(
      pbxAutoAnswerRequest({ get: (name) => table.get(canonicalHeaderName(name)) ?? [] })?.delaySeconds,
    ).toBe(0);
  });

  it('never throws, whatever the headers hold', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('Call-Info', 'Alert-Info', 'Answer-Mode'), fc.array(fc.string())),
        (table) => {
          const result = pbxAutoAnswerRequest(headers(table));
          expect(
            result === null || (result.delaySeconds >= 0 && result.delaySeconds <= MAX_AUTO_ANSWER_DELAY_S),
          ).toBe(true);
        },
      ),
    );
    const throwing = {
      get: () => {
        throw new Error('broken');
      },
    };
    expect(pbxAutoAnswerRequest(throwing)).toBeNull();
  });
});
