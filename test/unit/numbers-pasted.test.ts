import fc from 'fast-check';
import { getCountries, getExampleNumber } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import { parsePastedNumbers } from '../../shared/bulk';
import { extensionNote, normalizeNumber, normalizeNumberOrPrefix } from '../../shared/numbers';
import type { CountryCode } from '../../shared/numbers';

describe('normalizeNumber: extensions in every common notation (SPEC §1.1a)', () => {
  const withExtension: [input: string, country: CountryCode, e164: string, extension: string][] = [
    ['(303) 555-0147 x 2041', 'US', '+13035550147', '2041'],
    ['(303) 555-0147 x2041', 'US', '+13035550147', '2041'],
    ['303-555-0147 X. 2041', 'US', '+13035550147', '2041'],
    ['+44 20 7946 0321 ext. 12', 'US', '+442079460321', '12'],
    ['+44 20 7946 0321 Ext: 12', 'US', '+442079460321', '12'],
    ['+44 20 7946 0321 extn 12', 'US', '+442079460321', '12'],
    ['2125551234 ext 12', 'US', '+12125551234', '12'],
    ['+1 303 555 0147 extension 2041', 'US', '+13035550147', '2041'],
    ['+34 912 34 56 78 extensión 55', 'ES', '+34912345678', '55'],
    ['+1 303 555 0147 ＥＸＴ． ２０４１', 'US', '+13035550147', '2041'],
    ['+1 303 555 0147 ｘ２０４１', 'US', '+13035550147', '2041'],
    ['+13035550147;ext=2041', 'US', '+13035550147', '2041'],
    ['tel:+12125551234;ext=55', 'US', '+12125551234', '55'],
    ['+13035550147#2041', 'US', '+13035550147', '2041'],
    ['303 555 0147 #2041', 'US', '+13035550147', '2041'],
    ['+1 303 555 0147,,2041#', 'US', '+13035550147', '2041'],
    ['+1 303 555 0147,,,2041', 'US', '+13035550147', '2041'],
    ['Tel.: +1 303 555 0147 ext. 12.', 'US', '+13035550147', '12'],
  ];
  it.each(withExtension)('%j from %s → %s extension %s', (input, country, e164, extension) => {
    expect(normalizeNumber(input, country)).toEqual({ ok: true, e164, extension });
    expect(normalizeNumberOrPrefix(input, country)).toEqual({ ok: true, kind: 'number', e164, extension });
  });

  it('says what was ignored in words a person reads', () => {
    expect(extensionNote('2041')).toBe('extension 2041 ignored');
  });

  it('has no extension field when there was none (the CLI prints the object as is)', () => {
    expect(JSON.stringify(normalizeNumber('Tel.: +1 303 555 0147.', 'US'))).toBe(
      '{"ok":true,"e164":"+13035550147"}',
    );
  });
});

describe('normalizeNumber: invisible characters and labels (SPEC §1.1a)', () => {
  const found: [input: string, country: CountryCode, e164: string][] = [
    ['\u200e+1 303 555 0147', 'US', '+13035550147'],
    ['\u202a+1 303 555 0147\u202c', 'US', '+13035550147'],
    ['+1\u200b303\u200b555\u200b0147', 'US', '+13035550147'],
    ['+1 303\u00ad555\u00ad0147', 'US', '+13035550147'],
    ['\ufeff+1 303 555 0147', 'US', '+13035550147'],
    ['+1\u00a0303\u2009555\u202f0147', 'US', '+13035550147'],
    ['+1 303 555 0147\u0000', 'US', '+13035550147'],
    ['+1\u200d303\u200c555\u20600147', 'US', '+13035550147'],
    ['Tel.: +1 303 555 0147.', 'US', '+13035550147'],
    ['+1 (415) 555-0132 (office)', 'US', '+14155550132'],
    ['Mobile: 07400 123456', 'GB', '+447400123456'],
    ['Phone: (303) 555-0147', 'US', '+13035550147'],
    ['++12125551234', 'US', '+12125551234'],
    ['<b>Tel</b> +1 303 555 0147', 'US', '+13035550147'],
    ['+1 303 555 0147 (24/7)', 'US', '+13035550147'],
    ['Call us at +49 30 901820 today!', 'US', '+4930901820'],
  ];
  it.each(found)('%j from %s → %s', (input, country, e164) => {
    expect(normalizeNumber(input, country)).toEqual({ ok: true, e164 });
  });

  it('finds the number in a label even when its digits are not assigned, and says so', () => {
    // Ofcom's drama range: a number is found, and refused because no line has it (not "not a number").
    expect(normalizeNumber('Mobile: 07700 900123', 'GB')).toMatchObject({
      ok: false,
      reason: 'invalid_for_country',
    });
  });

  it('refuses two numbers in one field, naming both', () => {
    for (const input of [
      '+1 303 555 0147 / +1 415 555 0132',
      'Tel +1 303 555 0147, Fax +1 415 555 0132',
      '303 555 0147 415 555 0132',
    ]) {
      const result = normalizeNumber(input, 'US');
      expect(result, input).toMatchObject({ ok: false, reason: 'two_numbers' });
      if (result.ok) continue;
      expect(result.message).toContain('+13035550147');
      expect(result.message).toContain('+14155550132');
    }
  });

  it('still refuses what is not one number', () => {
    expect(normalizeNumber('1-800-FLOWERS', 'US')).toMatchObject({ ok: false, reason: 'not_a_number' });
    expect(normalizeNumber('\u200b\u200e', 'US')).toMatchObject({ ok: false, reason: 'empty' });
    expect(normalizeNumber('Tel: 123', 'US')).toMatchObject({ ok: false, reason: 'too_short' });
    // A trailing digit is a typo, not a note: it is not silently dropped.
    expect(normalizeNumber('+44 20 7946 0958 1', 'US')).toMatchObject({ ok: false, reason: 'too_long' });
  });
});

