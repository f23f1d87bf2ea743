import { useEffect, useState } from 'react';
import { api, type PlaybackView } from '../api/endpoints.js';
import type { CameraView } from '../api/types.js';
import { useAsync } from '../api/useAsync.js';
import { ErrorText, Page } from '../components/common.js';
import { mediaTimeOf, RecordingTimeline, wallTimeOf } from '../components/RecordingTimeline.js';
import { SPEEDS, TimelineTools, useTimelineData, useTimelineView, type TimelineView } from '../components/TimelineZoom.js';
import { VideoPlayer } from '../components/VideoPlayer.js';
import { formatDateTime } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { Link, setQuery, useLocation } from '../router.js';

/** Cameras played side by side at most: beyond four the pictures are too small and the disk too busy. */
const MAX_CAMERAS = 4;

interface Play {
  at: number;
  /** The camera whose clock the others follow (the lane last clicked). */
  leader: number;
}

const idsOf = (v: string | null) => [...new Set((v ?? '').split(',').map(Number))].filter((n) => Number.isInteger(n) && n > 0).slice(0, MAX_CAMERAS);

/**
 * Several cameras' recordings on one time axis (issue 15): a lane per chosen camera with its
 * recorded spans and event marks, one zoom and one playhead for all; dragging any lane scrubs
 * them all, releasing (or clicking a lane, or an event mark) plays the chosen cameras side by
 * side from that moment, in sync with the camera clicked. `?cameras=1,2&at=<epoch ms>`.
 */
export function MultiRecordingsPage() {
  const { t } = useI18n();
  const query = useLocation().query;
  const at = Number(query.get('at')) || null;
  const ids = idsOf(query.get('cameras'));
  const cameras = useAsync(() => api.cameras(), []);
  const view = useTimelineView(at);
  const [cursor, setCursor] = useState<number | null>(at);
  const [play, setPlay] = useState<Play | null>(null);
  const byId = new Map((cameras.data ?? []).map((c) => [c.id, c]));
  const chosen = ids.map((id) => byId.get(id)).filter((c): c is CameraView => c !== undefined);
  const toggle = (id: number, on: boolean) => {
    const next = on ? [...ids, id] : ids.filter((x) => x !== id);
    setQuery({ cameras: next.join(','), at: query.get('at') });
    if (play && !next.includes(play.leader)) setPlay(null);
  };
  const playAt = (leader: number, ms: number) => {
    setCursor(ms);
    setPlay({ at: ms, leader });
  };
  return (
    <Page title={t('rec3.title')} className="recordings-page multi-recordings">
      <fieldset className="rec-choose">
        <legend>{t('rec3.choose', { n: MAX_CAMERAS })}</legend>
        {(cameras.data ?? []).map((c) => (
          <label key={c.id}>
            <input
              type="checkbox"
              checked={ids.includes(c.id)}
              disabled={!ids.includes(c.id) && ids.length >= MAX_CAMERAS}
              onChange={(e) => toggle(c.id, e.target.checked)}
            />
            {c.name}
          </label>
        ))}
      </fieldset>
      <ErrorText error={cameras.error} />
      <TimelineTools view={view} cursor={cursor}>
        <span className="muted" data-testid="rec-cursor">
          {cursor !== null && formatDateTime(cursor)}
        </span>
      </TimelineTools>
      {cameras.data && chosen.length === 0 && <p className="muted">{t('rec3.none')}</p>}
      <div className="rec-lanes">
        {chosen.map((c, i) => (
          <Lane
            key={c.id}
            camera={c}
            view={view}
            cursor={cursor}
            leader={play?.leader === c.id}
            last={i === chosen.length - 1}
            onScrub={setCursor}
            onSeek={(ms) => playAt(c.id, ms)}
          />
        ))}
      </div>
      {play && chosen.length > 0 && (
        <SyncedPlayers
          key={`${play.leader}-${play.at}`}
          cameras={chosen}
          play={play}
          onCursor={setCursor}
          onNext={(ms) => setPlay({ at: ms, leader: play.leader })}
        />
      )}
    </Page>
  );
}

