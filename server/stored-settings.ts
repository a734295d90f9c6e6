/**
 * Stored org settings, read across versions of the settings schema (SPEC §7.2). Never reset to the
 * defaults: a field the stored JSON lacks (added since it was written) takes its default, a field this
 * version does not know (written by a newer version, or retired) is kept in storage untouched, and a
 * value the schema now refuses is served as the default for that field only while the stored value
 * stays where it is. Each of those is reported, so the server can log it.
 */
import {
  countryCodeSchema,
  defaultOrgSettings,
  orgSettingsSchema,
  type OrgSettings,
} from '../shared/settings';

type JsonObject = Record<string, unknown>;

export interface SettingsMigration {
  /** The settings this version works with. */
  settings: OrgSettings;
  /** What to write back on the next save: the stored JSON with the added defaults, nothing removed. */
  stored: JsonObject;
  /** Dotted paths of fields that took their default because the stored JSON lacks them. */
  added: string[];
  /** Dotted paths of stored fields this version does not know, kept as they are. */
  unknown: string[];
  /** Dotted paths of stored values the schema refuses, served as the default, kept in storage. */
  invalid: string[];
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Walks `defaults` (the schema's shape) beside `stored`: fills what is missing, notes what is unknown.
 * Objects are recursed into only where the defaults hold an object (working hours' days may be null).
 */
function fill(
  stored: JsonObject,
  defaults: JsonObject,
  prefix: string,
  report: SettingsMigration,
): JsonObject {
  const out: JsonObject = { ...stored };
  for (const [key, fallback] of Object.entries(defaults)) {
    const path = prefix + key;
    if (!(key in stored)) {
      out[key] = fallback;
      report.added.push(path);
    } else if (isObject(fallback) && isObject(stored[key]) && key !== 'workingHours') {
      out[key] = fill(stored[key], fallback, `${path}.`, report);
    }
  }
  for (const key of Object.keys(stored)) if (!(key in defaults)) report.unknown.push(prefix + key);
  return out;
}

/** Keeps only the keys the defaults know, recursively: what the schema is asked to validate. */
function known(value: JsonObject, defaults: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, fallback] of Object.entries(defaults)) {
    const stored = value[key];
    out[key] =
      isObject(fallback) && isObject(stored) && key !== 'workingHours' ? known(stored, fallback) : stored;
  }
  return out;
}

function readPath(value: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current = value;
  for (const part of path) current = isObject(current) ? current[String(part)] : undefined;
  return current;
}

function writePath(target: JsonObject, path: ReadonlyArray<PropertyKey>, value: unknown): void {
  let current = target;
  for (const part of path.slice(0, -1)) {
    const next = current[String(part)];
    if (!isObject(next)) return;
    current = next;
  }
  const last = path[path.length - 1];
  if (last !== undefined) current[String(last)] = value;
}

/** Reads stored settings JSON (already parsed) for an org in `timeZone`. */
export function migrateStoredSettings(raw: unknown, timeZone: string): SettingsMigration {
  const stored = isObject(raw) ? raw : {};
  const country = countryCodeSchema.safeParse(stored.defaultCountry).data;
  const defaults = defaultOrgSettings(country, timeZone);
  const report: SettingsMigration = { settings: defaults, stored, added: [], unknown: [], invalid: [] };
  if (!isObject(raw)) report.invalid.push('(the whole document)');
  const filled = fill(stored, defaults as unknown as JsonObject, '', report);
  report.stored = filled;

  const candidate = structuredClone(known(filled, defaults as unknown as JsonObject));
  // A refused value falls back to its own default, one field at a time, never the whole document.
  for (let attempt = 0; attempt < 50; attempt++) {
    const parsed = orgSettingsSchema.safeParse(candidate);
    if (parsed.success) {
      report.settings = parsed.data;
      return report;
    }
    for (const issue of parsed.error.issues) {
      // A refinement on an object (working hours) names the object: replace that object whole.
      const path = issue.path.length === 0 ? [] : issue.path;
      const fallback = readPath(defaults, path);
      if (path.length === 0 || fallback === undefined) {
        report.invalid.push('(the whole document)');
        report.settings = defaults;
        return report;
      }
      report.invalid.push(path.map(String).join('.'));
      writePath(candidate, path, structuredClone(fallback));
    }
  }
  report.settings = defaults;
  return report;
}

/** The stored JSON after a save: what was stored (unknown and refused fields kept) with `settings` over it. */
export function settingsToStore(stored: JsonObject, before: OrgSettings, after: OrgSettings): JsonObject {
  const out = structuredClone(stored);
  const merge = (target: JsonObject, was: JsonObject, now: JsonObject) => {
    for (const [key, value] of Object.entries(now)) {
      const previous = was[key];
      if (JSON.stringify(previous) === JSON.stringify(value)) continue;
      const existing = target[key];
      if (isObject(value) && isObject(previous) && isObject(existing) && key !== 'workingHours')
        merge(existing, previous, value);
      else target[key] = value;
    }
  };
  merge(out, before as unknown as JsonObject, after as unknown as JsonObject);
  return out;
}
