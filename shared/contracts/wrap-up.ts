/**
 * Wrap-up after an answered call (SPEC §10.11): a disposition from the org's list and a note. It is
 * kept in the call's history entry and sent to the server on its own, by the call's report id
 * (`PUT /v1/call-reports/:id/wrap-up`): reports go at ring and a repeated report id is dropped, so a
 * wrap-up cannot ride on one.
 */
import { z } from 'zod';
import { isoDateTimeSchema } from '../rules';
import { safeText } from '../text';

export const MAX_WRAP_UP_NOTE = 4000;

export const wrapUpSchema = z
  .object({
    disposition: safeText(z.string().trim().min(1, 'choose a disposition').max(80)),
    /** Free text; newlines allowed, other control characters and bidi overrides refused (§11.5). */
    note: safeText(z.string().max(MAX_WRAP_UP_NOTE), { multiline: true }),
  })
  .strict();
export type WrapUp = z.infer<typeof wrapUpSchema>;

export const wrapUpRequestSchema = wrapUpSchema;

export const wrapUpResponseSchema = z.object({
  reportId: z.string(),
  disposition: z.string(),
  note: z.string(),
  /** Who wrote it last (the reporter, or a lead correcting it). */
  updatedBy: z.object({ id: z.string(), name: z.string() }),
  updatedAt: isoDateTimeSchema,
});
export type WrapUpResponse = z.infer<typeof wrapUpResponseSchema>;

/** A wrap-up waiting in the app for the server (offline, or its report not delivered yet). */
export const pendingWrapUpSchema = z.object({
  reportId: safeText(z.string().min(8).max(100)),
  wrapUp: wrapUpSchema,
});
export type PendingWrapUp = z.infer<typeof pendingWrapUpSchema>;
