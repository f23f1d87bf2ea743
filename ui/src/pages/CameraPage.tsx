import { useMemo, useState, type KeyboardEvent } from 'react';
import { api } from '../api/endpoints.js';
import type { CameraView } from '../api/types.js';
import { useAsync } from '../api/useAsync.js';
import { CameraFields, cameraFieldsBody, type CameraFieldValues } from '../components/CameraFields.js';
import { CameraHealthTab } from '../components/CameraHealthTab.js';
import { CameraPtz } from '../components/CameraPtz.js';
import { CameraRulesTab } from '../components/CameraRulesTab.js';
import { CameraZonesTab } from '../components/CameraZonesTab.js';
import { ErrorText, Page, Spinner, StateBadge } from '../components/common.js';
import { LiveImage } from '../components/LiveImage.js';
import type { MessageKey } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { Link, navigate, setQuery, useLocation } from '../router.js';
import { useSubmit } from '../api/useSubmit.js';

const TABS = ['general', 'zones', 'rules', 'health'] as const;
type Tab = (typeof TABS)[number];

const fieldsOf = (c: CameraView): CameraFieldValues => ({
  name: c.name,
  areaId: c.areaId,
  ownerName: c.ownerName ?? '',
  ownerKind: c.ownerKind ?? '',
  address: c.address ?? '',
  latitude: c.latitude?.toString() ?? '',
  longitude: c.longitude?.toString() ?? '',
  defaultVisibility: c.defaultVisibility,
});

/** One camera for technicians: details and place, zones and masks, rules and schedule, health. */
export function CameraPage({ id }: { id: number }) {
  const { t } = useI18n();
  const { query } = useLocation();
  const camera = useAsync(() => api.camera(id), [id]);
  const tab: Tab = (TABS as readonly string[]).includes(query.get('tab') ?? '') ? (query.get('tab') as Tab) : 'general';

  const onTabKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = TABS.indexOf(tab);
    const next = e.key === 'ArrowRight' ? TABS[(i + 1) % TABS.length] : e.key === 'ArrowLeft' ? TABS[(i + TABS.length - 1) % TABS.length] : undefined;
    if (!next) return;
    e.preventDefault();
    setQuery({ tab: next });
    requestAnimationFrame(() => document.getElementById(`tab-${next}`)?.focus());
  };

  if (camera.error)
    return (
      <Page title={t('cameras.title')}>
        <ErrorText error={camera.error} />
      </Page>
    );
  if (!camera.data)
    return (
      <Page title={t('cameras.title')}>
        <Spinner label={t('common.loading')} />
      </Page>
    );
  const c = camera.data;
  // Per camera, from the server: technicians work only on cameras of their areas (and unassigned ones).
  const editable = c.may.update;
  return (
    <Page
      title={c.name}
      actions={
        <>
          <StateBadge state={c.display} />
          <Link to="/cameras" className="button">
            {t('common.back')}
          </Link>
        </>
      }
    >
      <div role="tablist" aria-label={t('camera.sections')} className="tabs" onKeyDown={onTabKey}>
        {TABS.map((k) => (
          <button
            key={k}
            id={`tab-${k}`}
            role="tab"
            type="button"
            aria-selected={tab === k}
            aria-controls={`panel-${k}`}
            tabIndex={tab === k ? 0 : -1}
            onClick={() => setQuery({ tab: k })}
          >
            {t(`camera.tab.${k}` as MessageKey)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'general' && <GeneralTab camera={c} editable={editable} onSaved={camera.set} />}
        {tab === 'zones' && (editable ? <CameraZonesTab camera={c} onSaved={camera.set} /> : <p className="muted">{t('error.forbidden')}</p>)}
        {tab === 'rules' && (editable ? <CameraRulesTab camera={c} onSaved={camera.set} /> : <p className="muted">{t('error.forbidden')}</p>)}
        {tab === 'health' && <CameraHealthTab camera={c} />}
      </div>
    </Page>
  );
}

function GeneralTab({ camera, editable, onSaved }: { camera: CameraView; editable: boolean; onSaved(c: CameraView): void }) {
  const { t } = useI18n();
  const [fields, setFields] = useState(() => fieldsOf(camera));
  const [saved, setSaved] = useState(false);
  const areas = useAsync(() => api.areas(), []);
  const cameras = useAsync(() => api.cameras(), []);
  const others = useMemo(
    () =>
      (cameras.data ?? [])
        .filter((c) => c.id !== camera.id && c.latitude !== null && c.longitude !== null)
        .map((c) => ({ id: c.id, name: c.name, lat: c.latitude!, lon: c.longitude! })),
    [cameras.data, camera.id],
  );

  const {
    busy,
    error,
    setError,
    submit: save,
  } = useSubmit(async () => {
    onSaved(await api.updateCamera(camera.id, cameraFieldsBody(fields)));
    setSaved(true);
  });
  const remove = async () => {
    if (!window.confirm(t('camera.confirmDelete', { name: camera.name }))) return;
    try {
      await api.deleteCamera(camera.id);
      navigate('/cameras');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div className="general-tab">
      {camera.may.live ? <LiveImage cameraId={camera.id} alt={camera.name} intervalMs={2_000} /> : <p className="muted">{t('camera.otherArea')}</p>}
      {camera.may.ptz && camera.onvifUrl && <CameraPtz camera={camera} onSaved={onSaved} />}
      {camera.stateReason === 'target_not_allowed' && (
        <p role="alert" className="error">
          {t('error.target_not_allowed')}
        </p>
      )}
      <p className="muted">
        {t('camera.streamInfo', { url: camera.streams.detect.url })}
        {camera.credentials === 'set' ? ` · ${t('camera.credentialsSet')}` : ''}
      </p>
      <form onSubmit={save} className="stack">
        <fieldset disabled={!editable} className="plain">
          <CameraFields
            v={fields}
            onChange={(v) => {
              setFields(v);
              setSaved(false);
            }}
            areas={areas.data ?? []}
            others={others}
          />
        </fieldset>
        {editable && (
          <div className="button-row">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? t('common.saving') : t('common.save')}
            </button>
            {saved && (
              <span role="status" className="ok">
                {t('common.saved')}
              </span>
            )}
            {camera.may.delete && (
              <button type="button" className="danger" onClick={() => void remove()}>
                {t('camera.delete')}
              </button>
            )}
          </div>
        )}
        <ErrorText error={error} />
      </form>
    </div>
  );
}
