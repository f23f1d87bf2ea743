import { useEffect, useRef, useState } from 'react';
import { api, type CameraStats, type StatsSample } from '../api/endpoints.js';
import { ApiError } from '../api/http.js';
import type { CameraView } from '../api/types.js';
import { formatBytes, formatDateTime } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { Sparkline } from './charts.js';
import { ErrorText, StateBadge } from './common.js';

const REFRESH_MS = 10_000;
const HOUR = 3_600_000;

/**
 * Samples for the chart: the server's last hour when it sends one, else what this page
 * polled itself (bounded to an hour).
 */
function useStats(cameraId: number) {
  const [stats, setStats] = useState<CameraStats | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [display, setDisplay] = useState<CameraView['display'] | null>(null);
  const polled = useRef<StatsSample[]>([]);
  useEffect(() => {
    let stop = false;
    polled.current = [];
    const load = async () => {
      try {
        const [s, cam] = await Promise.all([api.cameraStats(cameraId), api.camera(cameraId)]);
        if (stop) return;
        setDisplay(cam.display);
        if (!s) {
          setStats(null);
          setError(null);
          return;
        }
        const now = Date.now();
        polled.current = [
          ...polled.current.filter((x) => x.at > now - HOUR),
          { at: now, frameFps: s.frameFps, framesDropped: s.framesDropped, cpuPercent: s.cpuPercent },
        ];
        setStats(s);
        setError(null);
      } catch (err) {
        if (!stop) setError(err);
      }
    };
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [cameraId]);
  return { stats, error, display, samples: stats?.history ?? polled.current };
}

/** State, counters (fps, drops, restarts, CPU, disk) and charts of the last hour. */
export function CameraHealthTab({ camera }: { camera: CameraView }) {
  const { t, lang } = useI18n();
  const { stats: s, error, samples, display } = useStats(camera.id);
  const now = Date.now();
  const notYet = (!s && !error) || (error instanceof ApiError && error.status === 404);
  return (
    <div className="health-tab">
      <p>
        <StateBadge state={display ?? camera.display} /> <span className="muted">{t('health.since', { time: formatDateTime(camera.updatedAt) })}</span>
      </p>
      {notYet && <p className="muted">{t('health.noStats')}</p>}
      {!notYet && <ErrorText error={error} />}
      {s && (
        <>
          <dl className="stats">
            <div>
              <dt>{t('health.fps')}</dt>
              <dd>
                {s.frameFps.toFixed(1)}
                {s.inputFps !== null && <span className="muted"> / {s.inputFps.toFixed(0)}</span>}
              </dd>
            </div>
            <div>
              <dt>{t('health.dropped')}</dt>
              <dd>{s.framesDropped}</dd>
            </div>
            <div>
              <dt>{t('health.restarts')}</dt>
              <dd>{s.restarts}</dd>
            </div>
            <div>
              <dt>{t('health.cpu')}</dt>
              <dd>{s.cpuPercent === null ? '–' : `${s.cpuPercent.toFixed(1)} %`}</dd>
            </div>
            <div>
              <dt>{t('health.disk')}</dt>
              <dd>{formatBytes(lang, s.recordingBytes)}</dd>
            </div>
            {s.lastFrameAt !== null && (
              <div>
                <dt>{t('health.lastFrame')}</dt>
                <dd className="small">{formatDateTime(s.lastFrameAt)}</dd>
              </div>
            )}
          </dl>
          {s.browserPlayable === false && <p className="warn">{t('health.notPlayable')}</p>}
          <div className="charts">
            <Sparkline label={t('health.fps')} unit="fps" from={now - HOUR} to={now} samples={samples.map((h) => ({ at: h.at, v: h.frameFps }))} />
            <Sparkline label={t('health.cpu')} unit="%" from={now - HOUR} to={now} samples={samples.map((h) => ({ at: h.at, v: h.cpuPercent }))} />
            <Sparkline label={t('health.dropped')} unit="" from={now - HOUR} to={now} samples={samples.map((h) => ({ at: h.at, v: h.framesDropped }))} />
          </div>
        </>
      )}
    </div>
  );
}
