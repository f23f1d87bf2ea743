import { useState, type FormEvent } from 'react';

export interface Submit {
  busy: boolean;
  /** The last failure, shown translated by <ErrorText>; cleared when a new submit starts. */
  error: unknown;
  setError(err: unknown): void;
  submit(e?: FormEvent): Promise<void>;
}

/**
 * A form's submit: one call at a time, a busy flag for the button, the error kept for display.
 * `onError` may react to a specific failure (e.g. clear the password after a wrong one).
 */
export function useSubmit(action: () => Promise<void>, onError?: (err: unknown) => void | Promise<void>): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
      await onError?.(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, submit };
}
