/**
 * The CRM screen-pop URL (SPEC §10.11): an org template such as
 * `https://crm.example.com/search?phone={e164}` filled for one call. Placeholders `{e164}`,
 * `{national}`, `{line}`, `{direction}`, each URL-encoded; only `https:` (and `http:` on loopback, for
 * tests) may be opened. Pure: the app decides when (on ring or on answer, never for a blocked call).
 */

export interface ScreenPopCall {
  e164: string | null;
  /** The number as the org's country writes it, e.g. `(212) 555-1234`. */
  national: string | null;
  /** The org line's E.164 number. */
  line: string | null;
  direction: 'inbound' | 'outbound';
}

const PLACEHOLDER = /\{(e164|national|line|direction)\}/g;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Why a template cannot be saved, or null. */
export function screenPopTemplateProblem(template: string): string | null {
  const unknown = /\{([^}]*)\}/g;
  for (const match of template.matchAll(unknown)) {
    if (!['e164', 'national', 'line', 'direction'].includes(match[1] ?? ''))
      return `Unknown placeholder {${match[1] ?? ''}}: use {e164}, {national}, {line} or {direction}`;
  }
  let url: URL;
  try {
    url = new URL(template.replace(PLACEHOLDER, 'x'));
  } catch {
    return 'Write a whole URL, e.g. https://crm.example.com/search?phone={e164}';
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return null;
  return 'Only https:// addresses can be opened (http:// on this computer’s loopback only)';
}

/** The URL to open for this call, or null (no number to look up, or an unusable template). */
export function screenPopUrl(template: string, call: ScreenPopCall): string | null {
  if (screenPopTemplateProblem(template) !== null || call.e164 === null) return null;
  const values: Record<string, string> = {
    e164: call.e164,
    national: call.national ?? call.e164,
    line: call.line ?? '',
    direction: call.direction,
  };
  const filled = template.replace(PLACEHOLDER, (_, name: string) => encodeURIComponent(values[name] ?? ''));
  // The filled URL is checked again: a value can never turn it into another scheme or host.
  return screenPopTemplateProblem(filled) === null ? new URL(filled).href : null;
}

/**
 * Why the host must not open `url` in the system browser, or null when it may: the main process checks
 * every URL the renderer asks it to open, so a compromised page cannot open `file:`, a custom protocol
 * handler or a credential-carrying address through the screen-pop service.
 */
export function screenPopOpenProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.username !== '' || parsed.password !== '') return 'a URL with a user name or password';
  if (parsed.protocol === 'https:') return null;
  if (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname)) return null;
  return 'only https:// (http:// on loopback) may be opened';
}
