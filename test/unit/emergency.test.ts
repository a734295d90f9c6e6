import fc from 'fast-check';
import { getCountries, getCountryCallingCode, getExampleNumber } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import { ALWAYS_EMERGENCY_CODES, emergencyCodesFor, isEmergencyNumber } from '../../shared/emergency';
import type { CountryCode } from '../../shared/numbers';

describe('ALWAYS_EMERGENCY_CODES', () => {
  it('holds the codes SPEC §1.3 names: 112 and 911, which mobile networks route everywhere', () => {
    expect([...ALWAYS_EMERGENCY_CODES].sort()).toEqual(['112', '911']);
  });

  it('is part of every country’s codes', () => {
    for (const country of ['US', 'GB', 'FR', 'ZZ'] as CountryCode[]) {
      for (const code of ALWAYS_EMERGENCY_CODES) expect(emergencyCodesFor(country)).toContain(code);
    }
  });
});

describe('isEmergencyNumber', () => {
  it.each([
    ['911', 'US'],
    ['9-1-1', 'US'],
    ['9 1 1', 'US'],
    ['(911)', 'US'],
    ['911#', 'US'],
    [' 911 ', 'US'],
    ['tel:911', 'US'],
    ['tel:911;phone-context=+1', 'US'],
    ['sip:911@pbx.example.com', 'US'],
    ['sip:911@pbx.example.com;user=phone', 'US'],
    ['sips:9-1-1@10.0.0.1:5061', 'US'],
    ['<sip:911@pbx.example.com>', 'US'],
    ['９１１', 'US'],
    ['٩١١', 'US'],
    ['+1 911', 'US'],
    ['+1911', 'GB'],
    ['sip:+1911@pbx.example.com;user=phone', 'US'],
    ['+911', 'US'],
    ['1-911', 'US'],
    ['9-911', 'US'],
    ['9112', 'US'],
    ['112', 'US'],
    ['999', 'GB'],
    ['+44 999', 'US'],
    ['0 999', 'GB'],
    ['112', 'DE'],
    ['0112', 'DE'],
    ['15', 'FR'],
    ['17', 'FR'],
    ['18', 'FR'],
    ['+33 15', 'US'],
    ['113', 'IT'],
    ['000', 'AU'],
    ['106', 'AU'],
    ['111', 'NZ'],
    ['100', 'IN'],
    ['108', 'IN'],
    ['190', 'BR'],
    ['10111', 'ZA'],
    ['90000', 'SE'],
    ['112', 'ZZ' as CountryCode],
    ['911', 'ZZ' as CountryCode],
  ] as [string, CountryCode][])('%j from %s is emergency', (input, country) => {
    expect(isEmergencyNumber(input, country)).toBe(true);
  });

  it.each([
    ['9110', 'US'],
    ['+12125550911', 'US'],
    ['212-555-0911', 'US'],
    ['(911) 555-1234', 'US'],
    ['911 555 1234', 'US'],
    ['+19115551234', 'US'],
    ['9111', 'US'],
    ['91', 'US'],
    ['15', 'US'],
    ['17', 'GB'],
    ['100', 'US'],
    // Emergency codes of other countries only (SPEC §1.3): in a US office these are extensions.
    ['999', 'US'],
    ['000', 'US'],
    ['110', 'US'],
    ['119', 'US'],
    ['118', 'US'],
    ['9110', 'US'],
    ['+12125551234', 'US'],
    ['sip:alice@pbx.example.com', 'US'],
    ['sip:bob@10.0.0.112', 'US'],
    ['', 'US'],
    ['anonymous', 'US'],
  ] as [string, CountryCode][])('%j from %s is not emergency', (input, country) => {
    expect(isEmergencyNumber(input, country)).toBe(false);
  });
});

/** Countries whose emergency codes the properties below exercise, plus one not in the table. */
const COUNTRIES: CountryCode[] = [
  'US',
  'CA',
  'GB',
  'IE',
  'FR',
  'DE',
  'IT',
  'ES',
  'AU',
  'NZ',
  'IN',
  'JP',
  'BR',
  'MX',
  'ZA',
  'RU',
  'CH',
  'FJ',
];

const separatorSets = [' ', '-', '.', '(', ')', '\u00a0', '/'];

function formattings(code: string, country: CountryCode, picks: number[]): string[] {
  let spaced = '';
  [...code].forEach((digit, index) => {
    spaced += digit;
    const pick = picks[index % picks.length] ?? 0;
    if (index < code.length - 1 && pick < separatorSets.length) spaced += separatorSets[pick];
  });
  const fullWidth = code.replace(/\d/g, (digit) => String.fromCharCode(0xff10 + Number(digit)));
  const devanagari = code.replace(/\d/g, (digit) => String.fromCharCode(0x0966 + Number(digit)));
  const callingCode = getCountryCallingCode(country);
  return [
    code,
    spaced,
    `tel:${code}`,
    `tel:${spaced.replace(/[ \u00a0/]/g, '-')}`,
    `sip:${code}@pbx.example.com`,
    `sips:${code}@pbx.example.com:5061;user=phone`,
    `"Emergency" <sip:${code}@pbx.example.com>`,
    fullWidth,
    devanagari,
    `+${callingCode} ${spaced}`,
    `sip:+${callingCode}${code}@pbx.example.com;user=phone`,
  ];
}

describe('emergency properties', () => {
  it('no formatting of an emergency code is missed', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(...COUNTRIES)
          .chain((country) =>
            fc.tuple(
              fc.constant(country),
              fc.constantFrom(...emergencyCodesFor(country)),
              fc.array(fc.nat({ max: separatorSets.length * 2 }), { minLength: 1, maxLength: 6 }),
            ),
          ),
        ([country, code, picks]) => {
          for (const form of formattings(code, country, picks)) {
            expect(isEmergencyNumber(form, country), `${form} from ${country}`).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('no full valid number is taken for an emergency code', () => {
    const validNumbers = getCountries().flatMap((country) => {
      const example = getExampleNumber(country, examples);
      return example === undefined ? [] : [example];
    });
    fc.assert(
      fc.property(fc.constantFrom(...validNumbers), fc.constantFrom(...COUNTRIES), (number, country) => {
        expect(isEmergencyNumber(number.number, country)).toBe(false);
        expect(isEmergencyNumber(number.formatInternational(), country)).toBe(false);
        if (number.country !== undefined)
          expect(isEmergencyNumber(number.formatNational(), number.country)).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('random input never throws', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.constantFrom(...COUNTRIES),
        (input, country) => {
          expect(typeof isEmergencyNumber(input, country)).toBe('boolean');
        },
      ),
      { numRuns: 1000 },
    );
  });
});
