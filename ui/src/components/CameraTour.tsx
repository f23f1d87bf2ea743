import { useEffect, useState, type FormEvent } from 'react';
import type { PtzTourSettings } from '../../../server/domain/camera.settings.ptz.js';
import { api } from '../api/endpoints.js';
import { ptzApi, type PtzPreset, type TourStatus } from '../api/ptz.js';
import type { CameraView } from '../api/types.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { formatTime } from '../i18n/i18n.js';
import { ErrorText } from './common.js';

/**
 * The guard tour of a PTZ camera, in its PTZ panel: its state (off, touring, paused by a
 * manual command), start and stop for the police and technicians, and the stops (presets and
 * dwell seconds) for those who may change the camera.
 */
export function CameraTour(props: { cameraId: number; presets: PtzPreset[]; tour: PtzTourSettings; canEdit: boolean; onSaved(c: CameraView): void }) {
  const { t } = useI18n();
  const [status, setStatus] = useState<TourStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const read = () => ptzApi.tour(props.cameraId).then(setStatus, setError);
    void read();
    const timer = setInterval(() => void read(), 5_000);
    return () => clearInterval(timer);
  }, [props.cameraId]);
  const toggle = (action: 'start' | 'stop') => {
    setError(null);
    ptzApi.setTour(props.cameraId, action).then(setStatus, setError);
  };
  const stops = props.tour.stops;
  return (
    <div className="ptz-tour" aria-labelledby="tour-title">
      <h4 id="tour-title">{t('tour.title')}</h4>
      <p role="status" data-testid="tour-status">
        {!status?.running
          ? t('tour.off')
          : status.pausedUntil
            ? t('tour.paused', { time: formatTime(status.pausedUntil) })
            : t('tour.running', { n: (status.stop ?? 0) + 1, total: stops.length })}
      </p>
      {stops.length === 0 && <p className="muted">{t('tour.none')}</p>}
      {status?.running ? (
        <button type="button" onClick={() => toggle('stop')}>
          {t('tour.stop')}
        </button>
      ) : (
        <button type="button" disabled={stops.length === 0} onClick={() => toggle('start')}>
          {t('tour.start')}
        </button>
      )}
      <ErrorText error={error} />
      {props.canEdit && <TourStops {...props} />}
    </div>
  );
}

function TourStops({ cameraId, presets, tour, onSaved }: { cameraId: number; presets: PtzPreset[]; tour: PtzTourSettings; onSaved(c: CameraView): void }) {
  const { t } = useI18n();
  const [dwell, setDwell] = useState<Record<string, string>>(() => Object.fromEntries(tour.stops.map((s) => [s.preset, String(s.dwellSeconds)])));
  const [idle, setIdle] = useState(String(tour.resumeAfterIdleSeconds));
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const save = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const stops = presets.filter((p) => dwell[p.token] !== undefined).map((p) => ({ preset: p.token, dwellSeconds: Number(dwell[p.token]) }));
    api.updateCamera(cameraId, { settings: { ptzTour: { stops, resumeAfterIdleSeconds: Number(idle) } } }).then((c) => {
      setSaved(true);
      onSaved(c);
    }, setError);
  };
  return (
    <form onSubmit={save} aria-label={t('tour.stops')}>
      <fieldset>
        <legend>{t('tour.stops')}</legend>
        {presets.map((p) => (
          <div key={p.token} className="form-row">
            <label>
              <input
                type="checkbox"
                checked={dwell[p.token] !== undefined}
                onChange={(e) => setDwell(({ [p.token]: _, ...rest }) => (e.target.checked ? { ...rest, [p.token]: '15' } : rest))}
              />
              {t('tour.include', { name: p.name })}
            </label>
            {dwell[p.token] !== undefined && (
              <label>
                {t('tour.dwell', { name: p.name })}
                <input type="number" min={1} max={3600} value={dwell[p.token]} onChange={(e) => setDwell((d) => ({ ...d, [p.token]: e.target.value }))} />
              </label>
            )}
          </div>
        ))}
        <label>
          {t('tour.idle')}
          <input type="number" min={1} max={3600} value={idle} onChange={(e) => setIdle(e.target.value)} />
        </label>
      </fieldset>
      <button type="submit">{t('tour.saveStops')}</button>
      {saved && <p role="status">{t('tour.saved')}</p>}
      <ErrorText error={error} />
    </form>
  );
}
