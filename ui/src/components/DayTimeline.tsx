import type { EventView } from '../api/types.js';
import { formatTime, startOfLocalDay } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { navigate } from '../router.js';

const W = 960;
const H = 44;
const DAY = 86_400_000;

/**
 * One camera's day (00:00–24:00 Vietnam time) with a mark per event; marks are links.
 * SVG scales to the container, so it fits a phone and a wall alike.
 */
export function DayTimeline({ day, events }: { day: number; events: readonly EventView[] }) {
  const { t, name } = useI18n();
  const start = startOfLocalDay(day);
  const x = (ms: number) => Math.min(W, Math.max(0, ((ms - start) / DAY) * W));
  return (
    <svg
      className="day-timeline"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={t('review.timelineLabel', { count: events.length })}
      preserveAspectRatio="none"
    >
      <rect x={0} y={8} width={W} height={20} className="tl-bg" />
      {Array.from({ length: 9 }, (_, i) => (
        <g key={i}>
          <line x1={(i * W) / 8} x2={(i * W) / 8} y1={8} y2={30} className="tl-tick" />
          <text x={Math.min(W - 14, Math.max(14, (i * W) / 8))} y={42} className="tl-label" textAnchor="middle">{`${String(i * 3).padStart(2, '0')}h`}</text>
        </g>
      ))}
      {events.map((e) => {
        const x1 = x(e.startAt);
        const w = Math.max(3, x(e.endAt ?? e.lastSeenAt ?? e.startAt) - x1);
        return (
          <rect
            key={e.id}
            x={x1}
            y={8}
            width={w}
            height={20}
            className={`tl-event${e.pinned ? ' pinned' : ''}`}
            tabIndex={0}
            role="link"
            aria-label={`${name('label', e.label)} ${formatTime(e.startAt)}`}
            onClick={() => navigate(`/events/${e.id}`)}
            onKeyDown={(k) => {
              if (k.key === 'Enter' || k.key === ' ') navigate(`/events/${e.id}`);
            }}
          >
            <title>{`${name('label', e.label)} ${formatTime(e.startAt)}`}</title>
          </rect>
        );
      })}
    </svg>
  );
}
