/**
 * Emergency numbers (SPEC §1.3): never on the list, never blocked outbound, whatever the list or any error
 * says. A number is judged by the emergency codes of the line's (or org's) country, as Google's
 * short-number metadata lists them (generated into emergency-codes.ts), plus 112 and 911, which mobile
 * networks route everywhere. A code that is emergency only elsewhere is an ordinary number here: 110 in a
 * US office is an internal extension, and dialling it must not suspend inbound blocking (§1.4).
 */
import { getCountries, getCountryCallingCode } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import { EMERGENCY_CODES_BY_REGION } from './emergency-codes';
import { extractDialInput, nationalPrefixOf, toAsciiDigits } from './numbers';

/** Emergency in every country: GSM phones and mobile networks route them wherever they are (SPEC §1.3). */
export const ALWAYS_EMERGENCY_CODES: readonly string[] = Object.freeze(['112', '911']);

const codesByRegion = new Map<string, ReadonlySet<string>>();

/** The country's own codes from Google's data plus 112 and 911. */
function ownCodes(country: string): ReadonlySet<string> {
  const cached = codesByRegion.get(country);
  if (cached !== undefined) return cached;
  const listed = EMERGENCY_CODES_BY_REGION[country]?.split(' ') ?? [];
  const codes = new Set([...listed, ...ALWAYS_EMERGENCY_CODES]);
  codesByRegion.set(country, codes);
  return codes;
}

/**
 * PBX users dial an outside-line digit before the number (`9 911` in North America, `0 112` in much of
 * Europe); that, or the national trunk prefix (`1 911`), may precede the country's own codes.
 */
const OUTSIDE_LINE_DIGITS: readonly string[] = ['9', '0'];

/** The short codes that are emergency numbers for a line or org in `country`, sorted (README, §1.4). */
export function emergencyCodesFor(country: CountryCode): readonly string[] {
  return [...ownCodes(country)].sort((a, b) => a.length - b.length || a.localeCompare(b));
}

let codesByCallingCode: Map<string, Set<string>> | null = null;

/** Calling code → the emergency codes of every country that shares it (`+1 911`, `+44 999`). */
function emergencyCodesByCallingCode(): Map<string, Set<string>> {
  if (codesByCallingCode !== null) return codesByCallingCode;
  const byCode = new Map<string, Set<string>>();
  for (const country of getCountries()) {
    const callingCode = getCountryCallingCode(country);
    const codes = byCode.get(callingCode) ?? new Set<string>();
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
    if (ALWAYS_EMERGENCY_CODES.includes(digits)) return true;
    const byCallingCode = emergencyCodesByCallingCode();
    for (let length = 1; length <= 3 && length < digits.length; length += 1) {
      const codes = byCallingCode.get(digits.slice(0, length));
      if (codes?.has(digits.slice(length)) === true) return true;
    }
    return false;
  }

  const own = ownCodes(country);
  if (own.has(digits)) return true;
  const nationalPrefix = nationalPrefixOf(country);
  const leadIns = nationalPrefix === null ? OUTSIDE_LINE_DIGITS : [...OUTSIDE_LINE_DIGITS, nationalPrefix];
  return leadIns.some((leadIn) => digits.startsWith(leadIn) && own.has(digits.slice(leadIn.length)));
}
