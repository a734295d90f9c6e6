import { useState } from 'react';
import type { WriteOutcome } from '../app/api';
import { checkBlockInput } from './block-input';
import { errorText } from './errors';
import type { ExpiryChoice } from './expiry';

/** What a quick block form sends once its input is sound. */
export interface BlockSubmission {
  reason: string;
  expiresAt: string | null;
  scope: string;
}

/**
 * The state of a quick block form (*Block this number*, the inbox's approval): reason, expiry (forever
 * by default), lines (all by default), the error shown and whether it is saving; and its submit, which
 * checks the input, sends it once and shows a refusal in the form. `fields` goes to BlockFields.
 */
export function useBlockForm(initialReason = '') {
  const [reason, setReason] = useState(initialReason);
  const [expiry, setExpiry] = useState<ExpiryChoice>('never');
  const [scope, setScope] = useState('all');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  /** Resolves with what was sent and the reply, or null when the form now shows why not. */
  const submit = async <T>(
    send: (input: BlockSubmission) => Promise<WriteOutcome<T>>,
  ): Promise<{ input: BlockSubmission; value: T } | null> => {
    const checked = checkBlockInput(reason, expiry, Date.now());
    if (!checked.ok) {
      setError(checked.message);
      return null;
    }
    const input = { reason: checked.reason, expiresAt: checked.expiresAt, scope };
    setSaving(true);
    const result = await send(input);
    setSaving(false);
    if (!result.ok) {
      setError(errorText(result));
      return null;
    }
    return { input, value: result.value };
  };

  return {
    saving,
    scope,
    setScope,
    submit,
    fields: {
      reason,
      error,
      onReason(value: string) {
        setReason(value);
        setError(null);
      },
      expiry: { choice: expiry, onChoice: setExpiry },
    },
  };
}
