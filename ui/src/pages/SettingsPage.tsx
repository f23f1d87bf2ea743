import { useState } from 'react';
import { api } from '../api/endpoints.js';
import { ApiError } from '../api/http.js';
import type { CameraNetworkView } from '../api/types.js';
import { useAsync } from '../api/useAsync.js';
import { useSubmit } from '../api/useSubmit.js';
import { ErrorText, Page, Spinner } from '../components/common.js';
import { formatDateTime } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { ClusterSection } from './ClusterSection.js';

/** Server settings for admins: the address ranges cameras may be at (what the server may connect to for a camera). */
export function SettingsPage() {
  const { t } = useI18n();
  const current = useAsync(() => api.cameraNetwork(), []);
  const v = current.data;
  return (
    <Page title={t('settings.title')}>
      <ErrorText error={current.error} />
      {!v && !current.error && <Spinner label={t('common.loading')} />}
      {/* Keyed by the saved version: the boxes show the lists as the server normalised them. */}
      {v && <CameraNetworkForm key={`${v.source}-${v.updatedAt}`} v={v} onSaved={current.set} />}
      <ClusterSection />
    </Page>
  );
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

function CameraNetworkForm({ v, onSaved }: { v: CameraNetworkView; onSaved(v: CameraNetworkView): void }) {
  const { t } = useI18n();
  const [allow, setAllow] = useState(() => v.allow.join('\n'));
  const [deny, setDeny] = useState(() => v.deny.join('\n'));
  const save = useSubmit(async () => onSaved(await api.saveCameraNetwork({ allow: lines(allow), deny: lines(deny) })));
  const reset = useSubmit(async () => onSaved(await api.resetCameraNetwork()));
  return (
    <section className="card" aria-labelledby="network-title">
      <h2 id="network-title">{t('settings.network.title')}</h2>
      <p className="muted">{t('settings.network.intro')}</p>
      <form className="stack" onSubmit={save.submit}>
        <label htmlFor="network-allow">{t('settings.network.allow')}</label>
        <textarea id="network-allow" rows={4} spellCheck={false} value={allow} onChange={(e) => setAllow(e.target.value)} placeholder="192.168.1.0/24" />
        <label htmlFor="network-deny">{t('settings.network.deny')}</label>
        <textarea id="network-deny" rows={6} spellCheck={false} value={deny} onChange={(e) => setDeny(e.target.value)} />
        <p className="muted">{t('settings.network.rule')}</p>
        <p className="muted" data-testid="network-source">
          {v.source === 'saved' && v.updatedAt !== null ? t('settings.network.saved', { time: formatDateTime(v.updatedAt) }) : t('settings.network.defaults')}
        </p>
        <div className="button-row">
          <button type="submit" className="primary" disabled={save.busy}>
            {save.busy ? t('common.saving') : t('common.save')}
          </button>
          {v.source === 'saved' && (
            <button type="button" disabled={reset.busy} onClick={() => void reset.submit()}>
              {t('settings.network.reset')}
            </button>
          )}
        </div>
        <RangeError error={save.error ?? reset.error} lists={{ allow: lines(allow), deny: lines(deny) }} />
      </form>
    </section>
  );
}

/** A bad range is named with its list, instead of the API field (body.allow.2). */
function RangeError({ error, lists }: { error: unknown; lists: { allow: string[]; deny: string[] } }) {
  const { t } = useI18n();
  const m = error instanceof ApiError ? /^body\.(allow|deny)\.(\d+)$/.exec(error.field ?? '') : null;
  if (!m) return <ErrorText error={error} />;
  const list = m[1] as 'allow' | 'deny';
  return (
    <p role="alert" className="error">
      {t('settings.network.badRange', {
        entry: lists[list][Number(m[2])] ?? '',
        list: t(list === 'allow' ? 'settings.network.allow' : 'settings.network.deny'),
      })}
    </p>
  );
}
