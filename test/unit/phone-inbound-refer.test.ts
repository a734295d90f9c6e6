import { Grammar, type NameAddrHeader } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { referTarget } from '../../renderer/phone/inbound-refer';

function referTo(value: string): { readonly referTo: NameAddrHeader } {
  const parsed = Grammar.nameAddrHeaderParse(value);
  if (!parsed) throw new Error(`sip.js cannot parse ${value}`);
  return { referTo: parsed };
}

describe('referTarget', () => {
  it('decides on the Refer-To URI without its headers (an attended transfer carries Replaces there)', () => {
    expect(
      referTarget(referTo('<sip:+12125550100@127.0.0.1?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2>')),
    ).toBe('sip:+12125550100@127.0.0.1');
    expect(referTarget(referTo('<sip:alice@pbx.example.com;user=phone>'))).toBe(
      'sip:alice@pbx.example.com;user=phone',
    );
  });

  it('gives null when the header cannot be read, so the REFER is refused', () => {
    const broken = {
      get referTo(): NameAddrHeader {
        throw new Error('Failed to parse Refer-To header.');
      },
    };
    expect(referTarget(broken)).toBeNull();
  });
});
