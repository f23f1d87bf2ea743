import { useEffect, useRef, useState, type PointerEvent } from 'react';
import type { EventView } from '../api/types.js';
import { capitalize, formatTime } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';

export interface TimelineProps {
  from: number;
  spanMs: number;
  spans: readonly [number, number][];
  events: readonly EventView[];
  cursor: number | null;
  /** The moment under the pointer while dragging (the label follows it). */
  onScrub(ms: number): void;
  /** Released: play from here. */
  onSeek(ms: number): void;
  onEvent(e: EventView): void;
  /** URL of the recording's picture at a moment (the hover preview of any recorded moment). */
  thumbOf?(ms: number): string;
  /** The slider's name (a lane of the multi-camera view names its camera). */
  label?: string;
  /** The time ticks under the bar (lanes sharing one axis show them once). */
  ticks?: boolean;
  testId?: string;
}

/**
 * The recording of one camera over [from, from + spanMs]: recorded spans as bars, events as
 * marks big enough to hit with a finger (≥ 24 px), the playhead. Drag anywhere on the bar to
 * scrub; releasing plays from there.
 */
export function RecordingTimeline(p: TimelineProps) {
  const { t, name } = useI18n();
  const [drag, setDrag] = useState<number | null>(null);
  const [hover, setHover] = useState<number | null>(null);
  const to = p.from + p.spanMs;
  const pct = (ms: number) => `${((ms - p.from) / p.spanMs) * 100}%`;
  const at = (e: PointerEvent<HTMLDivElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return Math.round(p.from + (Math.min(Math.max(0, e.clientX - r.left), r.width) / r.width) * p.spanMs);
  };
  const shown = drag ?? p.cursor;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => p.from + f * p.spanMs);
  return (
    <div className="rec-timeline-wrap">
      <div
        className="rec-timeline"
        data-testid={p.testId ?? 'rec-timeline'}
        role="slider"
        tabIndex={0}
        aria-label={p.label ?? t('rec.timeline')}
        aria-valuemin={p.from}
        aria-valuemax={to}
        aria-valuenow={shown ?? p.from}
        aria-valuetext={shown !== null ? formatTime(shown) : ''}
        onPointerDown={(e) => {
          if ((e.target as HTMLElement).closest('.rec-event')) return;
          e.currentTarget.setPointerCapture(e.pointerId);
          const ms = at(e);
          setDrag(ms);
          p.onScrub(ms);
        }}
        onPointerMove={(e) => {
          if (drag === null) {
            if (e.pointerType === 'mouse') setHover(at(e));
            return;
          }
          const ms = at(e);
          setDrag(ms);
          p.onScrub(ms);
        }}
        onPointerLeave={() => setHover(null)}
        onPointerUp={() => {
          if (drag !== null) p.onSeek(drag);
          setDrag(null);
        }}
        onKeyDown={(e) => {
          const step = e.key === 'ArrowLeft' ? -1 : e.key === 'ArrowRight' ? 1 : 0;
          if (!step) return;
          e.preventDefault();
          p.onSeek((p.cursor ?? p.from) + (step * p.spanMs) / 50);
        }}
      >
        {p.spans
          .filter(([s, e]) => e > p.from && s < to)
          .map(([s, e]) => (
            <span
              key={s}
              className="rec-span"
              style={{ left: pct(Math.max(s, p.from)), width: `${((Math.min(e, to) - Math.max(s, p.from)) / p.spanMs) * 100}%` }}
            />
          ))}
        {p.events
          .filter((e) => e.startAt >= p.from && e.startAt < to)
          .map((e) => (
            <button
              key={e.id}
              type="button"
              className="rec-event"
              style={{ left: pct(e.startAt) }}
              data-event-id={e.id}
              aria-label={t('rec.event', { label: name('label', e.label), time: formatTime(e.startAt) })}
              title={t('rec.event', { label: name('label', e.label), time: formatTime(e.startAt) })}
              onClick={() => p.onEvent(e)}
            />
          ))}
        {shown !== null && shown >= p.from && shown <= to && <span className="rec-playhead" data-testid="rec-playhead" style={{ left: pct(shown) }} />}
        {hover !== null && drag === null && (
          <HoverPreview
            at={hover}
            event={nearestEvent(p.events, hover, p.spanMs / 60)}
            left={pct(hover)}
            thumb={p.thumbOf && p.spans.some(([s, e]) => s <= hover && hover < e) ? p.thumbOf : undefined}
            gridMs={Math.max(1_000, Math.round(p.spanMs / 300 / 1_000) * 1_000)}
          />
        )}
      </div>
      {p.ticks !== false && (
        <div className="rec-ticks" aria-hidden="true">
          {ticks.map((ms) => (
            <span key={ms}>{formatTime(ms)}</span>
          ))}
        </div>
      )}
    </div>
  );
}

