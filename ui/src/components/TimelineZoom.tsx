import { useState, type ReactNode } from 'react';
import { api } from '../api/endpoints.js';
import { useAsync } from '../api/useAsync.js';
import { useI18n } from '../i18n/I18nProvider.js';

/** Zoom levels of the recording timelines, widest first: a day down to one minute. */
export const ZOOMS = [24 * 3_600_000, 6 * 3_600_000, 3_600_000, 10 * 60_000, 60_000] as const;
const ZOOM_LABELS = ['rec.zoom24h', 'rec.zoom6h', 'rec.zoom1h', 'rec.zoom10m', 'rec.zoom1m'] as const;
/** Playback speeds of the continuous recording. */
export const SPEEDS = [1, 2, 4, 8] as const;

export interface TimelineView {
  zoom: number;
  from: number;
  spanMs: number;
  /** Zooming keeps the playhead in the middle; without one, the newest part of the view stays. */
  zoomTo(z: number, cursor: number | null): void;
  /** Half a view earlier (-1) or later (1). */
  pan(dir: -1 | 1): void;
}

/** The range a recording timeline shows: [from, from + spanMs], never past now. */
export function useTimelineView(at: number | null): TimelineView {
  const [zoom, setZoom] = useState(at ? 3 : 0);
  const [center, setCenter] = useState(() => at ?? Date.now() - ZOOMS[0] / 2);
  const spanMs = ZOOMS[zoom]!;
  const from = Math.round(Math.min(center, Date.now()) - spanMs / 2);
  return {
    zoom,
    from,
    spanMs,
    zoomTo: (z, cursor) => {
      const next = Math.min(ZOOMS.length - 1, Math.max(0, z));
      setZoom(next);
      setCenter(cursor ?? Math.min(from + spanMs, Date.now()) - ZOOMS[next]! / 2);
    },
    pan: (dir) => setCenter(from + spanMs / 2 + (dir * spanMs) / 2),
  };
}

/** What a camera's timeline draws over the range shown: its recorded spans and its events. */
export function useTimelineData(cameraId: number, from: number, spanMs: number) {
  const spans = useAsync(() => api.recordedSpans(cameraId, from, from + spanMs), [cameraId, from, spanMs]);
  const events = useAsync(() => api.events({ cameraId, from, to: from + spanMs, limit: 200, sort: 'startAt' }), [cameraId, from, spanMs]);
  return { spans, events };
}

/** The zoom buttons and the ‹ › pan of a timeline, with whatever the page adds after them. */
export function TimelineTools({ view, cursor, children }: { view: TimelineView; cursor: number | null; children?: ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="rec-tools">
      <div role="group" aria-label={t('rec.zoom')} className="layout-picker">
        {ZOOMS.map((z, i) => (
          <button key={z} type="button" aria-pressed={view.zoom === i} onClick={() => view.zoomTo(i, cursor)} data-zoom={z}>
            {t(ZOOM_LABELS[i]!)}
          </button>
        ))}
      </div>
      <button type="button" onClick={() => view.pan(-1)} aria-label="‹">
        ‹
      </button>
      <button type="button" onClick={() => view.pan(1)} aria-label="›">
        ›
      </button>
      {children}
    </div>
  );
}
