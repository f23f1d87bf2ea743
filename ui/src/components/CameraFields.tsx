import type { Area } from '../api/types.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { PositionPreview, type MapPoint } from './charts.js';
import { AreaSelect } from './common.js';

export const OWNER_KINDS = ['resident', 'shop', 'boarding_house', 'group', 'other'] as const;

export interface CameraFieldValues {
  name: string;
  areaId: number | null;
  ownerName: string;
  ownerKind: string;
  address: string;
  latitude: string;
  longitude: string;
  defaultVisibility: 'internal' | 'shared';
}

export const emptyCameraFields = (): CameraFieldValues => ({
  name: '',
  areaId: null,
  ownerName: '',
  ownerKind: '',
  address: '',
  latitude: '',
  longitude: '',
  defaultVisibility: 'internal',
});

/** Form values → API body (empty text → null, coordinates as numbers). */
export function cameraFieldsBody(v: CameraFieldValues): Record<string, unknown> {
  const num = (s: string) => (s.trim() === '' ? null : Number(s.replace(',', '.')));
  const text = (s: string) => (s.trim() === '' ? null : s.trim());
  return {
    name: v.name.trim(),
    areaId: v.areaId,
    ownerName: text(v.ownerName),
    ownerKind: v.ownerKind || null,
    address: text(v.address),
    latitude: num(v.latitude),
    longitude: num(v.longitude),
    defaultVisibility: v.defaultVisibility,
  };
}

/** Name, owner, area, address and position of a camera: the same fields when registering and editing. */
export function CameraFields({
  v,
  onChange,
  areas,
  others,
}: {
  v: CameraFieldValues;
  onChange(v: CameraFieldValues): void;
  areas: readonly Area[];
  others: readonly MapPoint[];
}) {
  const { t, name } = useI18n();
  const set = <K extends keyof CameraFieldValues>(k: K, value: CameraFieldValues[K]) => onChange({ ...v, [k]: value });
  const lat = Number(v.latitude.replace(',', '.'));
  const lon = Number(v.longitude.replace(',', '.'));
  const here = v.latitude.trim() && v.longitude.trim() && Number.isFinite(lat) && Number.isFinite(lon) ? { lat, lon } : null;
  const locate = () =>
    navigator.geolocation?.getCurrentPosition(
      (p) => onChange({ ...v, latitude: p.coords.latitude.toFixed(6), longitude: p.coords.longitude.toFixed(6) }),
      (err) => console.warn('position unavailable', err.message),
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  return (
    <div className="camera-fields">
      <label htmlFor="cam-name">{t('field.cameraName')}</label>
      <input id="cam-name" required maxLength={200} value={v.name} onChange={(e) => set('name', e.target.value)} />
      <label htmlFor="cam-area">{t('field.area')}</label>
      <AreaSelect id="cam-area" areas={areas} value={v.areaId} onChange={(id) => set('areaId', id)} emptyLabel={t('field.noArea')} />
      <div className="form-row">
        <label htmlFor="cam-owner">
          {t('field.ownerName')}
          <input id="cam-owner" maxLength={200} value={v.ownerName} onChange={(e) => set('ownerName', e.target.value)} />
        </label>
        <label htmlFor="cam-owner-kind">
          {t('field.ownerKind')}
          <select id="cam-owner-kind" value={v.ownerKind} onChange={(e) => set('ownerKind', e.target.value)}>
            <option value="">–</option>
            {OWNER_KINDS.map((k) => (
              <option key={k} value={k}>
                {name('ownerKind', k)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label htmlFor="cam-address">{t('field.address')}</label>
      <input id="cam-address" maxLength={500} value={v.address} onChange={(e) => set('address', e.target.value)} />
      <div className="form-row">
        <label htmlFor="cam-lat">
          {t('field.latitude')}
          <input id="cam-lat" inputMode="decimal" value={v.latitude} onChange={(e) => set('latitude', e.target.value)} placeholder="16.4637" />
        </label>
        <label htmlFor="cam-lon">
          {t('field.longitude')}
          <input id="cam-lon" inputMode="decimal" value={v.longitude} onChange={(e) => set('longitude', e.target.value)} placeholder="107.5909" />
        </label>
        <button type="button" onClick={locate}>
          {t('position.useMine')}
        </button>
      </div>
      <PositionPreview current={here} others={others} />
      <label htmlFor="cam-visibility">{t('field.defaultVisibility')}</label>
      <select id="cam-visibility" value={v.defaultVisibility} onChange={(e) => set('defaultVisibility', e.target.value as 'internal' | 'shared')}>
        <option value="internal">{t('visibility.internal')}</option>
        <option value="shared">{t('visibility.shared')}</option>
      </select>
    </div>
  );
}