/** One camera's lane: its recorded spans and events over the shared range. */
function Lane(p: {
  camera: CameraView;
  view: TimelineView;
  cursor: number | null;
  leader: boolean;
  last: boolean;
  onScrub(ms: number): void;
  onSeek(ms: number): void;
}) {
  const { t } = useI18n();
  const { from, spanMs } = p.view;
  const id = p.camera.id;
  const { spans, events } = useTimelineData(id, from, spanMs);
  return (
    <div className="rec-lane" data-camera-id={id} data-leader={p.leader}>
      <div className="rec-lane-name">
        <strong>{p.camera.name}</strong>
        {p.leader && <span className="badge">{t('rec3.leader')}</span>}
        <Link to={`/recordings/${id}${p.cursor !== null ? `?at=${Math.round(p.cursor)}` : ''}`} className="muted">
          {t('rec3.openOne')}
        </Link>
      </div>
      <RecordingTimeline
        from={from}
        spanMs={spanMs}
        spans={spans.data?.spans ?? []}
        events={events.data?.items ?? []}
        cursor={p.cursor}
        onScrub={p.onScrub}
        onSeek={p.onSeek}
        onEvent={(e) => p.onSeek(Math.max(e.startAt - 3_000, 0))}
        thumbOf={(ms) => api.thumbUrl(id, ms)}
        label={t('rec3.lane', { name: p.camera.name })}
        ticks={p.last}
        testId={`rec-lane-${id}`}
      />
      <ErrorText error={spans.error ?? events.error} />
    </div>
  );
}

/**
 * The chosen cameras played side by side from one moment. The leader plays freely (its speed
 * and pause are the user's); each other player follows the leader's wall-clock moment mapped
 * into its own window (recordings have their own gaps), re-seeked only when it drifts.
 */
function SyncedPlayers(p: { cameras: CameraView[]; play: Play; onCursor(ms: number): void; onNext(ms: number): void }) {
  const { t } = useI18n();
  const [views, setViews] = useState<ReadonlyMap<number, PlaybackView | { error: unknown }>>(new Map());
  const [lead, setLead] = useState({ wall: p.play.at, rate: 1, paused: false });
  const idKey = p.cameras.map((c) => c.id).join(',');
  useEffect(() => {
    let live = true;
    for (const id of idKey.split(',').map(Number))
      api.playback(id, p.play.at).then(
        (v) => live && setViews((m) => new Map(m).set(id, v)),
        (error: unknown) => live && setViews((m) => new Map(m).set(id, { error })),
      );
    return () => {
      live = false;
    };
  }, [idKey, p.play.at]);
  return (
    <div className="rec-sync" style={{ ['--cols' as string]: p.cameras.length > 1 ? 2 : 1 }}>
      <p className="muted">{t('rec3.sync', { time: formatDateTime(p.play.at) })}</p>
      <div className="rec-sync-grid">
        {p.cameras.map((c) => {
          const v = views.get(c.id);
          const leader = c.id === p.play.leader;
          return (
            <figure key={c.id} className="rec-sync-cell" data-camera-id={c.id} data-leader={leader}>
              <figcaption>
                {c.name}
                {leader && ` · ${t('rec3.leader')}`}
              </figcaption>
              {v === undefined ? (
                <p className="muted">{t('common.loading')}</p>
              ) : 'error' in v ? (
                <ErrorText error={v.error} />
              ) : (
                <VideoPlayer
                  src={v.videoUrl}
                  name={`camera-${c.id}`}
                  autoPlay
                  speeds={SPEEDS}
                  startTime={mediaTimeOf(v.spans, v.startAt, p.play.at)}
                  testId={`rec-video-${c.id}`}
                  onTime={
                    leader
                      ? (s) => {
                          const wall = wallTimeOf(v.spans, v.startAt, s);
                          setLead((l) => ({ ...l, wall }));
                          p.onCursor(wall);
                        }
                      : undefined
                  }
                  onRate={leader ? (rate) => setLead((l) => ({ ...l, rate })) : undefined}
                  onPaused={leader ? (paused) => setLead((l) => ({ ...l, paused })) : undefined}
                  follow={leader ? undefined : { time: mediaTimeOf(v.spans, v.startAt, lead.wall), rate: lead.rate, paused: lead.paused }}
                  onEnded={leader ? () => v.to < Date.now() - 5_000 && p.onNext(v.to) : undefined}
                />
              )}
            </figure>
          );
        })}
      </div>
    </div>
  );
}
