import { useCallback, useEffect, useMemo, useState } from 'react';
import { api } from '../api/endpoints.js';
import { getJson, postJson, request } from '../api/http.js';
import type { AnnouncementMessage } from '../api/types.js';
import { useAsync } from '../api/useAsync.js';
import { useSubmit } from '../api/useSubmit.js';
import { AreaSelect, ErrorText, ownAreas, Page } from '../components/common.js';
import { formatDateTime } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { useAnnouncementLive } from '../realtime/useReportLive.js';
import { useSession } from '../session.js';

type Feed = { items: AnnouncementMessage[]; total: number; unread: number };

function PostForm({ onPosted }: { onPosted(): void }) {
  const { t } = useI18n();
  const session = useSession();
  const areas = useAsync(() => api.areas(), []);
  const [areaId, setAreaId] = useState<number | null>(null);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [photo, setPhoto] = useState<File | null>(null);
  const post = useSubmit(async () => {
    if (photo) {
      const form = new FormData();
      form.set('areaId', String(areaId ?? ''));
      form.set('title', title);
      form.set('body', body);
      form.append('photo', photo, photo.name);
      await request('POST', '/api/announcements', form, { timeoutMs: 120_000 });
    } else await postJson('/api/announcements', { areaId, title, body });
    setTitle('');
    setBody('');
    setPhoto(null);
    onPosted();
  });
  const mine = useMemo(() => ownAreas(areas.data ?? [], session.user), [areas.data, session.user]);

  return (
    <form className="report-form no-print" onSubmit={(e) => void post.submit(e)}>
      <h2>{t('ann.post')}</h2>
      <label htmlFor="ann-area">{t('field.area')}</label>
      <AreaSelect id="ann-area" areas={mine} value={areaId} onChange={setAreaId} emptyLabel={t('field.noArea')} />
      <label htmlFor="ann-title">{t('ann.titleField')}</label>
      <input id="ann-title" required minLength={3} maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
      <label htmlFor="ann-body">{t('field.body')}</label>
      <textarea id="ann-body" rows={3} required value={body} onChange={(e) => setBody(e.target.value)} />
      <label htmlFor="ann-photo">{t('ann.photo')}</label>
      <input id="ann-photo" type="file" accept="image/jpeg,image/png" onChange={(e) => setPhoto(e.target.files?.[0] ?? null)} />
      <ErrorText error={post.error} />
      <button type="submit" className="primary" disabled={post.busy}>
        {t('ann.send')}
      </button>
    </form>
  );
}

/** The area's announcements, newest first; opening the page marks them read. Police post from here. */
export function AnnouncementsPage() {
  const { t } = useI18n();
  const session = useSession();
  const feed = useAsync(() => getJson<Feed>('/api/announcements?limit=100'), []);
  const [fresh, setFresh] = useState<AnnouncementMessage[]>([]);
  useAnnouncementLive(useCallback((a: AnnouncementMessage) => setFresh((f) => [a, ...f.filter((x) => x.id !== a.id)]), []));
  const loaded = feed.data !== undefined;
  useEffect(() => {
    if (loaded) void postJson('/api/announcements/read').catch((err: unknown) => console.warn('read marks not saved', err));
  }, [loaded, fresh.length]);
  const known = new Set((feed.data?.items ?? []).map((a) => a.id));
  const items = [...fresh.filter((a) => !known.has(a.id)), ...(feed.data?.items ?? [])];
  return (
    <Page title={t('ann.title')}>
      {session.can('announcement.create') && <PostForm onPosted={feed.reload} />}
      <ErrorText error={feed.error} />
      {loaded && items.length === 0 && <p className="muted">{t('ann.none')}</p>}
      <ol className="report-list" data-testid="announcements">
        {items.map((a) => (
          <li key={a.id} className={a.read ? '' : 'unread'}>
            <strong>{a.title}</strong>
            <div className="muted">
              {a.areaName} · {formatDateTime(a.createdAt, false)}
              {a.authorName ? ` · ${a.authorName}` : ''}
            </div>
            <p className="report-body">{a.body}</p>
            {a.photoUrl && <img className="announcement-photo" src={a.photoUrl} alt={t('ann.photoOf', { title: a.title })} loading="lazy" />}
          </li>
        ))}
      </ol>
    </Page>
  );
}
