import { useEffect, useId, useRef, useState } from 'react';
import { useI18n } from '../i18n/I18nProvider.js';

/**
 * Date and time typed as the commune writes them: dd/mm/yyyy and 24-hour HH:MM. Native
 * date/time inputs follow the browser's language (an English PC shows mm/dd/yyyy and AM/PM),
 * so these are text fields that accept only those forms. What does not read as one is said
 * under the field, and the field is invalid for its form (the browser will not submit it), so
 * a typo never silently leaves the old value in force (issue 15).
 */
const DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const TIME = /^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

/** dd/mm/yyyy → yyyy-mm-dd, or null when not a real date. */
export function parseDmy(text: string): string | null {
  const m = DATE.exec(text.trim());
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
export const isoToDmy = (iso: string) => (iso ? iso.split('-').reverse().join('/') : '');
/** HH:MM (or HH:MM:SS when `seconds`) → normalised, or null. */
export function parseHm(text: string, seconds = false): string | null {
  const m = TIME.exec(text.trim());
  if (!m || (m[3] !== undefined && !seconds)) return null;
  return `${m[1]!.padStart(2, '0')}:${m[2]}${m[3] !== undefined ? `:${m[3]}` : ''}`;
}

/** The field's own error: under it, read out with it, and blocking its form's submit. */
function useFieldError(message: string | null) {
  const ref = useRef<HTMLInputElement>(null);
  const errorId = useId();
  useEffect(() => ref.current?.setCustomValidity(message ?? ''), [message]);
  const note = message ? (
    <span id={errorId} className="field-error" role="alert">
      {message}
    </span>
  ) : null;
  return { ref, describedBy: message ? errorId : undefined, note };
}

interface FieldProps {
  id?: string;
  value: string;
  onChange(v: string): void;
  required?: boolean;
  'aria-label'?: string;
  /** Accept HH:MM:SS too (evidence ranges); schedules are HH:MM. */
  seconds?: boolean;
}

/** `value` is yyyy-mm-dd (or '' for none); the user sees and types dd/mm/yyyy. */
export function DateField({ id, value, onChange, required, ...rest }: FieldProps) {
  const [text, setText] = useState(isoToDmy(value));
  useEffect(() => {
    // Only a change from outside (filters reset, another field) rewrites what is typed.
    if (parseDmy(text) !== value) setText(isoToDmy(value));
  }, [value]);
  const { t } = useI18n();
  const bad = text.trim() !== '' && parseDmy(text) === null;
  const err = useFieldError(bad ? t('datetime.badDate', { text: text.trim() }) : null);
  return (
    <span className="dt-field">
      <input
        ref={err.ref}
        aria-describedby={err.describedBy}
        id={id}
        type="text"
        inputMode="numeric"
        placeholder="dd/mm/yyyy"
        autoComplete="off"
        required={required}
        aria-invalid={bad || undefined}
        aria-label={rest['aria-label']}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          const iso = e.target.value.trim() === '' ? '' : parseDmy(e.target.value);
          if (iso !== null) onChange(iso);
        }}
      />
      {err.note}
    </span>
  );
}

/** `value` is HH:MM, 24-hour. */
export function TimeField({ id, value, onChange, required, seconds = false, ...rest }: FieldProps) {
  const [text, setText] = useState(value);
  useEffect(() => {
    if (parseHm(text, seconds) !== value) setText(value);
  }, [value]);
  const { t } = useI18n();
  const bad = text.trim() !== '' && parseHm(text, seconds) === null;
  const err = useFieldError(bad ? t(seconds ? 'datetime.badTimeSeconds' : 'datetime.badTime', { text: text.trim() }) : null);
  return (
    <span className="dt-field">
      <input
        ref={err.ref}
        aria-describedby={err.describedBy}
        id={id}
        type="text"
        inputMode="numeric"
        placeholder={seconds ? 'HH:MM:SS' : 'HH:MM'}
        autoComplete="off"
        required={required}
        aria-invalid={bad || undefined}
        aria-label={rest['aria-label']}
        value={text}
        size={seconds ? 8 : 6}
        onChange={(e) => {
          setText(e.target.value);
          const hm = parseHm(e.target.value, seconds);
          if (hm !== null) onChange(hm);
        }}
      />
      {err.note}
    </span>
  );
}
