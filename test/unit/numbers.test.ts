import fc from 'fast-check';
import { getCountries, getExampleNumber } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import {
  countryCallingCodeOf,
  createAsYouTypeFormatter,
  extractDialInput,
  formatForDisplay,
  isE164,
  nationalPrefixOf,
  normalizeNumber,
  normalizeNumberOrPrefix,
  toAsciiDigits,
} from '../../shared/numbers';
import type { CountryCode, NormalizeFailure } from '../../shared/numbers';

describe('normalizeNumber: accepted forms (SPEC §1.1)', () => {
  const accepted: [input: string, country: CountryCode, e164: string][] = [
    ['+1 (212) 555-1234', 'US', '+12125551234'],
    ['(212) 555-1234', 'US', '+12125551234'],
    ['212.555.1234', 'US', '+12125551234'],
    ['1-212-555-1234', 'US', '+12125551234'],
    ['2125551234', 'US', '+12125551234'],
    ['+12125551234', 'US', '+12125551234'],
    ['+12125551234', 'GB', '+12125551234'],
    ['tel:+12125551234', 'US', '+12125551234'],
    ['TEL:+1-212-555-1234', 'US', '+12125551234'],
    ['tel:555-1234;phone-context=+1-212', 'US', '+12125551234'],
    ['tel:2125551234;phone-context=+1', 'GB', '+12125551234'],
    ['tel:2125551234;phone-context=example.com', 'US', '+12125551234'],
    ['sip:+12125551234@pbx.example.com;user=phone', 'US', '+12125551234'],
    ['sips:+1-212-555-1234@pbx.example.com:5061;user=phone', 'US', '+12125551234'],
    ['sip:+1.212.555.1234@pbx.example.com;user=phone?subject=x', 'US', '+12125551234'],
    ['sip:2125551234:secret@pbx.example.com', 'US', '+12125551234'],
    ['sip:%2B12125551234@pbx.example.com', 'US', '+12125551234'],
    ['sip:5551234;phone-context=+1212@pbx.example.com;user=phone', 'US', '+12125551234'],
    ['"Front desk" <sip:+12125551234@pbx.example.com>;tag=abc', 'US', '+12125551234'],
    ['callto:+12125551234', 'US', '+12125551234'],
    ['callto://+12125551234', 'US', '+12125551234'],
    ['011 44 20 7946 0958', 'US', '+442079460958'],
    ['0044 20 7946 0958', 'GB', '+442079460958'],
    ['0011 44 20 7946 0958', 'AU', '+442079460958'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['+44 (0)20 7946 0958', 'US', '+442079460958'],
    ['\u00a0212\u00a0555\u00a01234\u00a0', 'US', '+12125551234'],
    ['212–555–1234', 'US', '+12125551234'],
    ['＋１ （２１２） ５５５－１２３４', 'US', '+12125551234'],
    ['٢١٢٥٥٥١٢٣٤', 'US', '+12125551234'],
    ['१२१२५५५१२३४', 'US', '+12125551234'],
    ['+𝟏𝟐𝟏𝟐𝟓𝟓𝟓𝟏𝟐𝟑𝟒', 'US', '+12125551234'],
  ];
  it.each(accepted)('%j from %s → %s', (input, country, e164) => {
    expect(normalizeNumber(input, country)).toEqual({ ok: true, e164 });
  });

  it('returns exactly { ok, e164 } (the CLI prints it as JSON)', () => {
    expect(JSON.stringify(normalizeNumber('212.555.1234', 'US'))).toBe('{"ok":true,"e164":"+12125551234"}');
  });
});

describe('normalizeNumber: refusals (SPEC §1.2)', () => {
  const refused: [input: string, country: CountryCode, reason: NormalizeFailure][] = [
    ['', 'US', 'empty'],
    ['   ', 'US', 'empty'],
    ['abc', 'US', 'not_a_number'],
    ['call me maybe', 'US', 'not_a_number'],
    ['+', 'US', 'not_a_number'],
    ['1-800-FLOWERS', 'US', 'not_a_number'],
    ['sip:alice@pbx.example.com', 'US', 'not_a_number'],
    ['sip:@pbx.example.com', 'US', 'empty'],
    ['123', 'US', 'too_short'],
    ['+1 212 555 123', 'US', 'too_short'],
    ['+1', 'US', 'too_short'],
    ['+1 212 555 12345', 'US', 'too_long'],
    ['2125551234567890', 'US', 'too_long'],
    ['1'.repeat(300), 'US', 'too_long'],
    ['+999 1234567', 'US', 'invalid_country_code'],
    ['011 999 1234567', 'US', 'invalid_country_code'],
    ['+1 200 555 1234', 'US', 'invalid_for_country'],
    ['+1 212 123 4567', 'US', 'invalid_for_country'],
  ];
  it.each(refused)('%j from %s → %s', (input, country, reason) => {
    const result = normalizeNumber(input, country);
    expect(result).toMatchObject({ ok: false, reason });
    if (result.ok) return;
    expect(Object.keys(result).sort()).toEqual(['message', 'ok', 'reason']);
    if (input.trim() !== '' && input.length < 60)
      expect(result.message).toContain(JSON.stringify(input.trim()));
  });

  it('says what is wrong in plain English', () => {
    const messageOf = (input: string) => {
      const result = normalizeNumber(input, 'US');
      return result.ok ? '' : result.message;
    };
    expect(messageOf('123')).toMatch(/too short/);
    expect(messageOf('+1 212 555 12345')).toMatch(/too long/);
    expect(messageOf('+999 1234567')).toMatch(/country calling code/);
    expect(messageOf('abc')).toMatch(/not a phone number/);
    expect(messageOf('')).toMatch(/empty/);
  });

  it('accepts an unassigned number of possible length only when asked (call path)', () => {
    expect(normalizeNumber('+1 200 555 1234', 'US', { acceptUnassigned: true })).toEqual({
      ok: true,
      e164: '+12005551234',
    });
    expect(normalizeNumber('+12005551234', 'US', { acceptUnassigned: true })).toEqual({
      ok: true,
      e164: '+12005551234',
    });
    expect(normalizeNumber('+12005551234', 'US')).toMatchObject({ ok: false, reason: 'invalid_for_country' });
    expect(normalizeNumber('123', 'US', { acceptUnassigned: true })).toMatchObject({
      ok: false,
      reason: 'too_short',
    });
  });
});

describe('E.164 fast path', () => {
  it('gives the same answers from the cache as the first time', () => {
    for (let round = 0; round < 3; round += 1) {
      expect(normalizeNumber('+442079460958', 'US')).toEqual({ ok: true, e164: '+442079460958' });
      expect(normalizeNumber('+12005551234', 'US')).toMatchObject({
        ok: false,
        reason: 'invalid_for_country',
      });
      expect(normalizeNumber('+99912345678', 'US')).toMatchObject({
        ok: false,
        reason: 'invalid_country_code',
      });
    }
  });

  it('canonicalizes an E.164-shaped input that carries a national prefix', () => {
    expect(normalizeNumber('+4402079460958', 'US')).toEqual({ ok: true, e164: '+442079460958' });
  });

  it('stays correct when more numbers pass than the cache holds', () => {
    const numbers = Array.from({ length: 6000 }, (_, i) => `+1212555${String(i % 10000).padStart(4, '0')}`);
    for (const number of numbers) expect(normalizeNumber(number, 'US')).toEqual({ ok: true, e164: number });
    expect(normalizeNumber(numbers[0] ?? '', 'US')).toEqual({ ok: true, e164: numbers[0] });
  });

  it('is cheap for repeated E.164 and SIP URI input', () => {
    const uri = 'sip:+12125551234@pbx.example.com;user=phone';
    normalizeNumber(uri, 'US');
    const runs = 5000;
    const started = performance.now();
    for (let i = 0; i < runs; i += 1) normalizeNumber(uri, 'US');
    const microsPerCall = ((performance.now() - started) * 1000) / runs;
    // Measured ≈ 1.5 µs; a generous bound so a loaded CI machine does not flake.
    expect(microsPerCall).toBeLessThan(50);
  });
});

describe('isE164 and countryCallingCodeOf', () => {
  it.each([
    ['+12125551234', true],
    ['+442079460958', true],
    ['12125551234', false],
    ['+0123456789', false],
    ['+1 2125551234', false],
    ['+12345', false],
    ['+1234567890123456', false],
  ])('isE164(%j) is %s', (value, expected) => {
    expect(isE164(value)).toBe(expected);
  });

  it('knows calling codes and trunk prefixes', () => {
    expect(countryCallingCodeOf('US')).toBe('1');
    expect(countryCallingCodeOf('GB')).toBe('44');
    expect(countryCallingCodeOf('NG')).toBe('234');
    expect(nationalPrefixOf('GB')).toBe('0');
    expect(nationalPrefixOf('US')).toBe('1');
    expect(nationalPrefixOf('ES')).toBeNull();
    expect(nationalPrefixOf('RU')).toBe('8');
  });
});

describe('normalizeNumberOrPrefix (SPEC §2.1a)', () => {
  it.each([
    ['+1900*', 'US', '+1900*'],
    ['+234*', 'US', '+234*'],
    ['+1 900 *', 'US', '+1900*'],
    ['900*', 'US', '+1900*'],
    ['1900*', 'US', '+1900*'],
    ['1-900-*', 'US', '+1900*'],
    ['020*', 'GB', '+4420*'],
    ['011 234*', 'US', '+234*'],
    ['00 234 80*', 'GB', '+23480*'],
    ['＋２３４＊', 'US', '+234*'],
  ] as [string, CountryCode, string][])('%j from %s → prefix %s', (input, country, prefix) => {
    expect(normalizeNumberOrPrefix(input, country)).toEqual({ ok: true, kind: 'prefix', prefix });
  });

  it.each([
    ['+1*', 'US', 'prefix_too_short'],
    ['+44*', 'US', 'prefix_too_short'],
    ['*', 'US', 'prefix_too_short'],
    ['0*', 'GB', 'prefix_too_short'],
    ['1*', 'US', 'prefix_too_short'],
    ['+999*', 'US', 'invalid_country_code'],
    ['+0123*', 'US', 'invalid_country_code'],
    ['abc*', 'US', 'not_a_number'],
    ['+1 900 555 1234 5678*', 'US', 'too_long'],
  ] as [string, CountryCode, string][])('%j from %s → %s', (input, country, reason) => {
    const result = normalizeNumberOrPrefix(input, country);
    expect(result).toMatchObject({ ok: false, reason });
    if (!result.ok) expect(result.message).toContain(JSON.stringify(input));
  });

  it('passes whole numbers through as numbers, with their refusals', () => {
    expect(normalizeNumberOrPrefix('(212) 555-1234', 'US')).toEqual({
      ok: true,
      kind: 'number',
      e164: '+12125551234',
    });
    expect(normalizeNumberOrPrefix('123', 'US')).toMatchObject({ ok: false, reason: 'too_short' });
  });
});

describe('formatForDisplay', () => {
  it('uses national format for the org country and international otherwise', () => {
    expect(formatForDisplay('+12125551234', 'US')).toBe('(212) 555-1234');
    expect(formatForDisplay('+12125551234', 'GB')).toBe('+1 212 555 1234');
    expect(formatForDisplay('+442079460958', 'GB')).toBe('020 7946 0958');
    expect(formatForDisplay('+442079460958', 'US')).toBe('+44 20 7946 0958');
  });

  it('shows prefixes and unreadable values as given', () => {
    expect(formatForDisplay('+1900*', 'US')).toBe('+1900*');
    expect(formatForDisplay('not a number', 'US')).toBe('not a number');
  });
});

describe('createAsYouTypeFormatter', () => {
  it('formats as characters arrive and starts over on reset', () => {
    const formatter = createAsYouTypeFormatter('US');
    expect(formatter.input('212')).toBe('(212)');
    expect(formatter.input('5551234')).toBe('(212) 555-1234');
    formatter.reset();
    expect(formatter.input('+44207946')).toBe('+44 20 7946');
  });

  it('formats a whole field value, also with Unicode digits', () => {
    const formatter = createAsYouTypeFormatter('GB');
    expect(formatter.format('02079460958')).toBe('020 7946 0958');
    expect(formatter.format('٠٢٠٧٩٤٦٠٩٥٨')).toBe('020 7946 0958');
  });
});

describe('input cleaning helpers', () => {
  it('maps every Unicode decimal digit to ASCII', () => {
    expect(toAsciiDigits('٠١٢٣٤٥٦٧٨٩')).toBe('0123456789');
    expect(toAsciiDigits('۰۱۲۳۴۵۶۷۸۹')).toBe('0123456789');
    expect(toAsciiDigits('๐๑๒๓๔๕๖๗๘๙')).toBe('0123456789');
    expect(toAsciiDigits('𝟎𝟗𝟘𝟡𝟢𝟫𝟬𝟵𝟶𝟿')).toBe('0909090909');
    expect(toAsciiDigits('abc 12')).toBe('abc 12');
  });

  it('extracts the user part and phone-context of URIs', () => {
    expect(extractDialInput('sip:555-1234;phone-context=+1-212@host;user=phone')).toEqual({
      local: '555-1234',
      phoneContext: '+1-212',
    });
    expect(extractDialInput('  212 555 1234 ')).toEqual({ local: '212 555 1234', phoneContext: null });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Properties.

/** A valid mobile number of every country libphonenumber has an example for. */
const exampleNumbers = getCountries().flatMap((country) => {
  const example = getExampleNumber(country, examples);
  return example === undefined ? [] : [{ country, number: example }];
});

const DIALLING_FROM: { country: CountryCode; idd: string }[] = [
  { country: 'US', idd: '011' },
  { country: 'GB', idd: '00' },
  { country: 'DE', idd: '00' },
  { country: 'AU', idd: '0011' },
  { country: 'JP', idd: '010' },
];

const FULL_WIDTH_OFFSET = 0xff10 - 0x30;
const toFullWidth = (text: string) =>
  text.replace(/[0-9+]/g, (char) =>
    char === '+' ? '＋' : String.fromCharCode(char.charCodeAt(0) + FULL_WIDTH_OFFSET),
  );
const toArabicIndic = (text: string) =>
  text.replace(/[0-9]/g, (digit) => String.fromCharCode(0x0660 + Number(digit)));

/** Inserts a separator (from `separators`, chosen by `picks`) after some digits. */
function sprinkle(digits: string, picks: number[], separators: string[]): string {
  let out = '';
  [...digits].forEach((digit, index) => {
    out += digit;
    const pick = picks[index % picks.length] ?? 0;
    if (pick < separators.length && index < digits.length - 1) out += separators[pick];
  });
  return out;
}

describe('properties', () => {
  it('has example numbers for most countries to draw from', () => {
    expect(exampleNumbers.length).toBeGreaterThan(200);
  });

  it('every formatting of a valid number yields the same E.164', () => {
    const separators = [' ', '-', '.', '(', ')', '/', '\u00a0'];
    fc.assert(
      fc.property(
        fc.constantFrom(...exampleNumbers),
        fc.constantFrom(...DIALLING_FROM),
        fc.array(fc.nat({ max: separators.length * 2 }), { minLength: 1, maxLength: 20 }),
        ({ country, number }, from, picks) => {
          const e164 = number.number;
          const digits = e164.slice(1);
          const forms: [string, CountryCode][] = [
            [e164, from.country],
            [`+${sprinkle(digits, picks, separators)}`, from.country],
            [number.formatInternational(), from.country],
            [number.formatNational(), country],
            [sprinkle(number.formatNational().replace(/\D/g, ''), picks, separators), country],
            [`tel:${e164}`, from.country],
            [`tel:+${sprinkle(digits, picks, ['-', '.', '(', ')'])}`, from.country],
            [`sip:${e164}@pbx.example.com;user=phone`, from.country],
            [`sips:+${sprinkle(digits, picks, ['-', '.'])}@pbx.example.com:5061;user=phone`, from.country],
            [`${from.idd} ${sprinkle(digits, picks, separators)}`, from.country],
            [toFullWidth(number.formatInternational()), from.country],
            [toArabicIndic(e164), from.country],
          ];
          for (const [form, defaultCountry] of forms) {
            expect(normalizeNumber(form, defaultCountry), `${form} from ${defaultCountry}`).toEqual({
              ok: true,
              e164,
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('normalization is idempotent', () => {
    const candidate = fc.oneof(
      fc.constantFrom(...exampleNumbers).map(({ number }) => number.formatNational()),
      fc.stringMatching(/^\+?[0-9 ().-]{0,18}$/),
      fc.string(),
    );
    fc.assert(
      fc.property(
        candidate,
        fc.constantFrom<CountryCode>('US', 'GB', 'DE', 'AU', 'IN', 'BR'),
        (input, country) => {
          const once = normalizeNumber(input, country);
          if (!once.ok) return;
          expect(normalizeNumber(once.e164, country)).toEqual(once);
          expect(normalizeNumber(once.e164, 'JP')).toEqual(once);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('prefix normalization is idempotent and independent of the default country once in E.164', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^(\+|00|011)?[0-9 -]{1,12}\*$/),
        fc.constantFrom<CountryCode>('US', 'GB', 'DE', 'AU'),
        (input, country) => {
          const once = normalizeNumberOrPrefix(input, country);
          if (!once.ok || once.kind !== 'prefix') return;
          expect(once.prefix).toMatch(/^\+[1-9]\d{2,13}\*$/);
          expect(normalizeNumberOrPrefix(once.prefix, country)).toEqual(once);
          expect(normalizeNumberOrPrefix(once.prefix, 'JP')).toEqual(once);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('random input never throws and always gives a well-formed answer', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 80 }),
        fc.constantFrom<CountryCode>('US', 'GB', 'FR'),
        (input, country) => {
          const result = normalizeNumber(input, country);
          if (result.ok) expect(isE164(result.e164)).toBe(true);
          else expect(result.message.length).toBeGreaterThan(0);
          const either = normalizeNumberOrPrefix(input, country);
          if (either.ok && either.kind === 'prefix') expect(either.prefix).toMatch(/^\+[1-9]\d{2,13}\*$/);
          expect(typeof formatForDisplay(input, country)).toBe('string');
          createAsYouTypeFormatter(country).format(input);
        },
      ),
      { numRuns: 1000 },
    );
    // 4,000 parses and formattings: seconds on a machine shared with other builds.
  }, 60_000);
});
