import type { FormEvent } from 'react';
import { api } from '../api/endpoints.js';
import type { ProbeResult, TestFrameAnswer } from '../api/types.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { BusyLine } from './BusyLine.js';
import { ProbeWarnings } from './ProbeWarnings.js';
import { ErrorText } from './common.js';
import { useTimedCall } from './useTimedCall.js';

export const PROBE_LIMIT_MS = 30_000;
export const FRAME_LIMIT_MS = 30_000;

export interface StreamChoice {
  url: string;
  profileToken?: string;
  width?: number;
  height?: number;
  fps?: number;
  codec?: string;
}
export interface Credentials {
  username: string;
  password: string;
}

/** Probe an address with credentials; pick the detect and record streams among its profiles. */
export function ProbePanel(props: {
  target: string;
  setTarget(v: string): void;
  creds: Credentials;
  setCreds(c: Credentials): void;
  onProbed(r: ProbeResult | null): void;
  probed: ProbeResult | null;
  detect: string;
  record: string;
  onPick(which: 'detect' | 'record', token: string): void;
}) {
  const { t } = useI18n();
  const call = useTimedCall<ProbeResult>(PROBE_LIMIT_MS);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    props.onProbed(null);
    const r = await call.run((signal) =>
      api.probe({ target: props.target.trim(), username: props.creds.username || undefined, password: props.creds.password || undefined }, { signal }),
    );
    props.onProbed(r);
  };
  const p = props.probed;
  return (
    <section className="card" aria-labelledby="probe-title">
      <h2 id="probe-title">{t('probe.title')}</h2>
      <form onSubmit={submit} className="stack">
        <label htmlFor="probe-target">{t('probe.target')}</label>
        <input
          id="probe-target"
          required
          value={props.target}
          onChange={(e) => props.setTarget(e.target.value)}
          placeholder="192.168.1.64:80"
          spellCheck={false}
          autoCapitalize="none"
        />
        <div className="form-row">
          <label htmlFor="probe-user">
            {t('field.username')}
            <input
              id="probe-user"
              autoComplete="off"
              autoCapitalize="none"
              value={props.creds.username}
              onChange={(e) => props.setCreds({ ...props.creds, username: e.target.value })}
            />
          </label>
          <label htmlFor="probe-pass">
            {t('field.password')}
            <input
              id="probe-pass"
              type="password"
              autoComplete="new-password"
              value={props.creds.password}
              onChange={(e) => props.setCreds({ ...props.creds, password: e.target.value })}
            />
          </label>
        </div>
        <button type="submit" className="primary" disabled={call.busy} data-testid="probe-submit">
          {t('probe.submit')}
        </button>
        <BusyLine label={t('probe.busy')} startedAt={call.startedAt} limitMs={PROBE_LIMIT_MS} onCancel={call.cancel} />
        <ErrorText error={call.error} />
      </form>
      {p && (
        <div className="probe-result" data-testid="probe-result">
          <p>
            <strong>{[p.manufacturer, p.model].filter(Boolean).join(' ') || t('probe.unknownModel')}</strong> <span className="muted">{p.firmware}</span>
          </p>
          {p.clockOffsetMs !== null && Math.abs(p.clockOffsetMs) > 300_000 && (
            <p className="warn">{t('probe.clockOff', { minutes: Math.round(p.clockOffsetMs / 60_000) })}</p>
          )}
          <ProbeWarnings warnings={p.warnings} />
          <div className="table-wrap">
            <table className="list">
              <thead>
                <tr>
                  <th>{t('probe.profile')}</th>
                  <th>{t('probe.resolution')}</th>
                  <th>{t('probe.detect')}</th>
                  <th>{t('probe.record')}</th>
                </tr>
              </thead>
              <tbody>
                {p.profiles.map((pr) => (
                  <tr key={pr.token}>
                    <td>
                      {pr.name} <span className="muted">{pr.encoding}</span>
                    </td>
                    <td>
                      {pr.width}×{pr.height}
                      {pr.fps ? ` · ${pr.fps} fps` : ''}
                    </td>
                    <td>
                      <input
                        type="radio"
                        name="detect-profile"
                        aria-label={t('probe.useForDetect', { name: pr.name })}
                        checked={props.detect === pr.token}
                        onChange={() => props.onPick('detect', pr.token)}
                      />
                    </td>
                    <td>
                      <input
                        type="radio"
                        name="record-profile"
                        aria-label={t('probe.useForRecord', { name: pr.name })}
                        checked={props.record === pr.token}
                        onChange={() => props.onPick('record', pr.token)}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}

/** Grab one frame from a stream URL: proves the stream and credentials before registering. */
export function TestFramePanel({ stream, creds }: { stream: StreamChoice | null; creds: Credentials }) {
  const { t } = useI18n();
  const call = useTimedCall<TestFrameAnswer>(FRAME_LIMIT_MS);
  const run = () => {
    if (!stream) return;
    void call.run((signal) => api.testConnection({ url: stream.url, credentials: creds.username ? creds : null }, { signal }));
  };
  const f = call.result;
  return (
    <section className="card" aria-labelledby="frame-title">
      <h2 id="frame-title">{t('frame.title')}</h2>
      <button type="button" onClick={run} disabled={!stream || call.busy} data-testid="test-frame">
        {t('frame.submit')}
      </button>
      <BusyLine label={t('frame.busy')} startedAt={call.startedAt} limitMs={FRAME_LIMIT_MS} onCancel={call.cancel} />
      <ErrorText error={call.error} />
      {f && (
        <figure className="test-frame">
          <img src={`data:image/jpeg;base64,${f.jpegBase64}`} alt={t('frame.alt')} width={f.width} height={f.height} data-testid="test-frame-image" />
          <figcaption className="muted">
            {f.width}×{f.height}
            {f.fps ? ` · ${f.fps.toFixed(1)} fps` : ''}
            {f.codec ? ` · ${f.codec}` : ''}
          </figcaption>
        </figure>
      )}
    </section>
  );
}
