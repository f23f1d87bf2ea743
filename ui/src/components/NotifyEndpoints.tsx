import { useState } from 'react';
import { notifyApi, type EndpointView, type TestAnswer } from '../api/notify.api.js';
import { useAsync } from '../api/useAsync.js';
import { useSubmit } from '../api/useSubmit.js';
import { formatDateTime } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { ErrorText } from './common.js';

/** Webhook endpoints: add (the secret shows once), send a test, read the delivery log, delete. */
export function NotifyEndpoints() {
  const { t } = useI18n();
  const list = useAsync(() => notifyApi.endpoints(), []);
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const add = useSubmit(async () => {
    const r = await notifyApi.createEndpoint({ name, url });
    setSecret({ name: r.endpoint.name, secret: r.secret });
    setName('');
    setUrl('');
    list.reload();
  });
  return (
    <section className="card" aria-labelledby="notify-endpoints">
      <h2 id="notify-endpoints">{t('notifyAdmin.endpoints')}</h2>
      {secret && (
        <p role="status">
          {t('notifyAdmin.secretOnce', { name: secret.name })} <code data-testid="endpoint-secret">{secret.secret}</code>
        </p>
      )}
      <ErrorText error={list.error} />
      {list.data?.length === 0 && <p className="muted">{t('notifyAdmin.noEndpoints')}</p>}
      <ul>
        {list.data?.map((e) => (
          <EndpointItem key={e.id} e={e} onDeleted={list.reload} />
        ))}
      </ul>
      <form className="stack" onSubmit={add.submit}>
        <label htmlFor="endpoint-name">{t('notifyAdmin.name')}</label>
        <input id="endpoint-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        <label htmlFor="endpoint-url">{t('notifyAdmin.url')}</label>
        <input id="endpoint-url" value={url} onChange={(e) => setUrl(e.target.value)} required spellCheck={false} placeholder="https://" />
        <div className="button-row">
          <button type="submit" className="primary" disabled={add.busy}>
            {t('notifyAdmin.add')}
          </button>
        </div>
        <ErrorText error={add.error} />
      </form>
    </section>
  );
}

function EndpointItem({ e, onDeleted }: { e: EndpointView; onDeleted(): void }) {
  const { t } = useI18n();
  const [answer, setAnswer] = useState<TestAnswer | null>(null);
  const [showLog, setShowLog] = useState(false);
  const test = useSubmit(async () => setAnswer(await notifyApi.testEndpoint(e.id)));
  const del = useSubmit(async () => {
    await notifyApi.deleteEndpoint(e.id);
    onDeleted();
  });
  return (
    <li>
      <strong>{e.name}</strong> <span className="muted">{e.url}</span>
      <div className="button-row">
        <button type="button" disabled={test.busy} onClick={() => void test.submit()}>
          {t('notifyAdmin.test')}
        </button>
        <button type="button" onClick={() => setShowLog(!showLog)}>
          {t('notifyAdmin.log')}
        </button>
        <button type="button" disabled={del.busy} onClick={() => void del.submit()}>
          {t('notifyAdmin.delete')}
        </button>
      </div>
      {answer && (
        <p role="status">
          {answer.ok
            ? t('notifyAdmin.testOk', { status: answer.status ?? '', ms: answer.durationMs })
            : t('notifyAdmin.testFailed', { error: answer.error ?? '' })}
        </p>
      )}
      <ErrorText error={test.error ?? del.error} />
      {showLog && <EndpointLog id={e.id} />}
    </li>
  );
}

function EndpointLog({ id }: { id: number }) {
  const { t } = useI18n();
  const log = useAsync(() => notifyApi.endpointLog(id), [id]);
  if (log.data?.length === 0) return <p className="muted">{t('notifyAdmin.noLog')}</p>;
  return (
    <ul className="muted" data-testid="endpoint-log">
      {log.data?.map((a) => (
        <li key={a.id}>
          {formatDateTime(a.at)} · {a.kind} · {a.ok ? `HTTP ${a.status ?? ''}` : (a.error ?? `HTTP ${a.status ?? ''}`)} · {a.durationMs} ms
        </li>
      ))}
    </ul>
  );
}
