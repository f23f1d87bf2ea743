import { useMemo, useState, type FormEvent } from 'react';
import { api } from '../api/endpoints.js';
import type { DiscoveryAnswer, ProbeResult } from '../api/types.js';
import { useAsync } from '../api/useAsync.js';
import { BusyLine } from '../components/BusyLine.js';
import { CameraFields, cameraFieldsBody, emptyCameraFields } from '../components/CameraFields.js';
import { ErrorText, Page } from '../components/common.js';
import { ProbePanel, TestFramePanel, type Credentials, type StreamChoice } from '../components/ProbePanel.js';
import { useTimedCall } from '../components/useTimedCall.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { Link, navigate } from '../router.js';

const DISCOVER_SECONDS = 4;
const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

function streamOf(p: ProbeResult | null, token: string): StreamChoice | null {
  const pr = p?.profiles.find((x) => x.token === token);
  if (!pr) return null;
  return {
    url: pr.streamUri,
    profileToken: pr.token,
    width: pr.width,
    height: pr.height,
    ...(pr.fps ? { fps: pr.fps } : {}),
    ...(pr.encoding ? { codec: pr.encoding.toLowerCase() } : {}),
  };
}

/** The technician's path: discover → probe with credentials → test frame → name, area, place → register. */
export function DiscoverPage() {
  const { t } = useI18n();
  const discovery = useTimedCall<DiscoveryAnswer>((DISCOVER_SECONDS + 15) * 1000);
  const [interfaces, setInterfaces] = useState('');
  const [targets, setTargets] = useState('');
  const [target, setTarget] = useState('');
  /** The discovered device chosen (its endpoint reference is stored so it is recognised whatever its IP). */
  const [endpoint, setEndpoint] = useState<string | null>(null);
  const [creds, setCreds] = useState<Credentials>({ username: '', password: '' });
  const [probed, setProbed] = useState<ProbeResult | null>(null);
  const [manualUrl, setManualUrl] = useState('');
  const [pick, setPick] = useState({ detect: '', record: '' });
  const [fields, setFields] = useState(emptyCameraFields);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const areas = useAsync(() => api.areas(), []);
  const cameras = useAsync(() => api.cameras(), []);
  const others = useMemo(
    () =>
      (cameras.data ?? [])
        .filter((c) => c.latitude !== null && c.longitude !== null)
        .map((c) => ({ id: c.id, name: c.name, lat: c.latitude!, lon: c.longitude! })),
    [cameras.data],
  );

  const detect = probed ? streamOf(probed, pick.detect) : manualUrl.trim() ? { url: manualUrl.trim() } : null;
  const record = probed ? streamOf(probed, pick.record) : null;

  const discover = (e: FormEvent) => {
    e.preventDefault();
    void discovery.run((signal) =>
      api.discover(
        {
          interfaces: list(interfaces).length ? list(interfaces) : undefined,
          targets: list(targets).length ? list(targets) : undefined,
          timeoutSeconds: DISCOVER_SECONDS,
        },
        { signal },
      ),
    );
  };
  const onProbed = (r: ProbeResult | null) => {
    setProbed(r);
    if (r) {
      setPick({ detect: r.defaults.detect, record: r.defaults.record });
      if (!fields.name) setFields((f) => ({ ...f, name: [r.manufacturer, r.model].filter(Boolean).join(' ') }));
    }
  };
  const register = async (e: FormEvent) => {
    e.preventDefault();
    if (!detect) return;
    setSaving(true);
    setError(null);
    try {
      const cam = await api.createCamera({
        ...cameraFieldsBody(fields),
        ...(probed ? { onvifUrl: probed.deviceServiceUrl, clockOffsetMs: probed.clockOffsetMs === null ? null : Math.round(probed.clockOffsetMs) } : {}),
        ...(probed && endpoint ? { onvifEndpoint: endpoint } : {}),
        ...(creds.username ? { credentials: creds } : {}),
        streams: { detect, ...(record && record.url !== detect.url ? { record } : {}) },
      });
      navigate(`/cameras/${cam.id}?tab=zones`);
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Page
      title={t('discover.title')}
      actions={
        <Link to="/cameras" className="button">
          {t('common.back')}
        </Link>
      }
    >
      <section className="card" aria-labelledby="disc-title">
        <h2 id="disc-title">{t('discover.find')}</h2>
        <form onSubmit={discover} className="stack">
          <div className="form-row">
            <label htmlFor="disc-if">
              {t('discover.interfaces')}
              <input id="disc-if" value={interfaces} onChange={(e) => setInterfaces(e.target.value)} placeholder="eth0" spellCheck={false} />
            </label>
            <label htmlFor="disc-targets">
              {t('discover.targets')}
              <input id="disc-targets" value={targets} onChange={(e) => setTargets(e.target.value)} placeholder="192.168.1.64" spellCheck={false} />
            </label>
          </div>
          <button type="submit" className="primary" disabled={discovery.busy} data-testid="discover-submit">
            {t('discover.submit')}
          </button>
          <BusyLine label={t('discover.busy')} startedAt={discovery.startedAt} limitMs={(DISCOVER_SECONDS + 15) * 1000} onCancel={discovery.cancel} />
          <ErrorText error={discovery.error} />
        </form>
        {discovery.result && (
          <ul className="device-list" data-testid="discovered">
            {discovery.result.devices.length === 0 && <li className="muted">{t('discover.none')}</li>}
            {discovery.result.devices.map((d) => (
              <li key={d.endpoint} data-endpoint={d.endpoint}>
                <strong>{d.scopes.name ?? d.scopes.hardware ?? d.address}</strong>{' '}
                <span className="muted">
                  {d.scopes.hardware} · {d.address}
                </span>
                {d.channels.map((c) => (
                  <Link key={c.cameraId} to={`/cameras/${c.cameraId}`} className="chip">
                    {c.channel ? t('discover.registeredChannel', { channel: c.channel }) : t('discover.registered')}
                  </Link>
                ))}
                {d.sameHostCameraId !== null && (
                  <Link to={`/cameras/${d.sameHostCameraId}`} className="muted">
                    {t('discover.sameHost')}
                  </Link>
                )}
                <button
                  type="button"
                  onClick={() => {
                    setTarget(d.deviceServiceUrl ?? d.address);
                    setEndpoint(d.endpoint);
                  }}
                >
                  {d.registered ? t('discover.chooseChannel') : t('discover.choose')}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>

      <ProbePanel
        target={target}
        setTarget={(v) => {
          setTarget(v);
          setEndpoint(null);
        }}
        creds={creds}
        setCreds={setCreds}
        probed={probed}
        onProbed={onProbed}
        detect={pick.detect}
        record={pick.record}
        onPick={(which, token) => setPick((p) => ({ ...p, [which]: token }))}
      />

      {!probed && (
        <details className="card">
          <summary>{t('discover.manual')}</summary>
          <label htmlFor="manual-url">{t('discover.rtspUrl')}</label>
          <input
            id="manual-url"
            value={manualUrl}
            onChange={(e) => setManualUrl(e.target.value)}
            placeholder="rtsp://192.168.1.64:554/Streaming/Channels/102"
            spellCheck={false}
          />
        </details>
      )}

      <TestFramePanel stream={detect} creds={creds} />

      <section className="card" aria-labelledby="reg-title">
        <h2 id="reg-title">{t('discover.register')}</h2>
        <form onSubmit={register} className="stack">
          <CameraFields v={fields} onChange={setFields} areas={areas.data ?? []} others={others} />
          <button type="submit" className="primary" disabled={!detect || saving} data-testid="register-camera">
            {saving ? t('common.saving') : t('discover.registerSubmit')}
          </button>
          {!detect && <p className="muted">{t('discover.needStream')}</p>}
          <ErrorText error={error} />
        </form>
      </section>
    </Page>
  );
}
