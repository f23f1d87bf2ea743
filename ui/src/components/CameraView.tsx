import type { AlertMessage } from '../api/types.js';
import { formatTime } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { Link } from '../router.js';
import { alertText } from './AlertCard.js';
import type { TileCamera } from './CameraTile.js';
import { StateBadge } from './common.js';
import { LiveVideo } from './LiveVideo.js';

const LATEST = 8;

/** One camera from the wall: its live video as large as the screen allows, its latest alerts, and its recording. */
export function CameraView({ camera, alerts, onBack }: { camera: TileCamera; alerts: readonly AlertMessage[]; onBack(): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const latest = alerts.filter((a) => a.cameraId === camera.id).slice(0, LATEST);
  return (
    <div className="camera-view" data-camera-id={camera.id}>
      <div className="camera-view-main">
        <div className="camera-view-bar">
          <button type="button" onClick={onBack} data-testid="wall-back">
            ← {t('wall.back')}
          </button>
          <strong>{camera.name}</strong>
          <span className="muted">{camera.areaName}</span>
          <StateBadge state={camera.display} />
          <Link className="button" to={`/recordings/${camera.id}`} data-testid="open-recording">
            {t('wall.recording')}
          </Link>
        </div>
        <LiveVideo key={camera.id} cameraId={camera.id} name={camera.name} />
      </div>
      <aside className="camera-view-alerts" aria-label={t('wall.latestAlerts')}>
        <h2>{t('wall.latestAlerts')}</h2>
        {latest.length === 0 && <p className="muted">{t('wall.cameraNoAlerts')}</p>}
        <ul>
          {latest.map((a) => {
            const text = alertText(i18n, a);
            return (
              <li key={a.id}>
                <time dateTime={new Date(a.startedAt).toISOString()}>{formatTime(a.startedAt)}</time>{' '}
                {a.eventId ? <Link to={`/events/${a.eventId}`}>{text.what}</Link> : text.what}
              </li>
            );
          })}
        </ul>
      </aside>
    </div>
  );
}