describe('bulk paste keeps extensions with their number (SPEC §1.1a, §2.4)', () => {
  it('splits on newlines, commas and semicolons, but not on ;ext= or a pause-dial comma run', () => {
    const text = '+1 303 555 0147;ext=2041; +1 415 555 0132,,12#, +1 212 555 1234\n+44 20 7946 0958;x';
    expect(parsePastedNumbers(text).map((entry) => [entry.line, entry.raw])).toEqual([
      [1, '+1 303 555 0147;ext=2041'],
      [1, '+1 415 555 0132,,12#'],
      [1, '+1 212 555 1234'],
      [2, '+44 20 7946 0958'],
      [2, 'x'],
    ]);
  });

  it('a pasted entry with an extension normalizes to the main number', () => {
    const [first, second] = parsePastedNumbers('+1 303 555 0147 ; EXT = 2041 , 415-555-0132,,,7');
    expect(normalizeNumber(first?.raw ?? '', 'US')).toEqual({
      ok: true,
      e164: '+13035550147',
      extension: '2041',
    });
    expect(normalizeNumber(second?.raw ?? '', 'US')).toEqual({
      ok: true,
      e164: '+14155550132',
      extension: '7',
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Properties.

/** A valid mobile number of every country libphonenumber has an example for, in international form. */
const internationalForms = getCountries().flatMap((country) => {
  const example = getExampleNumber(country, examples);
  return example === undefined
    ? []
    : [{ e164: example.number, forms: [example.number, example.formatInternational()] }];
});

/** Characters a copy-paste carries that nobody sees (§1.1a). */
const INVISIBLES = [
  '\u00ad', // soft hyphen
  '\u200b', // zero-width space
  '\u200c', // zero-width non-joiner
  '\u200d', // zero-width joiner
  '\u200e', // left-to-right mark
  '\u200f', // right-to-left mark
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e', // bidi embeddings and overrides
  '\u2060', // word joiner
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069', // bidi isolates
  '\u061c', // Arabic letter mark
  '\ufeff', // BOM / zero-width no-break space
  '\u0000',
];

/** Splices `insert` into `text` at `at` (mod length + 1). */
function spliceAt(text: string, at: number, insert: string): string {
  const index = at % (text.length + 1);
  return text.slice(0, index) + insert + text.slice(index);
}

const LABEL_CHARS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,:;!?()[]-_/\'"&*éüñ'];
const label = fc.array(fc.constantFrom(...LABEL_CHARS), { maxLength: 20 }).map((chars) => chars.join(''));

describe('properties of pasted input (SPEC §1.1a)', () => {
  it('inserting any invisible character anywhere never changes the E.164', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...internationalForms),
        fc.nat({ max: 1 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...INVISIBLES)), { minLength: 1, maxLength: 6 }),
        fc.constantFrom<CountryCode>('US', 'GB', 'DE', 'JP'),
        ({ e164, forms }, formIndex, inserts, country) => {
          let text = forms[formIndex] ?? e164;
          for (const [at, char] of inserts) text = spliceAt(text, at, char);
          expect(normalizeNumber(text, country), JSON.stringify(text)).toEqual({ ok: true, e164 });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('any label without digits around a valid number never changes the E.164', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...internationalForms),
        fc.nat({ max: 1 }),
        label,
        label,
        fc.constantFrom('', ' '),
        fc.constantFrom('', ' '),
        fc.constantFrom<CountryCode>('US', 'GB', 'DE', 'JP'),
        ({ e164, forms }, formIndex, before, after, gapBefore, gapAfter, country) => {
          const text = `${before}${gapBefore}${forms[formIndex] ?? e164}${gapAfter}${after}`;
          const result = normalizeNumber(text, country);
          expect(result.ok && result.e164, JSON.stringify(text)).toBe(e164);
        },
      ),
      { numRuns: 500 },
    );
  });
});
