import { useMemo, useState } from 'react';
import { api } from '../api/endpoints.js';
import type { EventDetail, UserView } from '../api/types.js';
import { useAsync } from '../api/useAsync.js';
import { AlertActions } from '../components/AlertActions.js';
import { ClipPlayer } from '../components/ClipPlayer.js';
import { ErrorText, Page, Spinner, areaName } from '../components/common.js';
import { CommentForm, NoteForm } from '../components/EventForms.js';
import { ExportForm } from '../components/ExportForm.js';
import { capitalize, formatDateTime, formatScore } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

/** One event: clip, best snapshot, what happened when, what the police did, and the residents' word. */
export function EventPage({ id }: { id: number }) {
  const { t, name } = useI18n();
  const session = useSession();
  const detail = useAsync(() => api.event(id), [id]);
  const areas = useAsync(() => api.areas(), []);
  const users = useAsync<UserView[]>(() => (session.can('user.list') ? api.users() : Promise.resolve([])), []);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const toggle = async (what: 'share' | 'pin') => {
    const d = detail.data;
    if (!d) return;
    setBusy(what);
    setError(null);
    try {
      if (what === 'share') await api.shareEvent(id, d.event.visibility !== 'shared');
      else await api.pinEvent(id, !d.event.pinned);
      detail.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  if (detail.error)
    return (
      <Page title={t('event.title')}>
        <ErrorText error={detail.error} />
        <Link to="/events">{t('event.back')}</Link>
      </Page>
    );
  if (!detail.data)
    return (
      <Page title={t('event.title')}>
        <Spinner label={t('common.loading')} />
      </Page>
    );
  const d = detail.data;
  const e = d.event;
  const internal = session.can('event.share');
  const title = `${capitalize(name('label', e.label))} · ${d.camera?.name ?? t('event.cameraNumber', { id: e.cameraId })}`;
  return (
    <Page
      title={title}
      className="event-page"
      actions={
        <Link to="/events" className="button">
          {t('event.back')}
        </Link>
      }
    >
      <p className="event-meta">
        <span>{areaName(areas.data, e.areaId)}</span> · <time dateTime={new Date(e.startAt).toISOString()}>{formatDateTime(e.startAt)}</time>
        {' · '}
        {t('alert.score')} {formatScore(e.score)}
        {/* Workflow states and evidence pins are the police's; residents see the outcome only. */}
        {d.alert && (internal || d.alert.state === 'resolved' || d.alert.state === 'false_alarm') && (
          <>
            {' '}
            ·{' '}
            <span className={`chip state-${d.alert.state}`} data-testid="alert-state">
              {name('alertState', d.alert.state)}
            </span>
          </>
        )}
        {internal && e.visibility === 'shared' && <span className="chip">{t('event.shared')}</span>}
        {internal && e.pinned && <span className="chip">{t('event.pinned')}</span>}
      </p>
      <div className="event-layout">
        <div className="event-media">
          <h2>{t('clip.title')}</h2>
          <ClipPlayer clip={d.clip} canDownload={session.can('clip.download')} canWatchRecording={session.can('camera.live')} />
          {session.can('camera.live') && (
            <p>
              <Link to={`/recordings/${e.cameraId}?at=${e.startAt - 5_000}`} data-testid="open-recording-at-event">
                {t('rec.openAtEvent')}
              </Link>
            </p>
          )}
          <h2>{t('event.bestSnapshot')}</h2>
          {e.snapshotUrl ? (
            <img className="snapshot" src={e.snapshotUrl} alt={t('event.bestSnapshot')} width={640} height={360} loading="lazy" />
          ) : (
            <p className="muted">{e.mediaDeletedAt ? t('event.mediaDeleted') : t('event.noSnapshot')}</p>
          )}
        </div>
        <div className="event-side">
          {session.can('event.share') && (
            <div className="button-row">
              <button type="button" disabled={busy !== null} onClick={() => void toggle('share')} data-testid="share-toggle">
                {e.visibility === 'shared' ? t('event.unshare') : t('event.share')}
              </button>
              <button type="button" disabled={busy !== null} onClick={() => void toggle('pin')}>
                {e.pinned ? t('event.unpin') : t('event.pin')}
              </button>
            </div>
          )}
          <ErrorText error={error} />
          {d.alert && session.can('alert.update') && (
            <AlertActions alert={d.alert} officers={(users.data ?? []).filter((u) => u.roles.includes('police'))} onDone={() => detail.reload()} />
          )}
          <Timeline d={d} users={users.data ?? []} />
          <Notes d={d} />
          {session.can('note.create') && <NoteForm eventId={id} onSaved={detail.reload} />}
          <Comments d={d} />
          {session.can('comment.create') && <CommentForm eventId={id} onSaved={detail.reload} />}
          {session.can('clip.export') && (
            <details>
              <summary>{t('export.title')}</summary>
              <ExportForm cameraId={e.cameraId} from={e.startAt - 30_000} to={(e.endAt ?? e.lastSeenAt ?? e.startAt) + 30_000} />
            </details>
          )}
        </div>
      </div>
    </Page>
  );
}

function who(users: readonly UserView[], id: number | null, fallback: string): string {
  return (id !== null && users.find((u) => u.id === id)?.displayName) || fallback;
}

/** The event's own moments and the alert's history, in time order. */
function Timeline({ d, users }: { d: EventDetail; users: readonly UserView[] }) {
  const { t, name } = useI18n();
  const rows = useMemo(() => {
    const e = d.event;
    const out: { at: number; text: string; note?: string | null }[] = [{ at: e.startAt, text: t('timeline.started', { label: name('label', e.label) }) }];
    if (e.endAt !== null) out.push({ at: e.endAt, text: t('timeline.ended') });
    for (const h of d.history) {
      const by = h.userId !== null ? who(users, h.userId, t('timeline.someone')) : null;
      out.push({
        at: h.at,
        text: by ? t('timeline.stateBy', { state: name('alertState', h.toState), who: by }) : t('timeline.state', { state: name('alertState', h.toState) }),
        note: h.note,
      });
    }
    return out.sort((a, b) => a.at - b.at);
  }, [d, users, t, name]);
  return (
    <section aria-labelledby="tl-title">
      <h2 id="tl-title">{t('timeline.title')}</h2>
      <ol className="timeline">
        {rows.map((r, i) => (
          <li key={i}>
            <time>{formatDateTime(r.at)}</time> {r.text}
            {r.note && <q>{r.note}</q>}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** Notes and comments carry their author's name (residents never get user ids). */
function Notes({ d }: { d: EventDetail }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="notes-title" data-testid="notes">
      <h2 id="notes-title">{t('note.title')}</h2>
      {d.notes.length === 0 && <p className="muted">{t('note.none')}</p>}
      <ul className="notes">
        {d.notes.map((n) => (
          <li key={n.id} className={`note ${n.visibility}`} data-visibility={n.visibility}>
            <div className="muted">
              <span className="author">{n.authorName ?? t('note.police')}</span> · {formatDateTime(n.createdAt)} ·{' '}
              <span className="chip">{n.visibility === 'public' ? t('note.public') : t('note.internal')}</span>
            </div>
            <p>{n.body}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Comments({ d }: { d: EventDetail }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="comments-title">
      <h2 id="comments-title">{t('comment.title')}</h2>
      {d.comments.length === 0 && <p className="muted">{t('comment.none')}</p>}
      <ul className="notes">
        {d.comments.map((c) => (
          <li key={c.id} className={`note${c.flag ? ' flagged' : ''}`}>
            <div className="muted">
              <span className="author">{c.mine ? t('comment.you') : (c.authorName ?? t('comment.resident'))}</span> · {formatDateTime(c.createdAt)}
              {c.flag && (
                <>
                  {' '}
                  · <span className="chip flag">{t('comment.flagged')}</span>
                </>
              )}
            </div>
            <p>{c.body}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
