/**
 * "Ask a lead to block" (SPEC §7.1b): an agent who may not manage the list sends a number and a reason to
 * the org's leads, who approve it (the rule is made, with the expiry and scope they choose) or dismiss
 * it. The routes are in `api.ts` with the others; their bodies and answers are here.
 */
import { z } from 'zod';
import {
  e164Schema,
  isoDateTimeSchema,
  reasonInputSchema,
  reasonSchema,
  ruleSchema,
  scopeSchema,
} from '../rules';
import { safeText } from '../text';

export const blockRequestStatusSchema = z.enum(['open', 'approved', 'dismissed']);
export type BlockRequestStatus = z.infer<typeof blockRequestStatusSchema>;

const personSchema = z.object({ id: z.string(), name: z.string() });

export const blockRequestSchema = z.object({
  id: z.string(),
  number: e164Schema,
  reason: reasonSchema,
  requestedBy: personSchema,
  createdAt: isoDateTimeSchema,
  status: blockRequestStatusSchema,
  resolvedBy: personSchema.nullable(),
  resolvedAt: isoDateTimeSchema.nullable(),
  /** The rule the approval made, or the one that already covered the number. */
  ruleId: z.string().nullable(),
});
export type BlockRequest = z.infer<typeof blockRequestSchema>;

export const createBlockRequestSchema = z
  .object({
    /** As the agent's app has it (normalized by the server with the org's country, §1.1a). */
    number: z.string().trim().min(1).max(200),
    reason: reasonInputSchema,
  })
  .strict();
export type CreateBlockRequest = z.infer<typeof createBlockRequestSchema>;

export const createBlockRequestResponseSchema = z.object({
  request: blockRequestSchema,
  /** An open request for this number was already waiting: it is returned, nothing new is made. */
  alreadyAsked: z.boolean(),
});
export type CreateBlockRequestResponse = z.infer<typeof createBlockRequestResponseSchema>;

export const blockRequestsResponseSchema = z.object({ items: z.array(blockRequestSchema) });

export const resolveBlockRequestSchema = z.discriminatedUnion('decision', [
  z
    .object({
      decision: z.literal('approve'),
      /** The rule's reason; absent: the agent's. */
      reason: reasonInputSchema.optional(),
      scope: scopeSchema.default('all'),
      expiresAt: isoDateTimeSchema.nullable().default(null),
    })
    .strict(),
  z.object({ decision: z.literal('dismiss') }).strict(),
]);
export type ResolveBlockRequest = z.input<typeof resolveBlockRequestSchema>;
/** As the server reads it: scope and expiry filled in. */
export type BlockRequestResolution = z.output<typeof resolveBlockRequestSchema>;

export const resolveBlockRequestResponseSchema = z.object({
  request: blockRequestSchema,
  rule: ruleSchema.nullable(),
});
export type ResolveBlockRequestResponse = z.infer<typeof resolveBlockRequestResponseSchema>;

export const blockRequestParamsSchema = z.object({ id: safeText(z.string().min(1).max(100)) }).strict();
