import { useMemo } from 'react';
import { api } from '../api/endpoints.js';
import type { CameraView, EventView } from '../api/types.js';
import { useAsync } from '../api/useAsync.js';
import { AreaSelect, ErrorText, Page, Spinner, areaName } from '../components/common.js';
import { DateField } from '../components/DateTimeInputs.js';
import { DayTimeline } from '../components/DayTimeline.js';
import { ExportForm } from '../components/ExportForm.js';
import { capitalize, formatDateTime, formatScore, isoLocalDate, parseLocal, EVENT_LABELS } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { Link, setQuery, useLocation } from '../router.js';
import { useSession } from '../session.js';

const PAGE = 24;
const STATES = ['new', 'acknowledged', 'assigned', 'resolved', 'false_alarm'] as const;

interface Filters {
  cameraId?: number;
  areaId?: number;
  label?: string;
  from?: string;
  to?: string;
  state?: string;
  page: number;
}

function readFilters(q: URLSearchParams): Filters {
  const num = (k: string) => (q.get(k) && Number.isFinite(Number(q.get(k))) ? Number(q.get(k)) : undefined);
  return {
    cameraId: num('cameraId'),
    areaId: num('areaId'),
    label: q.get('label') ?? undefined,
    from: q.get('from') ?? undefined,
    to: q.get('to') ?? undefined,
    state: q.get('state') ?? undefined,
    page: num('page') ?? 0,
  };
}

/** The events list: filters in the address (bookmarkable), thumbnails, and a camera's day. */
export function ReviewPage() {
  const { t, name } = useI18n();
  const session = useSession();
  const { query } = useLocation();
  const f = readFilters(query);
  const set = (patch: Partial<Filters>) => setQuery({ ...f, page: undefined, ...patch } as Record<string, string | number | undefined>);
  const areas = useAsync(() => api.areas(), []);
  const cameras = useAsync<CameraView[]>(() => (session.can('camera.list') ? api.cameras() : Promise.resolve([])), []);
  const range = { from: f.from ? parseLocal(f.from) : undefined, to: f.to ? parseLocal(f.to) + 86_400_000 : undefined };
  const events = useAsync(
    () =>
      api.events({
        cameraId: f.cameraId,
        areaId: f.areaId,
        label: f.label,
        state: f.state,
        from: range.from,
        to: range.to,
        limit: PAGE,
        offset: f.page * PAGE,
      }),
    [f.cameraId, f.areaId, f.label, f.state, f.from, f.to, f.page],
  );
  const day = f.from && f.cameraId ? parseLocal(f.from) : Date.now();
  const dayEvents = useAsync(
    () =>
      f.cameraId
        ? api.events({ cameraId: f.cameraId, from: parseLocal(isoLocalDate(day)), to: parseLocal(isoLocalDate(day)) + 86_400_000, limit: 200, sort: 'startAt' })
        : Promise.resolve(null),
    [f.cameraId, isoLocalDate(day)],
  );
  const camName = useMemo(() => new Map((cameras.data ?? []).map((c) => [c.id, c.name])), [cameras.data]);
  const total = events.data?.total ?? 0;

  return (
    <Page title={t('review.title')}>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('filter.label')}>
        {session.can('camera.list') && (
          <label>
            {t('field.camera')}
            <select value={f.cameraId ?? ''} onChange={(e) => set({ cameraId: e.target.value ? Number(e.target.value) : undefined })}>
              <option value="">{t('filter.allCameras')}</option>
              {(cameras.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          {t('field.area')}
          <AreaSelect areas={areas.data ?? []} value={f.areaId ?? null} onChange={(id) => set({ areaId: id ?? undefined })} emptyLabel={t('filter.allAreas')} />
        </label>
        <label>
          {t('field.label')}
          <select value={f.label ?? ''} onChange={(e) => set({ label: e.target.value || undefined })}>
            <option value="">{t('filter.all')}</option>
            {EVENT_LABELS.map((l) => (
              <option key={l} value={l}>
                {name('label', l)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('field.fromDate')}
          <DateField value={f.from ?? ''} onChange={(v) => set({ from: v || undefined })} />
        </label>
        <label>
          {t('field.toDate')}
          <DateField value={f.to ?? ''} onChange={(v) => set({ to: v || undefined })} />
        </label>
        <label>
          {t('field.alertState')}
          <select value={f.state ?? ''} onChange={(e) => set({ state: e.target.value || undefined })}>
            <option value="">{t('filter.all')}</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {name('alertState', s)}
              </option>
            ))}
          </select>
        </label>
      </form>

      {f.cameraId !== undefined && (
        <section className="card" aria-labelledby="day-title">
          <h2 id="day-title">
            {t('review.dayOf', { camera: camName.get(f.cameraId) ?? `#${f.cameraId}`, date: isoLocalDate(day).split('-').reverse().join('/') })}
          </h2>
          {dayEvents.data && <DayTimeline day={day} events={dayEvents.data.items} />}
          {session.can('clip.export') && (
            <details>
              <summary>{t('export.title')}</summary>
              <ExportForm cameraId={f.cameraId} from={Math.min(Date.now(), day + 8 * 3_600_000)} to={Math.min(Date.now(), day + 8 * 3_600_000 + 600_000)} />
            </details>
          )}
        </section>
      )}

      <ErrorText error={events.error} />
      {events.loading && !events.data && <Spinner label={t('common.loading')} />}
      {events.data && events.data.items.length === 0 && <p className="muted">{t('review.none')}</p>}
      <ul className="event-grid">
        {(events.data?.items ?? []).map((e) => (
          <EventCard key={e.id} e={e} camera={camName.get(e.cameraId)} area={areaName(areas.data, e.areaId)} />
        ))}
      </ul>
      {total > PAGE && (
        <nav className="pager" aria-label={t('common.pages')}>
          <button type="button" disabled={f.page === 0} onClick={() => setQuery({ ...f, page: f.page - 1 } as Record<string, string | number | undefined>)}>
            {t('common.previous')}
          </button>
          <span>{t('common.pageOf', { page: f.page + 1, pages: Math.ceil(total / PAGE) })}</span>
          <button
            type="button"
            disabled={(f.page + 1) * PAGE >= total}
            onClick={() => setQuery({ ...f, page: f.page + 1 } as Record<string, string | number | undefined>)}
          >
            {t('common.next')}
          </button>
        </nav>
      )}
    </Page>
  );
}

function EventCard({ e, camera, area }: { e: EventView; camera: string | undefined; area: string }) {
  const { t, name } = useI18n();
  return (
    <li className="event-card" data-event-id={e.id}>
      <Link to={`/events/${e.id}`} className="event-link">
        <div className="thumb">
          {e.snapshotUrl ? (
            <img src={e.snapshotUrl} alt="" width={320} height={180} loading="lazy" decoding="async" />
          ) : (
            <span className="muted">{t('event.noSnapshot')}</span>
          )}
        </div>
        <div className="event-card-text">
          <strong>{capitalize(name('label', e.label))}</strong> <span className="muted">{formatScore(e.score)}</span>
          {e.pinned && <span className="chip">{t('event.pinned')}</span>}
          {e.visibility === 'shared' && <span className="chip">{t('event.shared')}</span>}
          <div>
            {camera ?? e.cameraName ?? t('event.cameraNumber', { id: e.cameraId })} · {area}
          </div>
          <div className="muted">
            <time dateTime={new Date(e.startAt).toISOString()}>{formatDateTime(e.startAt)}</time>
          </div>
        </div>
      </Link>
    </li>
  );
}
