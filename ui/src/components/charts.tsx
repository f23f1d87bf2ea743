import { useI18n } from '../i18n/I18nProvider.js';

const W = 320;
const H = 80;

/** A small line chart of the last hour (fps, drops…); gaps where a sample is null. */
export function Sparkline({
  samples,
  from,
  to,
  label,
  unit,
}: {
  samples: readonly { at: number; v: number | null }[];
  from: number;
  to: number;
  label: string;
  unit: string;
}) {
  const values = samples.map((s) => s.v).filter((v): v is number => v !== null);
  const max = Math.max(1, ...values);
  const x = (at: number) => ((at - from) / Math.max(1, to - from)) * W;
  const y = (v: number) => H - 4 - (v / max) * (H - 12);
  const segments: string[][] = [[]];
  for (const s of samples) {
    if (s.v === null) segments.push([]);
    else segments[segments.length - 1]!.push(`${x(s.at).toFixed(1)},${y(s.v).toFixed(1)}`);
  }
  const last = values.length ? values[values.length - 1]! : null;
  return (
    <figure className="sparkline">
      <figcaption>
        {label}: <strong>{last === null ? '–' : `${Math.round(last * 10) / 10} ${unit}`}</strong>{' '}
        <span className="muted">(max {Math.round(max * 10) / 10})</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} preserveAspectRatio="none">
        <line x1={0} x2={W} y1={H - 4} y2={H - 4} className="axis" />
        {segments
          .filter((s) => s.length > 1)
          .map((s, i) => (
            <polyline key={i} points={s.join(' ')} vectorEffect="non-scaling-stroke" />
          ))}
      </svg>
    </figure>
  );
}

export interface MapPoint {
  id: number;
  name: string;
  lat: number;
  lon: number;
}

/**
 * Where the camera sits among the others, from latitude/longitude alone: there is no map tile
 * server offline, so this is a plain SVG plot (north up) scaled to fit the points.
 */
export function PositionPreview({ current, others }: { current: { lat: number; lon: number } | null; others: readonly MapPoint[] }) {
  const { t } = useI18n();
  const all = [...others.map((o) => ({ lat: o.lat, lon: o.lon })), ...(current ? [current] : [])];
  if (all.length === 0) return <p className="muted">{t('position.none')}</p>;
  const lats = all.map((p) => p.lat);
  const lons = all.map((p) => p.lon);
  const pad = 0.0005; // ~50 m, so a single camera is not on the edge
  const minLat = Math.min(...lats) - pad,
    maxLat = Math.max(...lats) + pad;
  const minLon = Math.min(...lons) - pad,
    maxLon = Math.max(...lons) + pad;
  const size = 240;
  const span = Math.max(maxLat - minLat, (maxLon - minLon) * Math.cos((minLat * Math.PI) / 180));
  const px = (lon: number) => 10 + (((lon - minLon) * Math.cos((minLat * Math.PI) / 180)) / span) * (size - 20);
  const py = (lat: number) => size - 10 - ((lat - minLat) / span) * (size - 20);
  return (
    <figure className="position-preview">
      <svg viewBox={`0 0 ${size} ${size}`} role="img" aria-label={t('position.preview')}>
        <rect x={0} y={0} width={size} height={size} className="pp-bg" />
        <text x={size / 2} y={14} textAnchor="middle" className="pp-north">
          {t('position.north')} ↑
        </text>
        {others.map((o) => (
          <circle key={o.id} cx={px(o.lon)} cy={py(o.lat)} r={4} className="pp-other">
            <title>{o.name}</title>
          </circle>
        ))}
        {current && <circle cx={px(current.lon)} cy={py(current.lat)} r={7} className="pp-current" />}
      </svg>
      <figcaption className="muted">{t('position.noMap')}</figcaption>
    </figure>
  );
}
