import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { ptzApi, type PtzCommand } from '../api/ptz.js';
import { useAsync } from '../api/useAsync.js';
import { useI18n } from '../i18n/I18nProvider.js';
import type { CameraView } from '../api/types.js';
import { CameraTour } from './CameraTour.js';
import { ErrorText } from './common.js';

const SPEED = 0.5;
/** Keys that move while held (arrows; +/- zoom). */
const MOVES: Record<string, { pan?: number; tilt?: number; zoom?: number }> = {
  ArrowLeft: { pan: -SPEED },
  ArrowRight: { pan: SPEED },
  ArrowUp: { tilt: SPEED },
  ArrowDown: { tilt: -SPEED },
  '+': { zoom: SPEED },
  '=': { zoom: SPEED },
  '-': { zoom: -SPEED },
};

/**
 * PTZ controls for the police and technicians: hold a button or an arrow key to move (+/- to
 * zoom), release to stop; Home goes to the home position; presets are listed, gone to and saved.
 * The camera also stops by itself after 10 s, should the stop be lost.
 */
export function CameraPtz({ camera, onSaved }: { camera: CameraView; onSaved(c: CameraView): void }) {
  const cameraId = camera.id;
  const { t } = useI18n();
  const presets = useAsync(() => ptzApi.presets(cameraId), [cameraId]);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [status, setStatus] = useState('');
  const send = (c: PtzCommand, done?: string) => {
    setError(null);
    ptzApi.command(cameraId, c).then(
      () => done && setStatus(done),
      (err: unknown) => setError(err),
    );
  };
  const move = (v: { pan?: number; tilt?: number; zoom?: number }) => send({ action: 'move', ...v }, t('ptz.moving'));
  const stop = () => send({ action: 'stop' }, t('ptz.stopped'));
  const onKeyDown = (e: KeyboardEvent) => {
    const m = MOVES[e.key];
    if (m) {
      e.preventDefault();
      if (!e.repeat) move(m);
    } else if (e.key === 'Home') {
      e.preventDefault();
      send({ action: 'home' }, t('ptz.atHome'));
    }
  };
  const onKeyUp = (e: KeyboardEvent) => {
    if (MOVES[e.key]) stop();
  };
  const hold = (label: string, v: { pan?: number; tilt?: number; zoom?: number }, text: string) => (
    <button type="button" aria-label={label} onPointerDown={() => move(v)} onPointerUp={stop} onPointerLeave={(e) => e.buttons && stop()}>
      {text}
    </button>
  );
  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    ptzApi.command(cameraId, { action: 'set', name: name.trim() }).then(
      () => {
        setName('');
        setStatus(t('ptz.saved'));
        presets.reload();
      },
      (err: unknown) => setError(err),
    );
  };
  return (
    <section className="card ptz" aria-labelledby="ptz-title">
      <h3 id="ptz-title">{t('ptz.title')}</h3>
      <div role="group" tabIndex={0} aria-label={t('ptz.keys')} className="ptz-pad" data-testid="ptz-pad" onKeyDown={onKeyDown} onKeyUp={onKeyUp}>
        {hold(t('ptz.up'), { tilt: SPEED }, '▲')}
        {hold(t('ptz.left'), { pan: -SPEED }, '◀')}
        <button type="button" onClick={() => send({ action: 'home' }, t('ptz.atHome'))}>
          {t('ptz.home')}
        </button>
        {hold(t('ptz.right'), { pan: SPEED }, '▶')}
        {hold(t('ptz.down'), { tilt: -SPEED }, '▼')}
        {hold(t('ptz.zoomIn'), { zoom: SPEED }, '+')}
        {hold(t('ptz.zoomOut'), { zoom: -SPEED }, '−')}
      </div>
      <p className="muted">{t('ptz.keys')}</p>
      <p role="status" data-testid="ptz-status">
        {status}
      </p>
      <ErrorText error={error ?? presets.error} />
      <ul className="ptz-presets" aria-label={t('ptz.presets')}>
        {(presets.data ?? []).map((p) => (
          <li key={p.token}>
            <button type="button" onClick={() => send({ action: 'goto', preset: p.token }, t('ptz.wentTo', { name: p.name }))}>
              {t('ptz.goto', { name: p.name })}
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={save} className="form-row">
        <label htmlFor="ptz-name">
          {t('ptz.presetName')}
          <input id="ptz-name" value={name} maxLength={64} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit">{t('ptz.save')}</button>
      </form>
      <CameraTour cameraId={cameraId} presets={presets.data ?? []} tour={camera.settings.ptzTour} canEdit={camera.may.update} onSaved={onSaved} />
    </section>
  );
}
