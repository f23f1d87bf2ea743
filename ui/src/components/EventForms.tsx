import { useState } from 'react';
import { api } from '../api/endpoints.js';
import { useSubmit } from '../api/useSubmit.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { ErrorText } from './common.js';

/** Police note on an event: internal, or public (what the residents read as feedback). */
export function NoteForm({ eventId, onSaved }: { eventId: number; onSaved(): void }) {
  const { t } = useI18n();
  const [body, setBody] = useState('');
  const [visibility, setVisibility] = useState<'internal' | 'public'>('internal');
  const { busy, error, submit } = useSubmit(async () => {
    await api.eventNote(eventId, body.trim(), visibility);
    setBody('');
    onSaved();
  });
  return (
    <form onSubmit={submit} className="stack" aria-label={t('note.add')}>
      <label htmlFor="event-note">{t('note.add')}</label>
      <textarea id="event-note" rows={2} required maxLength={4000} value={body} onChange={(e) => setBody(e.target.value)} />
      <fieldset className="inline">
        <legend>{t('alert.noteVisibility')}</legend>
        <label>
          <input type="radio" name="event-note-vis" checked={visibility === 'internal'} onChange={() => setVisibility('internal')} /> {t('note.internal')}
        </label>
        <label>
          <input type="radio" name="event-note-vis" checked={visibility === 'public'} onChange={() => setVisibility('public')} /> {t('note.public')}
        </label>
      </fieldset>
      <button type="submit" disabled={busy || !body.trim()}>
        {busy ? t('common.saving') : t('note.save')}
      </button>
      <ErrorText error={error} />
    </form>
  );
}

/** A resident's comment, optionally flagged ("this happened again tonight"). */
export function CommentForm({ eventId, onSaved }: { eventId: number; onSaved(): void }) {
  const { t } = useI18n();
  const [body, setBody] = useState('');
  const [flag, setFlag] = useState(false);
  const { busy, error, submit } = useSubmit(async () => {
    await api.comment(eventId, body.trim(), flag);
    setBody('');
    setFlag(false);
    onSaved();
  });
  return (
    <form onSubmit={submit} className="stack" aria-label={t('comment.add')}>
      <label htmlFor="event-comment">{t('comment.add')}</label>
      <textarea
        id="event-comment"
        rows={2}
        required
        maxLength={2000}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        placeholder={t('comment.placeholder')}
      />
      <label>
        <input type="checkbox" checked={flag} onChange={(e) => setFlag(e.target.checked)} /> {t('comment.flag')}
      </label>
      <button type="submit" disabled={busy || !body.trim()}>
        {busy ? t('common.saving') : t('comment.save')}
      </button>
      <ErrorText error={error} />
    </form>
  );
}
