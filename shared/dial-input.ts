/**
 * Reading a dial string out of what a person typed or a header carried (SPEC §1.1): URI syntax (`tel:`,
 * `sip:`, `callto:`, `Name <uri>`), Unicode digits and the visual separators people paste. Pure; the
 * normalization on top of it is numbers.ts.
 */

/** What a dial string is made of once URI syntax is removed: the number and a `phone-context`, if any. */
export interface DialInput {
  /** The number part, still with any visual separators. */
  local: string;
  /** RFC 3966 `phone-context` (a global number prefix such as `+1-212`, or a domain), if given. */
  phoneContext: string | null;
  /** RFC 3966 `ext` parameter, when given. */
  extension?: string;
}

const URI_SCHEME = /^(tel|sips?|callto):(?:\/\/)?/i;
/** Whitespace (incl. NBSP), RFC 3966 visual separators, slashes, and the dashes people paste from documents. */
const VISUAL_SEPARATORS = /[\s\-.()[\]/\u2010-\u2015\u2212\u30fc]/g;

/**
 * Strips URI syntax so only the number (and its phone-context) remains: `tel:` (RFC 3966), `sip:`/`sips:`
 * (user part, password, params and headers dropped), `callto:`, and a `Name <uri>` wrapper.
 * Full-width characters are folded to ASCII (NFKC) first.
 */
export function extractDialInput(input: string): DialInput {
  let text = input.normalize('NFKC').trim();
  const open = text.indexOf('<');
  if (open !== -1) {
    const close = text.indexOf('>', open + 1);
    text = text.slice(open + 1, close === -1 ? undefined : close).trim();
  }
  const scheme = URI_SCHEME.exec(text);
  if (scheme === null) return { local: text, phoneContext: null };

  let rest = text.slice(scheme[0].length);
  const headersAt = rest.indexOf('?');
  if (headersAt !== -1) rest = rest.slice(0, headersAt);
  const schemeName = (scheme[1] ?? '').toLowerCase();
  if (schemeName === 'sip' || schemeName === 'sips') {
    const at = rest.indexOf('@');
    if (at !== -1) {
      rest = rest.slice(0, at);
      // userinfo = user [":" password]
      const colon = rest.indexOf(':');
      if (colon !== -1) rest = rest.slice(0, colon);
    } else {
      // `sip:host;params`: no user part; keep the host so a bare `sip:911` still reads as a number.
      const semicolon = rest.indexOf(';');
      if (semicolon !== -1) rest = rest.slice(0, semicolon);
    }
  }
  rest = percentDecode(rest);

  const [local = '', ...params] = rest.split(';');
  let phoneContext: string | null = null;
  let extension: string | undefined;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1) continue;
    const name = param.slice(0, eq).trim().toLowerCase();
    const value = param.slice(eq + 1).trim();
    if (name === 'phone-context') phoneContext = value;
    else if (name === 'ext' && /^\d+$/.test(toAsciiDigits(value))) extension = toAsciiDigits(value);
  }
  return extension === undefined
    ? { local: local.trim(), phoneContext }
    : { local: local.trim(), phoneContext, extension };
}

function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const NON_ASCII = /[^ -~]/;
const DECIMAL_DIGIT = /\p{Nd}/u;
const digitValueCache = new Map<string, string>();

/**
 * Unicode guarantees decimal digits come in contiguous runs of ten, 0 to 9; a run's zero is found by
 * walking back to the first code point that is not a decimal digit.
 */
function asciiDigitOf(digit: string): string {
  const cached = digitValueCache.get(digit);
  if (cached !== undefined) return cached;
  const codePoint = digit.codePointAt(0) ?? 0;
  let runStart = codePoint;
  while (runStart > 0 && DECIMAL_DIGIT.test(String.fromCodePoint(runStart - 1))) runStart -= 1;
  const value = String((codePoint - runStart) % 10);
  digitValueCache.set(digit, value);
  return value;
}

/** Maps every Unicode decimal digit (Arabic-Indic, Devanagari, full-width, …) to its ASCII digit. */
export function toAsciiDigits(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  return text.replace(/\p{Nd}/gu, (digit) => (digit >= '0' && digit <= '9' ? digit : asciiDigitOf(digit)));
}

/** Removes spaces, dashes, dots, parentheses and slashes. */
export function stripVisualSeparators(text: string): string {
  return text.replace(VISUAL_SEPARATORS, '');
}

/**
 * The dial string of an input: optional `+` then ASCII digits, with a global `phone-context` applied
 * (`tel:555-1234;phone-context=+1-212` → `+12125551234`). Anything else stays in the string, so callers
 * can see that it is not a number.
 */
export function toDialString(input: string): string {
  return dialStringOf(extractDialInput(input));
}

export function dialStringOf({ local, phoneContext }: DialInput): string {
  const dial = stripVisualSeparators(toAsciiDigits(local));
  if (phoneContext !== null && !dial.startsWith('+')) {
    const context = stripVisualSeparators(toAsciiDigits(phoneContext));
    if (/^\+\d+$/.test(context)) return context + dial;
  }
  return dial;
}
