import { ShortNumberInfo, type RegionCode } from 'google-libphonenumber';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { ALWAYS_EMERGENCY_CODES, emergencyCodesFor, isEmergencyNumber } from '../../shared/emergency';
import { EMERGENCY_CODES_BY_REGION } from '../../shared/emergency-codes';

/**
 * Google's short-number metadata itself (the devDependency the table is generated from). The library has
 * `getSupportedRegions`; its type declarations miss it.
 */
const shortInfo = ShortNumberInfo.getInstance() as ShortNumberInfo & {
  getSupportedRegions(): RegionCode[];
};
const regions = shortInfo.getSupportedRegions();

/** Every digit string of one to four digits, leading zeros included (`0`, `00`, …, `9999`). */
const CODES_UP_TO_FOUR_DIGITS = [1, 2, 3, 4].flatMap((length) =>
  Array.from({ length: 10 ** length }, (_, value) => String(value).padStart(length, '0')),
);

describe('the generated emergency table (SPEC §1.3)', () => {
  it('covers every region of Google’s short-number metadata', () => {
    expect(regions.length).toBeGreaterThan(235);
    const missing = regions.filter(
      (region) =>
        CODES_UP_TO_FOUR_DIGITS.some((code) => shortInfo.isEmergencyNumber(code, region)) &&
        EMERGENCY_CODES_BY_REGION[region] === undefined,
    );
    expect(missing).toEqual([]);
  });

  it('agrees with ShortNumberInfo.isEmergencyNumber for every region and every code up to four digits', () => {
    const disagreements: string[] = [];
    for (const region of regions) {
      const table = new Set(EMERGENCY_CODES_BY_REGION[region]?.split(' ') ?? []);
      for (const code of CODES_UP_TO_FOUR_DIGITS) {
        if (shortInfo.isEmergencyNumber(code, region) !== table.has(code))
          disagreements.push(`${region} ${code}`);
      }
    }
    expect(disagreements).toEqual([]);
  }, 180_000);

  it('is what isEmergencyNumber answers: every listed code of the country, plus 112 and 911', () => {
    const missed: string[] = [];
    for (const region of regions) {
      if (!isSupportedCountry(region)) continue;
      for (const code of [
        ...(EMERGENCY_CODES_BY_REGION[region]?.split(' ') ?? []),
        ...ALWAYS_EMERGENCY_CODES,
      ])
        if (!isEmergencyNumber(code, region)) missed.push(`${region} ${code}`);
    }
    expect(missed).toEqual([]);
  });

  it('knows the codes the hand-kept table missed', () => {
    expect(isEmergencyNumber('100', 'AF')).toBe(true);
    expect(isEmergencyNumber('102', 'AF')).toBe(true);
    expect(isEmergencyNumber('199', 'BD')).toBe(true);
    expect(isEmergencyNumber('17', 'BF')).toBe(true);
    expect(isEmergencyNumber('18', 'BF')).toBe(true);
  });

  it('does not apply one country’s codes in another: 110 in a US office is an extension', () => {
    for (const code of ['110', '118', '119', '999', '000', '100', '15'])
      expect(isEmergencyNumber(code, 'US'), code).toBe(false);
    expect(isEmergencyNumber('110', 'DE')).toBe(true);
    expect(isEmergencyNumber('999', 'GB')).toBe(true);
    expect(isEmergencyNumber('000', 'AU')).toBe(true);
    expect(emergencyCodesFor('US')).toEqual(['112', '911']);
    expect(emergencyCodesFor('GB')).toEqual(['112', '911', '999']);
    expect(emergencyCodesFor('DE')).toEqual(['110', '112', '911']);
  });
});
