import { useState, type FormEvent } from 'react';
import { ALERT_TRANSITIONS } from '../../../server/api/api.types.js';
import { api } from '../api/endpoints.js';
import type { AlertMessage, AlertStateName, UserView } from '../api/types.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { ErrorText } from './common.js';

const ACTION_KEYS = {
  acknowledged: 'alert.do.acknowledge',
  assigned: 'alert.do.assign',
  resolved: 'alert.do.resolve',
  false_alarm: 'alert.do.falseAlarm',
  new: 'alert.do.acknowledge',
} as const;

/**
 * Acknowledge / assign / resolve / false alarm with an optional note, internal (police only)
 * or public (the feedback residents read). Offers only the moves the workflow allows
 * (the server's own transition table).
 */
export function AlertActions({
  alert,
  officers,
  onDone,
  optimistic,
}: {
  alert: AlertMessage;
  officers: readonly UserView[];
  onDone(a: AlertMessage): void;
  /** Given: a state change shows at once and the request finishes in the background (the caller rolls back on failure). */
  optimistic?(next: AlertMessage, request: Promise<AlertMessage>): void;
}) {
  const { t, name } = useI18n();
  const [note, setNote] = useState('');
  const [visibility, setVisibility] = useState<'internal' | 'public'>('internal');
  const [assignee, setAssignee] = useState<number | ''>(alert.assigneeId ?? '');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const moves = ALERT_TRANSITIONS[alert.state] as readonly AlertStateName[];
  const idp = `alert-${alert.id}`;

  const act = async (state: AlertStateName | 'note') => {
    if (optimistic && state !== 'note') {
      const text = note.trim();
      const request = api
        .changeAlert(alert.id, {
          state,
          ...(text ? { note: text, noteVisibility: visibility } : {}),
          ...(state === 'assigned' && assignee !== '' ? { assigneeId: assignee } : {}),
        })
        .then((r) => r.alert);
      optimistic({ ...alert, state, assigneeId: state === 'assigned' && assignee !== '' ? assignee : alert.assigneeId }, request);
      return;
    }
    setBusy(state);
    setError(null);
    try {
      const text = note.trim();
      if (state === 'note') {
        await api.alertNote(alert.id, text, visibility);
        onDone(alert);
      } else {
        const r = await api.changeAlert(alert.id, {
          state,
          ...(text ? { note: text, noteVisibility: visibility } : {}),
          ...(state === 'assigned' && assignee !== '' ? { assigneeId: assignee } : {}),
        });
        onDone(r.alert);
      }
      setNote('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const submit = (e: FormEvent) => e.preventDefault();

  if (moves.length === 0) return <p className="muted">{t('alert.closed', { state: name('alertState', alert.state) })}</p>;
  return (
    <form className="alert-actions" onSubmit={submit} aria-label={t('alert.actionsFor', { id: alert.id })}>
      <label htmlFor={`${idp}-note`}>{t('alert.note')}</label>
      <textarea id={`${idp}-note`} rows={2} maxLength={4000} value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('alert.notePlaceholder')} />
      <fieldset className="inline">
        <legend>{t('alert.noteVisibility')}</legend>
        <label>
          <input type="radio" name={`${idp}-vis`} value="internal" checked={visibility === 'internal'} onChange={() => setVisibility('internal')} />{' '}
          {t('note.internal')}
        </label>
        <label>
          <input type="radio" name={`${idp}-vis`} value="public" checked={visibility === 'public'} onChange={() => setVisibility('public')} />{' '}
          {t('note.public')}
        </label>
      </fieldset>
      {moves.includes('assigned') && (
        <>
          <label htmlFor={`${idp}-assignee`}>{t('alert.assignee')}</label>
          <select id={`${idp}-assignee`} value={assignee} onChange={(e) => setAssignee(e.target.value ? Number(e.target.value) : '')}>
            <option value="">{t('alert.chooseOfficer')}</option>
            {officers.map((u) => (
              <option key={u.id} value={u.id}>
                {u.displayName}
              </option>
            ))}
          </select>
        </>
      )}
      <div className="button-row">
        {moves.map((s) => (
          <button
            key={s}
            type="button"
            className={`state-${s}`}
            data-action={s}
            disabled={busy !== null || (s === 'assigned' && assignee === '')}
            onClick={() => void act(s)}
          >
            {busy === s ? t('common.saving') : t(ACTION_KEYS[s])}
          </button>
        ))}
        <button type="button" data-action="note" disabled={busy !== null || !note.trim()} onClick={() => void act('note')}>
          {t('alert.do.noteOnly')}
        </button>
      </div>
      <ErrorText error={error} />
    </form>
  );
}