/** The event whose mark is within `nearMs` of a moment, nearest first. */
function nearestEvent(events: readonly EventView[], ms: number, nearMs: number): EventView | undefined {
  let best: EventView | undefined;
  for (const e of events) if (Math.abs(e.startAt - ms) <= nearMs && (!best || Math.abs(e.startAt - ms) < Math.abs(best.startAt - ms))) best = e;
  return best;
}

/**
 * What is under the mouse on the timeline: the moment, and a picture of it — near an event mark
 * the event's snapshot and label, elsewhere on a recorded span the recording's own frame
 * (server/clips/recording.thumbs.ts), so an officer finds the right moment before clicking.
 */
function HoverPreview(p: { at: number; event: EventView | undefined; left: string; thumb: ((ms: number) => string) | undefined; gridMs: number }) {
  const { t, name } = useI18n();
  const src = useSweptThumb(p.event ? undefined : p.thumb, p.at, p.gridMs);
  const [failed, setFailed] = useState<string | null>(null);
  const img = p.event?.snapshotUrl ?? (src !== failed ? src : undefined);
  return (
    <div className="rec-hover" style={{ left: p.left }} data-testid="rec-hover" aria-hidden="true">
      {img && <img src={img} alt="" width={160} height={90} decoding="async" data-testid="rec-hover-img" onError={() => setFailed(img)} />}
      <span>
        {p.event
          ? `${capitalize(name('label', p.event.label))} · ${formatTime(p.event.startAt)}`
          : p.thumb
            ? formatTime(p.at)
            : `${formatTime(p.at)} · ${t('rec.noRecording')}`}
      </span>
    </div>
  );
}

/**
 * The preview URL for a sweeping pointer: snapped to a grid (a few hundred pictures across the
 * view, whole seconds) and changed at most every 150 ms, so a mouse run along the timeline asks
 * the server for a handful of pictures, not one per pixel; the browser drops the request of a
 * src it no longer shows, and the server drops it from its queue.
 */
function useSweptThumb(thumb: ((ms: number) => string) | undefined, at: number, gridMs: number): string | undefined {
  const want = thumb ? thumb(Math.floor(at / gridMs) * gridMs) : undefined;
  const [shown, setShown] = useState(want);
  const latest = useRef(want);
  latest.current = want;
  const pending = want !== shown;
  // A throttle, not a debounce: the timer is not restarted by each move, so a steady sweep
  // still shows a new picture every 150 ms.
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(() => setShown(latest.current), shown === undefined ? 0 : 150);
    return () => clearTimeout(timer);
  }, [pending, shown]);
  return want === undefined ? undefined : shown;
}

/** Media time of a wall-clock moment in a window whose recorded spans were concatenated (gaps skipped). */
export function mediaTimeOf(spans: readonly [number, number][], startAt: number, ms: number): number {
  let t = 0;
  for (const [s0, e] of spans) {
    const s = Math.max(s0, startAt);
    if (e <= s) continue;
    if (ms < s) break;
    t += Math.min(ms, e) - s;
    if (ms < e) break;
  }
  return t / 1000;
}

/** The wall-clock moment shown at a media time (the inverse of mediaTimeOf). */
export function wallTimeOf(spans: readonly [number, number][], startAt: number, seconds: number): number {
  let left = seconds * 1000;
  let last = startAt;
  for (const [s0, e] of spans) {
    const s = Math.max(s0, startAt);
    if (e <= s) continue;
    if (left <= e - s) return s + left;
    left -= e - s;
    last = e;
  }
  return last + left;
}
