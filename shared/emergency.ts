/**
 * Emergency numbers (SPEC §1.3): never on the list, never blocked outbound, whatever the list or any error
 * says. libphonenumber-js ships no short-number metadata, so the country codes are a maintained table.
 * When in doubt this module says "emergency": a short code wrongly treated as emergency costs nothing,
 * a blocked emergency call can cost a life.
 */
import { getCountries, getCountryCallingCode } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import { extractDialInput, nationalPrefixOf, toAsciiDigits } from './numbers';

/** Emergency in every country, whatever the org's default country (SPEC §1.3). */
export const EMERGENCY_WORLD_SET: readonly string[] = Object.freeze([
  '911',
  '112',
  '999',
  '000',
  '110',
  '119',
  '118',
]);

/**
 * Each country's own emergency short codes, including the world-set codes that are really in use there
 * (those are the ones an outside-line or trunk prefix may precede, see below). Sources: national
 * regulators' lists as collected in libphonenumber's ShortNumberMetadata and the ITU list of emergency
 * numbers. Countries not listed fall back to {@link DEFAULT_COUNTRY_CODES} plus the world set.
 */
const COUNTRY_EMERGENCY_CODES: Partial<Record<CountryCode, readonly string[]>> = {
  // North America and Caribbean (NANP)
  US: ['911', '112'],
  CA: ['911', '112'],
  PR: ['911'],
  JM: ['110', '119', '911'],
  BS: ['911', '919'],
  BB: ['211', '311', '511'],
  TT: ['990', '999'],
  DO: ['911'],
  // Latin America
  MX: ['911', '060', '065', '066', '080'],
  BR: ['190', '192', '193', '197', '198', '199', '128', '100', '911'],
  AR: ['100', '101', '107', '911'],
  CL: ['131', '132', '133'],
  CO: ['112', '119', '123', '132'],
  PE: ['105', '106', '116', '911'],
  VE: ['171', '911'],
  EC: ['911', '101', '102'],
  UY: ['911'],
  // Europe
  GB: ['999', '112'],
  IE: ['999', '112'],
  FR: ['112', '15', '17', '18', '114', '115', '191', '196', '197'],
  DE: ['110', '112'],
  IT: ['112', '113', '115', '117', '118', '1515', '1530'],
  ES: ['112', '061', '062', '080', '085', '088', '091', '092', '1006'],
  PT: ['112', '117'],
  NL: ['112', '911'],
  BE: ['112', '100', '101', '1722'],
  LU: ['112', '113'],
  CH: ['112', '117', '118', '144', '145', '1414'],
  AT: ['112', '122', '128', '133', '140', '141', '144'],
  PL: ['112', '997', '998', '999', '985', '986', '987'],
  CZ: ['112', '150', '155', '156', '158'],
  SK: ['112', '150', '155', '158'],
  HU: ['112', '104', '105', '107'],
  RO: ['112'],
  BG: ['112', '150', '160', '166'],
  GR: ['112', '100', '108', '166', '199'],
  TR: ['112', '110', '155', '156', '158', '177'],
  RU: ['112', '01', '02', '03', '04', '100', '101', '102', '103', '104'],
  UA: ['112', '101', '102', '103', '104'],
  BY: ['112', '101', '102', '103', '104'],
  SE: ['112', '90000'],
  NO: ['112', '110', '113'],
  DK: ['112'],
  FI: ['112'],
  IS: ['112'],
  EE: ['112'],
  LV: ['112', '01', '02', '03', '04'],
  LT: ['112', '101', '102', '103'],
  HR: ['112', '192', '193', '194', '195'],
  SI: ['112', '113'],
  RS: ['112', '192', '193', '194'],
  BA: ['112', '122', '123', '124'],
  // Middle East and Africa
  IL: ['100', '101', '102', '103', '104', '112'],
  EG: ['122', '123', '126', '180'],
  SA: ['911', '112', '996', '997', '998', '999'],
  AE: ['112', '996', '997', '998', '999'],
  QA: ['999'],
  KW: ['112'],
  ZA: ['10111', '10177', '112'],
  NG: ['112', '199'],
  KE: ['999', '112'],
  GH: ['112', '191', '192', '193'],
  MA: ['15', '19', '150', '177'],
  DZ: ['14', '17'],
  TN: ['190', '197', '198'],
  // Asia and Pacific
  IN: ['112', '100', '101', '102', '108', '1091', '1098'],
  PK: ['15', '16', '115', '1122'],
  BD: ['999'],
  LK: ['110', '118', '119'],
  NP: ['100', '101', '102'],
  CN: ['110', '112', '119', '120', '122'],
  HK: ['999', '112'],
  MO: ['999'],
  TW: ['110', '112', '119'],
  JP: ['110', '118', '119'],
  KR: ['112', '113', '119', '122'],
  SG: ['995', '999'],
  MY: ['999', '112', '991', '994'],
  TH: ['191', '199', '1554', '1669'],
  VN: ['113', '114', '115'],
  PH: ['911', '112', '117'],
  ID: ['110', '112', '113', '118', '119'],
  AU: ['000', '112', '106'],
  NZ: ['111', '112'],
};

