import { describe, expect, it } from 'vitest';
import { screenPopTemplateProblem, screenPopUrl } from '../../shared/screen-pop';

const call = {
  e164: '+12125551234',
  national: '(212) 555-1234',
  line: '+12125550100',
  direction: 'inbound' as const,
};

describe('screen-pop URL (SPEC §10.11)', () => {
  it('fills every placeholder, URL-encoded', () => {
    expect(
      screenPopUrl(
        'https://crm.example.com/search?phone={e164}&n={national}&line={line}&dir={direction}',
        call,
      ),
    ).toBe(
      'https://crm.example.com/search?phone=%2B12125551234&n=(212)%20555-1234&line=%2B12125550100&dir=inbound',
    );
    expect(screenPopUrl('https://crm.example.com/c/{e164}', call)).toBe(
      'https://crm.example.com/c/%2B12125551234',
    );
  });

  it('opens only https:, or http: on loopback', () => {
    expect(screenPopTemplateProblem('https://crm.example.com/?p={e164}')).toBeNull();
    expect(screenPopTemplateProblem('http://127.0.0.1:8080/visit?p={e164}')).toBeNull();
    expect(screenPopTemplateProblem('http://crm.example.com/?p={e164}')).toMatch(/Only https/);
    expect(screenPopTemplateProblem('javascript:alert({e164})')).toMatch(/Only https/);
    expect(screenPopTemplateProblem('file:///etc/passwd')).toMatch(/Only https/);
    expect(screenPopTemplateProblem('crm.example.com/{e164}')).toMatch(/whole URL/);
    expect(screenPopTemplateProblem('https://crm.example.com/?p={phone}')).toMatch(
      /Unknown placeholder \{phone\}/,
    );
  });

  it('a value cannot change the host or scheme, and no number means no pop', () => {
    const sneaky = screenPopUrl('https://crm.example.com/{national}', {
      ...call,
      national: '@evil.example/x?',
    });
    expect(sneaky).toBe('https://crm.example.com/%40evil.example%2Fx%3F');
    expect(new URL(sneaky ?? '').host).toBe('crm.example.com');
    // A placeholder where the host goes never yields an address to open.
    expect(screenPopUrl('https://{national}/x', { ...call, national: 'evil.example@x' })).toBeNull();
    expect(screenPopUrl('https://crm.example.com/?p={e164}', { ...call, e164: null })).toBeNull();
    expect(screenPopUrl('http://crm.example.com/?p={e164}', call)).toBeNull();
  });
});
