import type { AlertStateName, Area, CameraDisplayState } from '../api/types.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { AreaSelect } from './common.js';

export type AlertFilter = 'open' | 'all' | AlertStateName;

/** The wall's filters: area (with the areas below it), camera state, alert state. */
export function WallFilters(p: {
  areas: readonly Area[];
  areaId: number | null;
  onArea(id: number | null): void;
  camState: CameraDisplayState | '';
  onCamState(s: CameraDisplayState | ''): void;
  alertFilter: AlertFilter;
  onAlertFilter(f: AlertFilter): void;
}) {
  const { t, name } = useI18n();
  return (
    <div className="wall-filters">
      <label className="filter-pair">
        {t('field.area')}
        <AreaSelect id="wall-area" areas={p.areas} value={p.areaId} onChange={p.onArea} emptyLabel={t('filter.allAreas')} />
      </label>
      <label className="filter-pair">
        {t('wall.cameraState')}
        <select id="wall-camstate" value={p.camState} onChange={(e) => p.onCamState(e.target.value as CameraDisplayState | '')}>
          <option value="">{t('filter.all')}</option>
          {(['online', 'interrupted', 'offline'] as const).map((s) => (
            <option key={s} value={s}>
              {name('display', s)}
            </option>
          ))}
        </select>
      </label>
      <label className="filter-pair">
        {t('wall.alertState')}
        <select id="wall-alertstate" value={p.alertFilter} onChange={(e) => p.onAlertFilter(e.target.value as AlertFilter)}>
          <option value="open">{t('filter.open')}</option>
          <option value="all">{t('filter.all')}</option>
          {(['new', 'acknowledged', 'assigned', 'resolved', 'false_alarm'] as const).map((s) => (
            <option key={s} value={s}>
              {name('alertState', s)}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
