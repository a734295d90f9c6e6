import { z } from 'zod';
import { safeText } from './text';

/** E.164: `+` then 7–15 digits, no leading zero in the country code. */
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;
/** A prefix rule: `+` then at least 3 digits, then `*` (SPEC §2.1a: `+1*` would block a whole country by a slip). */
export const PREFIX_PATTERN = /^\+[1-9]\d{2,14}\*$/;

export const REASON_MAX_LENGTH = 200;

export const ruleKindSchema = z.enum(['block', 'allow']);
export type RuleKind = z.infer<typeof ruleKindSchema>;

export const ruleSourceSchema = z.enum(['manual', 'bulk', 'import', 'auto', 'history']);
export type RuleSource = z.infer<typeof ruleSourceSchema>;

export const e164Schema = z.string().regex(E164_PATTERN, 'must be an E.164 number such as +12125551234');

/** A stored rule's number: one E.164 number or an E.164 prefix ending in `*`. */
export const ruleNumberSchema = z
  .string()
  .refine((value) => E164_PATTERN.test(value) || PREFIX_PATTERN.test(value), {
    message: 'must be an E.164 number (+12125551234) or a prefix of at least 3 digits ending in * (+1900*)',
  });

/** `all` lines, or the E.164 number of one of the org's inbound lines. */
export const scopeSchema = z.union([z.literal('all'), e164Schema]);
export type RuleScope = z.infer<typeof scopeSchema>;

export const reasonSchema = z
  .string()
  .trim()
  .min(1, 'a reason is required')
  .max(REASON_MAX_LENGTH, `the reason must be at most ${REASON_MAX_LENGTH} characters`);

/** A reason as a client sends it: §11.5 refuses control characters and the like (stored ones stay readable). */
export const reasonInputSchema = safeText(reasonSchema);

export const isoDateTimeSchema = z.iso.datetime({ offset: true });

export const ruleSchema = z.object({
  id: z.string().min(1),
  kind: ruleKindSchema,
  number: ruleNumberSchema,
  scope: scopeSchema,
  reason: reasonSchema,
  expiresAt: isoDateTimeSchema.nullable(),
  source: ruleSourceSchema,
  createdBy: z.string().min(1),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
  hitCount: z.number().int().nonnegative(),
  lastHitAt: isoDateTimeSchema.nullable(),
});
export type Rule = z.infer<typeof ruleSchema>;

/**
 * What a client sends to create a rule. `number` is raw user input (any common format, or a prefix
 * ending in `*`); the server normalizes it with the org's default country.
 */
export const ruleCreateInputSchema = z
  .object({
    number: z.string().trim().min(1, 'a number is required').max(64, 'the number is too long'),
    reason: reasonInputSchema,
    scope: scopeSchema.default('all'),
    kind: ruleKindSchema.default('block'),
    expiresAt: isoDateTimeSchema.nullable().optional(),
    /** `history` when blocked from a call or a history entry (SPEC §7.1a); bulk and import set their own. */
    source: z.enum(['manual', 'history']).default('manual'),
  })
  .strict();
export type RuleCreateInput = z.input<typeof ruleCreateInputSchema>;
export type RuleCreate = z.output<typeof ruleCreateInputSchema>;

/** SPEC §2.3: only the reason and the expiry may change; number, kind and scope are fixed. */
export const rulePatchSchema = z
  .object({
    reason: reasonInputSchema.optional(),
    expiresAt: isoDateTimeSchema.nullable().optional(),
  })
  .strict()
  .refine((patch) => patch.reason !== undefined || patch.expiresAt !== undefined, {
    message: 'nothing to change: give a reason or an expiresAt',
  });
export type RulePatch = z.infer<typeof rulePatchSchema>;

export const EDITABLE_RULE_FIELDS = ['reason', 'expiresAt'] as const;

export function isPrefix(ruleNumber: string): boolean {
  return ruleNumber.endsWith('*');
}

/** The digits a prefix rule covers, with the leading `+` and without the `*`. */
export function prefixBody(ruleNumber: string): string {
  return ruleNumber.slice(0, -1);
}

export function isExpired(rule: Pick<Rule, 'expiresAt'>, nowMs: number): boolean {
  return rule.expiresAt !== null && Date.parse(rule.expiresAt) <= nowMs;
}

export type RuleConflict =
  | { kind: 'duplicate'; existing: Rule; message: string }
  | { kind: 'blocked_everywhere'; existing: Rule; message: string };

/**
 * SPEC §2.2: one number cannot appear twice in the same scope and kind, and a number already blocked on
 * all lines cannot also get a line block rule. The server enforces the same in its transaction; this is
 * the one statement of the rule, used by the server and by clients to explain a refusal early.
 */
export function findRuleConflict(
  candidate: { number: string; scope: RuleScope; kind: RuleKind },
  existingRules: Iterable<Rule>,
): RuleConflict | null {
  for (const existing of existingRules) {
    if (existing.number !== candidate.number || existing.kind !== candidate.kind) continue;
    if (existing.scope === candidate.scope) {
      const where = candidate.scope === 'all' ? 'on all lines' : `on line ${candidate.scope}`;
      const verb = candidate.kind === 'block' ? 'blocked' : 'excepted';
      return { kind: 'duplicate', existing, message: `${candidate.number} is already ${verb} ${where}` };
    }
    if (candidate.kind === 'block' && existing.scope === 'all') {
      return {
        kind: 'blocked_everywhere',
        existing,
        message: `${candidate.number} is already blocked on all lines`,
      };
    }
  }
  return null;
}
