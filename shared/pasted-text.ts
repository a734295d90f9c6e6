/**
 * Numbers as people paste them (SPEC §1.1a): text from CRMs, e-mail signatures, web pages and spreadsheets
 * carries invisible formatting characters, extensions in a dozen notations and labels around the number.
 * This module only reads text: it finds the number-like runs and the extension after each; numbers.ts
 * decides which run is a phone number.
 */

/**
 * Unicode format characters (`Cf`: soft hyphen, zero-width space and joiners, LRM/RLM and the other bidi
 * marks, word joiner, BOM) and NUL: copy-paste carries them, a person cannot see them, so they never count.
 */
// eslint-disable-next-line no-control-regex -- a trailing NUL is one of them
const INVISIBLE = /[\p{Cf}\u0000]/gu;

/** Removes the characters a person cannot see; no-break and thin spaces become ordinary spaces (NFKC). */
export function withoutInvisibles(text: string): string {
  return text.replace(INVISIBLE, '').normalize('NFKC');
}

/**
 * A run that may be a phone number: an optional `+`, then digits with the separators people type between
 * digit groups (spaces, dashes, dots, parentheses, slashes), ending on a digit.
 */
const NUMBER_RUN = /\+?\d(?:[\d\s\-.()/\u2010-\u2015\u2212\u30fc]*\d)?/g;

/**
 * What may follow a number to mark an extension (after NFKC, so full-width letters are ASCII):
 * `x123`, `ext. 123`, `ext: 123`, `extn 123`, `extension 123`, `extensión 123`, `#123`, `;ext=123`, and
 * pause-dial `,,123#` (a dialler waits at each comma, then sends the digits). A lone comma is a pause
 * too in a single field; bulk paste splits on it before this is reached (see bulk.ts).
 */
const EXTENSION_AFTER =
  /^\s*(?:[,;]?\s*(?:ext(?:ension|ensi[oó]n|n)?|x)\s*[.:=#]?|;\s*ext\s*=|#|,+)\s*(\d{1,10})#?/iu;

export interface NumberRun {
  /** The run as written (digits and separators, maybe a leading `+`). */
  text: string;
  /** Extension digits written after the run, when there were some. */
  extension?: string;
  /** Whether a letter touches the run (`1-800-FLOWERS`): then it is a word, not a number in a label. */
  touchesLetters: boolean;
}

const LETTER = /\p{L}/u;

/** The number-like runs of a text in order, each with the extension written after it (already cleaned). */
export function numberRunsOf(cleaned: string): NumberRun[] {
  const runs: NumberRun[] = [];
  NUMBER_RUN.lastIndex = 0;
  for (let match = NUMBER_RUN.exec(cleaned); match !== null; match = NUMBER_RUN.exec(cleaned)) {
    const start = match.index;
    let end = start + match[0].length;
    const extension = EXTENSION_AFTER.exec(cleaned.slice(end));
    const run: NumberRun = { text: match[0], touchesLetters: touchesLetter(cleaned, start, end) };
    if (extension !== null) {
      run.extension = extension[1] ?? '';
      run.touchesLetters = false;
      end += extension[0].length;
      NUMBER_RUN.lastIndex = end;
    }
    runs.push(run);
  }
  return runs;
}

/** A letter right before or after the run, or after one dash or dot (`800-FLOWERS`, `A1`). */
function touchesLetter(text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - 2), start);
  const after = text.slice(end, end + 2);
  return LETTER.test(before.at(-1) ?? '') || /^[-.]?\p{L}/u.test(after) || /\p{L}[-.]$/u.test(before);
}

/** The human note for an extension that was split off (shown wherever a person sees the result). */
export function extensionNote(extension: string): string {
  return `extension ${extension} ignored`;
}
