/**
 * Whether an incoming INVITE carries the PBX's request to answer by itself (paging, intercom, "push to
 * talk" from a PBX: SPEC §10.4), and after how many seconds. The phone acts on it only on lines where an
 * admin turned it on (`Line.pbxAutoAnswer`), after the blocklist decision: anyone can write these headers.
 *
 * The forms PBXs send:
 * - `Call-Info: <sip:pbx>;answer-after=0` (Asterisk/FreePBX intercom, Polycom, Snom), also without a URI
 *   (`Call-Info: ;answer-after=0`, `Call-Info: answer-after=0`);
 * - `Alert-Info: <http://…>;info=alert-autoanswer;delay=0` (Polycom/Yealink), `Alert-Info: info=alert-autoanswer`,
 *   `Alert-Info: Auto Answer`, `Alert-Info: <…>;auto-answer` and the other spellings of "auto answer";
 * - `Answer-Mode: Auto` (RFC 5373; `Priv-Answer-Mode` likewise).
 * Pure: unit-tested in Node.
 */
import { MAX_HEADER_VALUES, MAX_HEADER_VALUE_LENGTH } from './sip-headers';

/** Any source of header values by name (a sip.js request's `getHeaders`, or a raw message's table). */
export interface AutoAnswerHeaders {
  get(name: string): string[];
}

export interface PbxAutoAnswerRequest {
  /** Seconds to ring before answering (0: at once). */
  delaySeconds: number;
  /** The header that asked, for the log and the call card. */
  header: 'Call-Info' | 'Alert-Info' | 'Answer-Mode';
}

/** A longer delay than this is read as this: a PBX asking to ring for minutes is not asking for much. */
export const MAX_AUTO_ANSWER_DELAY_S = 60;

const AUTO_ANSWER_WORDS = /(^|[^a-z])(alert-)?auto[-_ ]?answer($|[^a-z])/i;

/** The PBX's auto-answer request in these headers, or null. Never throws. */
export function pbxAutoAnswerRequest(headers: AutoAnswerHeaders): PbxAutoAnswerRequest | null {
  try {
    return (
      fromCallInfo(values(headers, 'Call-Info')) ??
      fromAlertInfo(values(headers, 'Alert-Info')) ??
      fromAnswerMode(headers)
    );
  } catch {
    return null;
  }
}

function values(headers: AutoAnswerHeaders, name: string): string[] {
  const raw = headers.get(name);
  if (!Array.isArray(raw)) return [];
  const entries: string[] = [];
  for (const value of raw.slice(0, MAX_HEADER_VALUES)) {
    if (typeof value !== 'string' || value.length > MAX_HEADER_VALUE_LENGTH) continue;
    entries.push(...splitEntries(value).slice(0, MAX_HEADER_VALUES));
  }
  return entries;
}

/** Splits a header value at the commas between entries, not those inside `<…>` or quotes. */
function splitEntries(value: string): string[] {
  const entries: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let index = 0; index < value.length; index += 1) {
    const char = value[index];
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === '<') depth += 1;
    else if (!quoted && char === '>') depth = Math.max(0, depth - 1);
    else if (!quoted && depth === 0 && char === ',') {
      entries.push(value.slice(start, index));
      start = index + 1;
    }
  }
  entries.push(value.slice(start));
  return entries.map((entry) => entry.trim()).filter((entry) => entry !== '');
}

/** The `;name=value` parameters after the URI (or of the whole entry when it has none), lower-case names. */
function parameters(entry: string): Map<string, string> {
  const close = entry.lastIndexOf('>');
  const tail = close === -1 ? entry : entry.slice(close + 1);
  const params = new Map<string, string>();
  for (const part of tail.split(';')) {
    const equals = part.indexOf('=');
    const name = (equals === -1 ? part : part.slice(0, equals)).trim().toLowerCase();
    if (name === '') continue;
    const value =
      equals === -1
        ? ''
        : part
            .slice(equals + 1)
            .trim()
            .replace(/^"|"$/g, '');
    if (!params.has(name)) params.set(name, value);
  }
  return params;
}

/** A delay parameter: whole non-negative seconds (capped), or null when it is not one. */
function seconds(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,6}$/.test(value)) return null;
  return Math.min(Number(value), MAX_AUTO_ANSWER_DELAY_S);
}

function fromCallInfo(entries: string[]): PbxAutoAnswerRequest | null {
  for (const entry of entries) {
    const delay = seconds(parameters(entry).get('answer-after'));
    if (delay !== null) return { delaySeconds: delay, header: 'Call-Info' };
  }
  return null;
}

function fromAlertInfo(entries: string[]): PbxAutoAnswerRequest | null {
  for (const entry of entries) {
    const params = parameters(entry);
    const info = params.get('info');
    const close = entry.lastIndexOf('>');
    // A bare token (`Auto Answer`) or a URI naming it (`<…/auto-answer>`) or a parameter (`;info=alert-autoanswer`).
    const asks =
      (info !== undefined && AUTO_ANSWER_WORDS.test(info)) ||
      AUTO_ANSWER_WORDS.test(close === -1 ? (entry.split(';')[0] ?? '') : entry.slice(0, close + 1)) ||
      [...params.keys()].some((name) => AUTO_ANSWER_WORDS.test(name));
    if (!asks) continue;
    const delay = seconds(params.get('delay')) ?? seconds(params.get('answer-after')) ?? 0;
    return { delaySeconds: delay, header: 'Alert-Info' };
  }
  return null;
}

function fromAnswerMode(headers: AutoAnswerHeaders): PbxAutoAnswerRequest | null {
  const modes = [...values(headers, 'Answer-Mode'), ...values(headers, 'Priv-Answer-Mode')];
  return modes.some((mode) => /^auto(\s*;|$)/i.test(mode))
    ? { delaySeconds: 0, header: 'Answer-Mode' }
    : null;
}
