import type { FormEvent, ReactNode } from 'react';
import { Button, type ButtonVariant } from './Button';
import { Dialog } from './Dialog';

export interface FormDialogProps {
  title: string;
  onClose(): void;
  /** The form's id, which the footer's submit button names. */
  formId: string;
  onSubmit(event: FormEvent): void;
  /** The submit button: its text (already "…ing" while busy), look, and whether it may be pressed. */
  submit: { label: string; variant: ButtonVariant; disabled: boolean };
  /** Once sent, what happened: it replaces the form (as a status) and the footer becomes "Done". */
  done: string | null;
  children: ReactNode;
}

/**
 * A dialog around one form whose result is a sentence: Cancel and the submit button below the form,
 * then the sentence and Done. Focus goes to the form's first field, as in any Dialog.
 */
export function FormDialog({ title, onClose, formId, onSubmit, submit, done, children }: FormDialogProps) {
  return (
    <Dialog
      open
      onClose={onClose}
      title={title}
      footer={
        done ? (
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" form={formId} variant={submit.variant} disabled={submit.disabled}>
              {submit.label}
            </Button>
          </>
        )
      }
    >
      {done ? (
        <p role="status">{done}</p>
      ) : (
        <form id={formId} className="bl-form" onSubmit={onSubmit} noValidate>
          {children}
        </form>
      )}
    </Dialog>
  );
}
