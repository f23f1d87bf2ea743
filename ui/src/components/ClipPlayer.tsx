import { useEffect, useState } from 'react';
import { api, type PlaybackView } from '../api/endpoints.js';
import type { ClipView } from '../api/types.js';
import { formatBytes } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { VideoPlayer } from './VideoPlayer.js';

const PENDING_POLL_MS = 2_000;

/**
 * Poster first, video on demand: on a phone over a weak link nothing but the poster loads
 * until the user asks to play. The server answers Range requests, so seeking works. A clip
 * still being cut shows how long it has been waiting and, for those who may watch the
 * camera's recording, plays the recording from the event meanwhile; the clip swaps in by
 * itself when ready (playing, if the recording was).
 */
export function ClipPlayer({
  clip: given,
  canDownload,
  canWatchRecording = false,
}: {
  clip: ClipView | null;
  canDownload: boolean;
  canWatchRecording?: boolean;
}) {
  const { t, lang } = useI18n();
  const [playing, setPlaying] = useState(false);
  const [fallback, setFallback] = useState(false);
  const clip = usePendingClip(given);
  if (!clip)
    return (
      <div className="player empty">
        <span className="muted">{t('clip.none')}</span>
      </div>
    );
  if (clip.state === 'pending')
    return (
      <div className="player-wrap">
        {canWatchRecording && <RecordingFallback clip={clip} onPlay={() => setPlaying(true)} onShown={setFallback} />}
        <PendingClip clip={clip} compact={fallback} />
      </div>
    );
  if (clip.state === 'failed' || !clip.videoUrl) {
    return (
      <div className="player empty">
        <span className="muted">{clip.deletedAt !== null ? t('clip.deleted') : t('clip.failed')}</span>
      </div>
    );
  }
  const seconds = clip.durationMs !== null ? Math.round(clip.durationMs / 1000) : null;
  return (
    <div className="player-wrap">
      {playing ? (
        <VideoPlayer src={clip.videoUrl} poster={clip.posterUrl ?? undefined} name={`clip-${clip.id}`} autoPlay testId="clip-video" />
      ) : (
        <div className="player">
          <button type="button" className="poster" data-testid="clip-play" onClick={() => setPlaying(true)} aria-label={t('clip.play')}>
            {clip.posterUrl ? <img src={clip.posterUrl} alt="" decoding="async" /> : <span className="muted">{t('clip.noPoster')}</span>}
            <span className="play-icon" aria-hidden="true">
              ▶
            </span>
          </button>
        </div>
      )}
      <p className="muted clip-info">
        {seconds !== null && t('clip.duration', { seconds })} · {formatBytes(lang, clip.bytes)}
        {canDownload && (
          <>
            {' '}
            · <a href={`/api/clips/${clip.id}/download`}>{t('clip.download')}</a>
          </>
        )}
        {clip.pinned && canDownload && <> · {t('event.pinned')}</>}
      </p>
      <p className="muted small">{t('player.keys')}</p>
    </div>
  );
}

/** The clip as given, re-read every 2 s while it is still being cut. */
function usePendingClip(given: ClipView | null): ClipView | null {
  const [clip, setClip] = useState(given);
  useEffect(() => setClip(given), [given]);
  const pendingId = clip?.state === 'pending' ? clip.id : null;
  useEffect(() => {
    if (pendingId === null) return;
    const timer = setInterval(() => {
      api
        .clip(pendingId)
        .then((c) => c.state !== 'pending' && setClip(c))
        .catch(() => undefined);
    }, PENDING_POLL_MS);
    return () => clearInterval(timer);
  }, [pendingId]);
  return clip;
}

/** Progress of a clip being cut: it waits for the recording to pass its end, then is cut. */
function PendingClip({ clip, compact }: { clip: ClipView; compact: boolean }) {
  const { t } = useI18n();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  const span = Math.max(1, clip.endAt - clip.startAt);
  // Recording up to the clip's end is most of the wait; the cut itself is the last tenth.
  const done = Math.min(0.95, Math.max(0.02, ((now - clip.startAt) / span) * 0.9));
  return (
    <div className={`player empty${compact ? ' compact' : ''}`} data-testid="clip-pending">
      <div className="pending-box">
        <span className="muted">{t('player.pending', { seconds: Math.max(0, Math.round((now - clip.createdAt) / 1000)) })}</span>
        <progress max={1} value={done} aria-label={t('clip.pending')} />
      </div>
    </div>
  );
}

/**
 * The recording around a clip still being cut, from the clip's start (its pre-roll), so the
 * officer sees the event at once. Nothing shows when the recording cannot be had (no
 * recording yet, or not this user's to watch): the progress box stays the only answer.
 */
function RecordingFallback({ clip, onPlay, onShown }: { clip: ClipView; onPlay(): void; onShown(shown: boolean): void }) {
  const { t } = useI18n();
  const [win, setWin] = useState<PlaybackView | null>(null);
  useEffect(() => {
    let live = true;
    api
      .playback(clip.cameraId, clip.startAt)
      .then((w) => {
        if (!live || !(w.durationS > 0)) return;
        setWin(w);
        onShown(true);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [clip.cameraId, clip.startAt, onShown]);
  if (!win) return null;
  return (
    <div data-testid="clip-fallback">
      <p className="muted small">{t('player.fallback')}</p>
      <VideoPlayer
        src={win.videoUrl}
        name={`recording-${clip.cameraId}-${clip.startAt}`}
        startTime={Math.max(0, (clip.startAt - win.startAt) / 1000)}
        onPlay={onPlay}
        testId="fallback-video"
      />
    </div>
  );
}
