import { useState } from 'react';
import { api } from '../api/endpoints.js';
import type { CameraView } from '../api/types.js';
import { useSubmit } from '../api/useSubmit.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { ErrorText } from './common.js';

interface CameraEvents {
  subscribe: boolean;
  action: 'wake' | 'event';
  topics: string[];
  wakeSeconds: number;
}

function readCameraEvents(settings: Record<string, unknown>): CameraEvents {
  const s = (settings.cameraEvents ?? {}) as Partial<CameraEvents>;
  return { subscribe: s.subscribe ?? false, action: s.action ?? 'wake', topics: s.topics ?? [], wakeSeconds: s.wakeSeconds ?? 10 };
}

/**
 * The camera's own ONVIF events (motion, tamper, line crossing …) as triggers (issue 17): off,
 * waking detection for a while, or raising an event of their own labelled with the topic; which
 * topics count (one per line, a part of the topic; none: all). Saved as settings.cameraEvents.
 */
export function CameraEventsForm({ camera, onSaved }: { camera: CameraView; onSaved(c: CameraView): void }) {
  const { t } = useI18n();
  const [form, setForm] = useState<CameraEvents>(() => readCameraEvents(camera.settings as Record<string, unknown>));
  const [topicsText, setTopicsText] = useState(form.topics.join('\n'));
  const [saved, setSaved] = useState(false);
  const set = (patch: Partial<CameraEvents>) => {
    setForm((f) => ({ ...f, ...patch }));
    setSaved(false);
  };
  const {
    busy,
    error,
    submit: save,
  } = useSubmit(async () => {
    const topics = topicsText
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    const cameraEvents = { ...form, topics };
    onSaved(await api.updateCamera(camera.id, { settings: { ...camera.settings, cameraEvents } }));
    setSaved(true);
  });
  return (
    <fieldset className="camera-events-form" data-testid="camera-events-form">
      <legend>{t('camEvents.title')}</legend>
      {!camera.onvifUrl && <p className="muted">{t('camEvents.noOnvif')}</p>}
      <label>
        <input type="checkbox" checked={form.subscribe} onChange={(e) => set({ subscribe: e.target.checked })} /> {t('camEvents.subscribe')}
      </label>
      <div role="radiogroup" aria-label={t('camEvents.action')} className="checks">
        {(['wake', 'event'] as const).map((a) => (
          <label key={a}>
            <input type="radio" name="camera-events-action" checked={form.action === a} disabled={!form.subscribe} onChange={() => set({ action: a })} />{' '}
            {t(a === 'wake' ? 'camEvents.wake' : 'camEvents.event')}
          </label>
        ))}
      </div>
      {form.action === 'wake' && (
        <label>
          {t('camEvents.wakeSeconds')}{' '}
          <input
            type="number"
            min={1}
            max={120}
            value={form.wakeSeconds}
            disabled={!form.subscribe}
            onChange={(e) => set({ wakeSeconds: Math.max(1, Math.min(120, Math.round(Number(e.target.value) || 1))) })}
          />
        </label>
      )}
      <label htmlFor="camera-events-topics">{t('camEvents.topics')}</label>
      <textarea
        id="camera-events-topics"
        rows={3}
        value={topicsText}
        disabled={!form.subscribe}
        placeholder="CellMotionDetector&#10;Tamper&#10;LineDetector"
        onChange={(e) => {
          setTopicsText(e.target.value);
          setSaved(false);
        }}
      />
      <p className="muted">{t('camEvents.topicsHelp')}</p>
      <div className="button-row">
        <button type="button" className="primary" onClick={() => void save()} disabled={busy} data-testid="save-camera-events">
          {busy ? t('common.saving') : t('common.save')}
        </button>
        {saved && (
          <span role="status" className="ok">
            {t('common.saved')}
          </span>
        )}
      </div>
      <ErrorText error={error} />
    </fieldset>
  );
}
