import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useI18n } from '../i18n/I18nProvider.js';

export interface VideoPlayerProps {
  src: string;
  poster?: string;
  /** Used in the snapshot's file name. */
  name: string;
  autoPlay?: boolean;
  /** Speeds offered (1 first); the recording offers 1–8×. */
  speeds?: readonly number[];
  /** Media time to start at once the metadata is known. */
  startTime?: number;
  onEnded?: () => void;
  onTime?: (t: number) => void;
  /** The user (or autoplay) started playback. */
  onPlay?: () => void;
  /** The user changed the speed, or paused/played (a synced leader's followers copy it). */
  onRate?: (rate: number) => void;
  onPaused?: (paused: boolean) => void;
  /** Follow another player (synced playback): its media time here, speed and pause state. */
  follow?: { time: number; rate: number; paused: boolean };
  testId?: string;
}

const SEEK_STEP = 5;
/** A follower further than this from its leader is moved (smaller drift is not worth a seek's stall). */
const DRIFT_S = 0.6;
/** Until the browser has shown two frames, a frame step is 1/10 s (the cameras' slowest usual rate). */
const DEFAULT_FRAME = 0.1;

const clock = (s: number) => {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
};

/**
 * A player whose box follows the video's own aspect ratio (4:3, 16:9, portrait), never taller
 * than the screen allows, with its control bar *under* the picture so no size can crop it.
 * Mouse, touch (pointer events), and keyboard all seek; frame step and snapshot are for
 * officers reading a number plate or a face.
 */
export function VideoPlayer(p: VideoPlayerProps) {
  const { t } = useI18n();
  const video = useRef<HTMLVideoElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const [aspect, setAspect] = useState(16 / 9);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(Number.NaN);
  const [paused, setPaused] = useState(!p.autoPlay);
  const [speed, setSpeed] = useState(1);
  const frame = useFrameDuration(video);
  useFollow(video, p.follow, setSpeed);

  const seekTo = useCallback((s: number) => {
    const v = video.current;
    if (!v || !Number.isFinite(v.duration)) return;
    v.currentTime = Math.min(Math.max(0, s), v.duration);
    setTime(v.currentTime);
  }, []);
  const toggle = () => {
    const v = video.current;
    if (!v) return;
    if (v.paused) void v.play().catch(() => undefined);
    else v.pause();
  };
  const step = (dir: 1 | -1) => {
    video.current?.pause();
    seekTo((video.current?.currentTime ?? 0) + dir * frame.current);
  };
  const snapshot = () => saveFrame(video.current, `${p.name}-${time.toFixed(2)}s.jpg`);
  const keys: Record<string, () => void> = {
    ' ': toggle,
    k: toggle,
    ArrowLeft: () => seekTo(time - SEEK_STEP),
    ArrowRight: () => seekTo(time + SEEK_STEP),
    ',': () => step(-1),
    '.': () => step(1),
    Home: () => seekTo(0),
    End: () => seekTo(duration),
  };
  const onKey = (e: KeyboardEvent) => {
    const act = keys[e.key];
    if (!act || (e.target as HTMLElement).tagName === 'SELECT') return;
    e.preventDefault();
    act();
  };
  return (
    <div className="vp" ref={box} style={{ ['--ar' as string]: String(aspect) }} role="group" aria-label={t('player.label')} tabIndex={0} onKeyDown={onKey}>
      <div className="vp-screen" onClick={toggle}>
        <video
          ref={video}
          data-testid={p.testId}
          src={p.src}
          poster={p.poster}
          autoPlay={p.autoPlay}
          playsInline
          preload="metadata"
          onLoadedMetadata={(e) => {
            const v = e.currentTarget;
            if (v.videoWidth && v.videoHeight) setAspect(v.videoWidth / v.videoHeight);
            setDuration(v.duration);
            if (p.startTime) seekTo(p.startTime);
          }}
          onDurationChange={(e) => setDuration(e.currentTarget.duration)}
          onTimeUpdate={(e) => {
            setTime(e.currentTarget.currentTime);
            p.onTime?.(e.currentTarget.currentTime);
          }}
          onPlay={() => {
            setPaused(false);
            p.onPlay?.();
            p.onPaused?.(false);
          }}
          onPause={() => {
            setPaused(true);
            p.onPaused?.(true);
          }}
          onEnded={p.onEnded}
        />
      </div>
      <div className="vp-bar">
        <button type="button" className="vp-btn" data-testid="vp-play" onClick={toggle} aria-label={paused ? t('player.play') : t('player.pause')}>
          {paused ? '▶' : '❚❚'}
        </button>
        <button type="button" className="vp-btn" onClick={() => step(-1)} aria-label={t('player.frameBack')} title={t('player.frameBack')}>
          <Icon d="M6 5h2v14H6zM20 5v14L9 12z" />
        </button>
        <button type="button" className="vp-btn" onClick={() => step(1)} aria-label={t('player.frameForward')} title={t('player.frameForward')}>
          <Icon d="M16 5h2v14h-2zM4 5v14l11-7z" />
        </button>
        <SeekBar time={time} duration={duration} onSeek={seekTo} label={t('player.seek')} />
        <span className="vp-time" data-testid="vp-time">
          {clock(time)} / {clock(duration)}
        </span>
        <select
          className="vp-speed"
          aria-label={t('player.speed')}
          value={speed}
          onChange={(e) => {
            const s = Number(e.target.value);
            setSpeed(s);
            if (video.current) video.current.playbackRate = s;
            p.onRate?.(s);
          }}
        >
          {(p.speeds ?? [0.5, 1, 2, 4]).map((s) => (
            <option key={s} value={s}>
              {s}×
            </option>
          ))}
        </select>
        <button type="button" className="vp-btn" onClick={snapshot} aria-label={t('player.snapshot')} title={t('player.snapshot')}>
          <Icon d="M4 7h4l2-2h4l2 2h4v12H4zM12 9a4 4 0 1 0 0 8 4 4 0 0 0 0-8z" />
        </button>
        <button
          type="button"
          className="vp-btn"
          onClick={() => void box.current?.requestFullscreen?.()}
          aria-label={t('player.fullscreen')}
          title={t('player.fullscreen')}
        >
          <Icon d="M4 4h6v2H6v4H4zM14 4h6v6h-2V6h-4zM4 14h2v4h4v2H4zM18 14h2v6h-6v-2h4z" />
        </button>
      </div>
    </div>
  );
}

