import { useState } from 'react';
import { api } from '../api/endpoints.js';
import type { CameraView } from '../api/types.js';
import { EVENT_LABELS } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { CameraEventsForm } from './CameraEventsForm.js';
import { ErrorText } from './common.js';
import { TimeField } from './DateTimeInputs.js';
import { useSubmit } from '../api/useSubmit.js';

interface Window {
  start: string;
  end: string;
  days?: number[];
}
interface Rules {
  labels: string[];
  minScore: number;
  alertsEnabled: boolean;
  schedule: Window[];
}

const DEFAULT_LABELS = ['person', 'motorcycle', 'bicycle', 'car', 'bus', 'truck'];
const DAYS = [1, 2, 3, 4, 5, 6, 0];

function readRules(settings: Record<string, unknown>): Rules {
  const r = (settings.rules ?? {}) as { labels?: string[]; minScore?: number; alerts?: { enabled?: boolean; schedule?: Window[] } };
  return { labels: r.labels ?? DEFAULT_LABELS, minScore: r.minScore ?? 0.5, alertsEnabled: r.alerts?.enabled ?? true, schedule: r.alerts?.schedule ?? [] };
}

/** Which objects count, from what score, and when alerts are raised (lịch giám sát). */
export function CameraRulesTab({ camera, onSaved }: { camera: CameraView; onSaved(c: CameraView): void }) {
  const { t, name } = useI18n();
  const [rules, setRules] = useState<Rules>(() => readRules(camera.settings));
  const [saved, setSaved] = useState(false);
  const set = (patch: Partial<Rules>) => {
    setRules((r) => ({ ...r, ...patch }));
    setSaved(false);
  };
  const setWindow = (i: number, w: Partial<Window>) => set({ schedule: rules.schedule.map((x, j) => (j === i ? { ...x, ...w } : x)) });
  const toggleDay = (i: number, d: number) => {
    const days = rules.schedule[i]!.days ?? [0, 1, 2, 3, 4, 5, 6];
    const next = days.includes(d) ? days.filter((x) => x !== d) : [...days, d].sort();
    setWindow(i, { days: next.length === 7 ? undefined : next });
  };

  const {
    busy,
    error,
    submit: save,
  } = useSubmit(async () => {
    const current = (camera.settings.rules ?? {}) as Record<string, unknown>;
    const alerts = (current.alerts ?? {}) as Record<string, unknown>;
    const rulesPart = {
      ...current,
      labels: rules.labels,
      minScore: rules.minScore,
      alerts: { ...alerts, enabled: rules.alertsEnabled, schedule: rules.schedule },
    };
    onSaved(await api.updateCamera(camera.id, { settings: { ...camera.settings, rules: rulesPart } }));
    setSaved(true);
  });

  return (
    <div className="rules-tab stack">
      <fieldset>
        <legend>{t('rules.labels')}</legend>
        <div className="checks">
          {EVENT_LABELS.map((l) => (
            <label key={l}>
              <input
                type="checkbox"
                checked={rules.labels.includes(l)}
                onChange={(e) => set({ labels: e.target.checked ? [...rules.labels, l] : rules.labels.filter((x) => x !== l) })}
              />{' '}
              {name('label', l)}
            </label>
          ))}
        </div>
      </fieldset>
      <label htmlFor="rules-score">{t('rules.minScore', { pct: Math.round(rules.minScore * 100) })}</label>
      <input
        id="rules-score"
        type="range"
        min={0.1}
        max={0.95}
        step={0.05}
        value={rules.minScore}
        onChange={(e) => set({ minScore: Number(e.target.value) })}
      />
      <label>
        <input type="checkbox" checked={rules.alertsEnabled} onChange={(e) => set({ alertsEnabled: e.target.checked })} /> {t('rules.alertsEnabled')}
      </label>
      <fieldset>
        <legend>{t('rules.schedule')}</legend>
        <p className="muted">{rules.schedule.length === 0 ? t('rules.alwaysOn') : t('rules.scheduleHelp')}</p>
        {rules.schedule.map((w, i) => (
          <div key={i} className="schedule-row">
            <label>
              {t('field.fromTime')}
              <TimeField value={w.start} onChange={(v) => setWindow(i, { start: v })} />
            </label>
            <label>
              {t('field.toTime')}
              <TimeField value={w.end} onChange={(v) => setWindow(i, { end: v })} />
            </label>
            <span className="checks">
              {DAYS.map((d) => (
                <label key={d}>
                  <input type="checkbox" checked={(w.days ?? [0, 1, 2, 3, 4, 5, 6]).includes(d)} onChange={() => toggleDay(i, d)} /> {t(`day.${d}` as 'day.0')}
                </label>
              ))}
            </span>
            <button type="button" onClick={() => set({ schedule: rules.schedule.filter((_, j) => j !== i) })}>
              {t('common.delete')}
            </button>
          </div>
        ))}
        <button type="button" onClick={() => set({ schedule: [...rules.schedule, { start: '22:00', end: '05:00' }] })}>
          {t('rules.addWindow')}
        </button>
      </fieldset>
      <div className="button-row">
        <button type="button" className="primary" onClick={() => void save()} disabled={busy}>
          {busy ? t('common.saving') : t('common.save')}
        </button>
        {saved && (
          <span role="status" className="ok">
            {t('common.saved')}
          </span>
        )}
      </div>
      <ErrorText error={error} />
      <CameraEventsForm camera={camera} onSaved={onSaved} />
    </div>
  );
}
