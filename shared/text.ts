/**
 * Stored free text is data, never a control channel (SPEC §11.5): no C0 or C1 control characters
 * (tab allowed; newline only in multi-line notes), no DEL, no bidi embeddings, overrides or isolates
 * (U+202A–U+202E, U+2066–U+2069) and no unpaired surrogates. The marks LRM and RLM (U+200E, U+200F),
 * which Hebrew and Arabic text carries, stay allowed. Numbers are not text: they ignore invisible
 * characters instead (§1.1a).
 */
import { z } from 'zod';

// The rule is about exactly these characters, so the pattern names them.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
const NEWLINE = /[\n\r]/;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` may not be stored, or null when it may. */
export function unsafeTextProblem(text: string, options: { multiline?: boolean } = {}): string | null {
  if (CONTROL.test(text)) return 'must not contain control characters';
  if (options.multiline !== true && NEWLINE.test(text)) return 'must be one line';
  if (BIDI_CONTROL.test(text)) return 'must not contain bidirectional embeddings, overrides or isolates';
  if (LONE_SURROGATE.test(text)) return 'must not contain unpaired surrogates';
  return null;
}

/** `schema` that also refuses what §11.5 refuses, with the refusal's reason as the field's message. */
export function safeText<S extends z.ZodType<string>>(schema: S, options: { multiline?: boolean } = {}) {
  return schema.superRefine((text, context) => {
    const problem = unsafeTextProblem(text, options);
    if (problem !== null) context.addIssue({ code: 'custom', message: problem });
  });
}