/** For a country missing from the table: the two codes GSM phones and most networks honour. */
const DEFAULT_COUNTRY_CODES: readonly string[] = ['112', '911'];

/**
 * PBX users dial an outside-line digit before the number (`9 911` in North America, `0 112` in much of
 * Europe); that, or the national trunk prefix (`1 911`), may precede the country's own codes.
 */
const OUTSIDE_LINE_DIGITS: readonly string[] = ['9', '0'];

/** Every country's own emergency codes (table or default) plus the world set. */
export function emergencyCodesFor(country: CountryCode): readonly string[] {
  return [...new Set([...ownCodes(country), ...EMERGENCY_WORLD_SET])];
}

function ownCodes(country: CountryCode): readonly string[] {
  return COUNTRY_EMERGENCY_CODES[country] ?? DEFAULT_COUNTRY_CODES;
}

let codesByCallingCode: Map<string, Set<string>> | null = null;

/** Calling code → the emergency codes of every country that shares it, plus the world set. */
function emergencyCodesByCallingCode(): Map<string, Set<string>> {
  if (codesByCallingCode !== null) return codesByCallingCode;
  const byCode = new Map<string, Set<string>>();
  for (const country of getCountries()) {
    const callingCode = getCountryCallingCode(country);
    const codes = byCode.get(callingCode) ?? new Set(EMERGENCY_WORLD_SET);
    for (const code of ownCodes(country)) codes.add(code);
    byCode.set(callingCode, codes);
  }
  codesByCallingCode = byCode;
  return byCode;
}

/**
 * Whether the input dials an emergency service, in any formatting: `911`, `9-1-1`, `tel:911`,
 * `sip:911@host`, full-width or other Unicode digits, `+1 911`, `9 911` via a PBX outside line.
 * Checked before anything else on every path. Never throws.
 */
export function isEmergencyNumber(input: string, country: CountryCode): boolean {
  try {
    return dialsEmergency(input, country);
  } catch {
    // The input is beyond reading; nothing else can match it either.
    return false;
  }
}

function dialsEmergency(input: string, country: CountryCode): boolean {
  if (input.length > 256) return false;
  const { local } = extractDialInput(input);
  // Everything but digits goes: `9-1-1`, `(911)`, `911#` are all 911.
  const ascii = toAsciiDigits(local);
  const international = ascii.trimStart().startsWith('+');
  const digits = ascii.replace(/\D/g, '');
  if (digits === '' || digits.length > 8) return false;

  if (international) {
    // `+911` is a slip for 911, not a number in India: treat it as the emergency call it most likely is.
    if (EMERGENCY_WORLD_SET.includes(digits)) return true;
    const byCallingCode = emergencyCodesByCallingCode();
    for (let length = 1; length <= 3 && length < digits.length; length += 1) {
      const codes = byCallingCode.get(digits.slice(0, length));
      if (codes?.has(digits.slice(length)) === true) return true;
    }
    return false;
  }

  if (EMERGENCY_WORLD_SET.includes(digits)) return true;
  const own = ownCodes(country);
  if (own.includes(digits)) return true;
  const nationalPrefix = nationalPrefixOf(country);
  const leadIns = nationalPrefix === null ? OUTSIDE_LINE_DIGITS : [...OUTSIDE_LINE_DIGITS, nationalPrefix];
  return leadIns.some((leadIn) => digits.startsWith(leadIn) && own.includes(digits.slice(leadIn.length)));
}