/** A 24-px icon drawn with the text colour (the station's Chromium has no emoji font). */
const Icon = ({ d }: { d: string }) => (
  <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="currentColor">
    <path d={d} fillRule="evenodd" />
  </svg>
);

/** The seek bar: a slider the pointer (mouse or finger) drags and the arrow keys move. */
function SeekBar({ time, duration, onSeek, label }: { time: number; duration: number; onSeek: (s: number) => void; label: string }) {
  const [drag, setDrag] = useState(false);
  const known = Number.isFinite(duration) && duration > 0;
  const at = (e: PointerEvent<HTMLDivElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return (Math.min(Math.max(0, e.clientX - r.left), r.width) / r.width) * (known ? duration : 0);
  };
  return (
    <div
      className="vp-seek"
      data-testid="vp-seek"
      role="slider"
      tabIndex={0}
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={known ? Math.round(duration) : 0}
      aria-valuenow={Math.round(time)}
      aria-valuetext={`${clock(time)} / ${clock(duration)}`}
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        setDrag(true);
        onSeek(at(e));
      }}
      onPointerMove={(e) => drag && onSeek(at(e))}
      onPointerUp={() => setDrag(false)}
      onPointerCancel={() => setDrag(false)}
    >
      <div className="vp-track">
        <div className="vp-fill" style={{ width: known ? `${(time / duration) * 100}%` : 0 }} />
      </div>
    </div>
  );
}

/** Keeps a follower with its leader: same speed, same pause state, re-seeked when it drifts. */
function useFollow(video: React.RefObject<HTMLVideoElement | null>, f: VideoPlayerProps['follow'], setSpeed: (s: number) => void) {
  const time = f?.time;
  const rate = f?.rate;
  const paused = f?.paused;
  useEffect(() => {
    const v = video.current;
    if (!v || time === undefined || rate === undefined) return;
    if (v.playbackRate !== rate) {
      v.playbackRate = rate;
      setSpeed(rate);
    }
    if (Number.isFinite(v.duration) && v.readyState >= 1 && Math.abs(v.currentTime - time) > DRIFT_S) v.currentTime = Math.min(time, v.duration);
    if (paused && !v.paused) v.pause();
    else if (!paused && v.paused && !v.ended) void v.play().catch(() => undefined);
  }, [video, time, rate, paused, setSpeed]);
}

/** The frame duration as the browser presents frames (requestVideoFrameCallback), for frame steps. */
function useFrameDuration(video: React.RefObject<HTMLVideoElement | null>) {
  const frame = useRef(DEFAULT_FRAME);
  useEffect(() => {
    const v = video.current;
    if (!v || !('requestVideoFrameCallback' in v)) return;
    let last = -1;
    let handle = 0;
    const onFrame = (_now: number, meta: { mediaTime: number }) => {
      const d = meta.mediaTime - last;
      if (last >= 0 && d > 0.005 && d < 1) frame.current = Math.min(frame.current === DEFAULT_FRAME ? d : frame.current, d);
      last = meta.mediaTime;
      handle = v.requestVideoFrameCallback(onFrame);
    };
    handle = v.requestVideoFrameCallback(onFrame);
    return () => v.cancelVideoFrameCallback(handle);
  }, [video]);
  return frame;
}

/** The picture on screen as a JPEG download (same-origin video: the canvas is not tainted). */
function saveFrame(v: HTMLVideoElement | null, fileName: string): void {
  if (!v || !v.videoWidth) return;
  const canvas = document.createElement('canvas');
  canvas.width = v.videoWidth;
  canvas.height = v.videoHeight;
  canvas.getContext('2d')?.drawImage(v, 0, 0);
  canvas.toBlob(
    (blob) => {
      if (!blob) return;
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = fileName;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    },
    'image/jpeg',
    0.92,
  );
}
