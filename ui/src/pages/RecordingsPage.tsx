import { useCallback, useEffect, useState } from 'react';
import { api, type PlaybackView } from '../api/endpoints.js';
import type { EventView } from '../api/types.js';
import { useAsync } from '../api/useAsync.js';
import { ErrorText, Page } from '../components/common.js';
import { ExportForm } from '../components/ExportForm.js';
import { mediaTimeOf, RecordingTimeline, wallTimeOf } from '../components/RecordingTimeline.js';
import { SPEEDS, TimelineTools, useTimelineData, useTimelineView } from '../components/TimelineZoom.js';
import { VideoPlayer } from '../components/VideoPlayer.js';
import { formatDateTime } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { Link, useLocation } from '../router.js';
import { useSession } from '../session.js';

/**
 * The continuous recording of one camera: a zoomable timeline (24 h → 1 min) with its events,
 * dragged to scrub; playback from any moment across segments, 1–8×; export of the range shown.
 * `?at=<epoch ms>` opens it at a moment (the event page links here).
 */
export function RecordingsPage({ id }: { id: number }) {
  const { t } = useI18n();
  const session = useSession();
  const at = Number(useLocation().query.get('at')) || null;
  const camera = useAsync(() => api.camera(id), [id]);
  const view = useTimelineView(at);
  const [cursor, setCursor] = useState<number | null>(at);
  const [win, setWin] = useState<{ view: PlaybackView; start: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { from, spanMs } = view;
  const { spans, events } = useTimelineData(id, from, spanMs);

  const playFrom = useCallback(
    (ms: number) => {
      setCursor(ms);
      setError(null);
      api.playback(id, ms).then(
        (view) => setWin({ view, start: mediaTimeOf(view.spans, view.startAt, ms) }),
        (err: unknown) => setError(err),
      );
    },
    [id],
  );
  useEffect(() => {
    if (at) playFrom(at);
  }, [at, playFrom]);
  const onEvent = (e: EventView) => playFrom(Math.max(e.startAt - 3_000, 0));
  const name = camera.data?.name ?? `#${id}`;
  return (
    <Page title={t('rec.title', { name })} className="recordings-page">
      <TimelineTools view={view} cursor={cursor}>
        <span className="muted" data-testid="rec-cursor">
          {cursor !== null && formatDateTime(cursor)}
        </span>
        <Link to={`/recordings?cameras=${id}${cursor !== null ? `&at=${Math.round(cursor)}` : ''}`} className="button">
          {t('rec3.compare')}
        </Link>
      </TimelineTools>
      <RecordingTimeline
        from={from}
        spanMs={spanMs}
        spans={spans.data?.spans ?? []}
        events={events.data?.items ?? []}
        cursor={cursor}
        onScrub={setCursor}
        onSeek={playFrom}
        onEvent={onEvent}
        thumbOf={(ms) => api.thumbUrl(id, ms)}
      />
      <ErrorText error={error ?? spans.error ?? camera.error} />
      {win && (
        <VideoPlayer
          key={`${win.view.videoUrl}-${win.start}`}
          src={win.view.videoUrl}
          name={`camera-${id}`}
          autoPlay
          speeds={SPEEDS}
          startTime={win.start}
          testId="rec-video"
          onTime={(s) => setCursor(wallTimeOf(win.view.spans, win.view.startAt, s))}
          onEnded={() => win.view.to < Date.now() - 5_000 && playFrom(win.view.to)}
        />
      )}
      {session.can('clip.export') && (
        <details className="rec-export">
          <summary>{t('rec.exportRange')}</summary>
          <ExportForm key={from} cameraId={id} from={from} to={Math.min(from + spanMs, Date.now())} />
        </details>
      )}
    </Page>
  );
}
