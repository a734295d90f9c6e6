import { z } from 'zod';
import { screenPopTemplateProblem } from './screen-pop';
import { safeText } from './text';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const clockTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM');

/** One weekday's working hours; `null` means the whole day is outside working hours. */
export const workingDaySchema = z
  .object({ start: clockTimeSchema, end: clockTimeSchema })
  .refine((day) => day.start < day.end, { message: 'working hours must end after they start' })
  .nullable();
export type WorkingDay = z.infer<typeof workingDaySchema>;

export const workingHoursSchema = z.object({
  mon: workingDaySchema,
  tue: workingDaySchema,
  wed: workingDaySchema,
  thu: workingDaySchema,
  fri: workingDaySchema,
  sat: workingDaySchema,
  sun: workingDaySchema,
});
export type WorkingHours = z.infer<typeof workingHoursSchema>;

/** An IANA time zone name that this runtime's Intl knows. */
export const timeZoneSchema = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as America/New_York' },
);

export const autoBlockSettingsSchema = z.object({
  enabled: z.boolean(),
  threshold: z.number().int().min(2).max(1000),
  windowMinutes: z.number().int().min(1).max(1440),
  outsideWorkingHoursOnly: z.boolean(),
  workingHours: workingHoursSchema,
  timeZone: timeZoneSchema,
});
export type AutoBlockSettings = z.infer<typeof autoBlockSettingsSchema>;

export const countryCodeSchema = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as US');

export const MIN_PSAP_WINDOW_MINUTES = 15;

/** SPEC §10.11: the CRM page opened for a call; '' turns the screen-pop off. */
export const screenPopUrlSchema = z
  .string()
  .max(2000)
  .superRefine((template, context) => {
    const problem = template === '' ? null : screenPopTemplateProblem(template);
    if (problem !== null) context.addIssue({ code: 'custom', message: problem });
  });

export const MAX_WRAP_UP_DISPOSITIONS = 50;
/** SPEC §10.11: the dispositions an agent picks from after an answered call, each once. */
export const wrapUpDispositionsSchema = z
  .array(safeText(z.string().trim().min(1, 'must not be empty').max(80)))
  .max(MAX_WRAP_UP_DISPOSITIONS)
  .refine((list) => new Set(list.map((item) => item.toLowerCase())).size === list.length, {
    message: 'each disposition may appear once',
  });

export const DEFAULT_WRAP_UP_DISPOSITIONS = ['Resolved', 'Follow-up needed', 'Escalated', 'Wrong number'];

export const orgSettingsSchema = z.object({
  blockAnonymous: z.boolean(),
  blockFailedVerification: z.boolean(),
  inboundAction: z.enum(['announce', 'reject']),
  logBlockedInbound: z.boolean(),
  autoBlock: autoBlockSettingsSchema,
  whoCanManage: z.enum(['everyone', 'leads']),
  defaultCountry: countryCodeSchema,
  /** SPEC §1.4: inbound blocking is suspended this long after an emergency call (never below 15). */
  psapWindowMinutes: z
    .number()
    .int()
    .min(MIN_PSAP_WINDOW_MINUTES)
    .max(24 * 60),
  screenPopUrl: screenPopUrlSchema,
  wrapUpDispositions: wrapUpDispositionsSchema,
});
export type OrgSettings = z.infer<typeof orgSettingsSchema>;

/**
 * A field of the org settings by its path: a top-level field or `autoBlock.<field>` (working hours are
 * one field). Derived from the schema, so a new setting is a field here without being listed.
 */
export type OrgSettingsField =
  Exclude<keyof OrgSettings, 'autoBlock'> | `autoBlock.${keyof AutoBlockSettings & string}`;

export const ORG_SETTINGS_FIELDS: readonly OrgSettingsField[] = [
  ...Object.keys(orgSettingsSchema.shape).filter(
    (key): key is Exclude<keyof OrgSettings, 'autoBlock'> => key !== 'autoBlock',
  ),
  ...Object.keys(autoBlockSettingsSchema.shape).map(
    (key) => `autoBlock.${key}` as `autoBlock.${keyof AutoBlockSettings & string}`,
  ),
];

/** The settings field a path into the settings (or a patch of them) falls in, or null for none. */
export function settingsFieldOf(path: ReadonlyArray<string | number>): OrgSettingsField | null {
  for (let length = path.length; length > 0; length--) {
    const candidate = path.slice(0, length).join('.');
    const field = ORG_SETTINGS_FIELDS.find((known) => known === candidate);
    if (field !== undefined) return field;
  }
  return null;
}

/** A partial update: every field optional, nested autoBlock partial too; unknown fields refused. */
export const orgSettingsPatchSchema = orgSettingsSchema
  .extend({ autoBlock: autoBlockSettingsSchema.partial().strict() })
  .partial()
  .strict();
export type OrgSettingsPatch = z.infer<typeof orgSettingsPatchSchema>;

const NINE_TO_FIVE = { start: '09:00', end: '17:00' } as const;

export function defaultOrgSettings(defaultCountry = 'US', timeZone = 'America/New_York'): OrgSettings {
  return {
    blockAnonymous: false,
    blockFailedVerification: false,
    inboundAction: 'announce',
    logBlockedInbound: false,
    autoBlock: {
      enabled: false,
      threshold: 5,
      windowMinutes: 5,
      outsideWorkingHoursOnly: true,
      workingHours: {
        mon: NINE_TO_FIVE,
        tue: NINE_TO_FIVE,
        wed: NINE_TO_FIVE,
        thu: NINE_TO_FIVE,
        fri: NINE_TO_FIVE,
        sat: null,
        sun: null,
      },
      timeZone,
    },
    whoCanManage: 'leads',
    defaultCountry,
    psapWindowMinutes: 120,
    screenPopUrl: '',
    wrapUpDispositions: [...DEFAULT_WRAP_UP_DISPOSITIONS],
  };
}

export function applySettingsPatch(current: OrgSettings, patch: OrgSettingsPatch): OrgSettings {
  return orgSettingsSchema.parse({
    ...current,
    ...patch,
    autoBlock: { ...current.autoBlock, ...(patch.autoBlock ?? {}) },
  });
}
