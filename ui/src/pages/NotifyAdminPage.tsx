import { useState } from 'react';
import { notifyApi, type DeliveryView } from '../api/notify.api.js';
import { useAsync } from '../api/useAsync.js';
import { useSubmit } from '../api/useSubmit.js';
import { ErrorText, Page, Spinner } from '../components/common.js';
import { NotifyEndpoints } from '../components/NotifyEndpoints.js';
import { formatDateTime, type MessageKey } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';

/** The admin's notifications page (issue 14): channel states, webhook endpoints, dead letters with a retry button. */
export function NotifyAdminPage() {
  const { t } = useI18n();
  const channels = useAsync(() => notifyApi.channels(), []);
  return (
    <Page title={t('notifyAdmin.title')}>
      <section className="card" aria-labelledby="notify-channels">
        <h2 id="notify-channels">{t('notifyAdmin.channels')}</h2>
        <ErrorText error={channels.error} />
        {!channels.data && !channels.error && <Spinner label={t('common.loading')} />}
        {channels.data && (
          <ul data-testid="notify-channels">
            {channels.data.channels.map((c) => (
              <li key={c.channel}>
                <strong>{t(`notifyChannel.${c.channel}` as MessageKey)}</strong>: {t(`notifyState.${c.state}` as MessageKey)}
                {c.detail && <span className="muted"> — {c.detail}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <NotifyEndpoints />
      <DeadLetters />
    </Page>
  );
}

function DeadLetters() {
  const { t } = useI18n();
  const dead = useAsync(() => notifyApi.deadLetters(), []);
  // Said above the list: the retried row leaves it at once.
  const [retried, setRetried] = useState(false);
  const onRetried = () => {
    setRetried(true);
    dead.reload();
  };
  return (
    <section className="card" aria-labelledby="notify-dead">
      <h2 id="notify-dead">{t('notifyAdmin.deadLetters')}</h2>
      {retried && <p role="status">{t('notifyAdmin.retried')}</p>}
      <ErrorText error={dead.error} />
      {dead.data?.length === 0 && <p className="muted">{t('notifyAdmin.noDeadLetters')}</p>}
      {!!dead.data?.length && (
        <div className="table-wrap">
          <table className="list">
            <thead>
              <tr>
                <th>{t('notifyAdmin.when')}</th>
                <th>{t('notifyAdmin.channel')}</th>
                <th>{t('notifyAdmin.kind')}</th>
                <th>{t('notifyAdmin.attempts')}</th>
                <th>{t('notifyAdmin.error')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {dead.data.map((d) => (
                <DeadRow key={d.id} d={d} onRetried={onRetried} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function DeadRow({ d, onRetried }: { d: DeliveryView; onRetried(): void }) {
  const { t } = useI18n();
  const retry = useSubmit(async () => {
    await notifyApi.retry(d.id);
    onRetried();
  });
  return (
    <tr>
      <td>{formatDateTime(d.notification.at)}</td>
      <td>
        {t(`notifyChannel.${d.channel}` as MessageKey)} <span className="muted">{d.target}</span>
      </td>
      <td>{t(`notifyKind.${d.notification.kind}` as MessageKey)}</td>
      <td>{d.attempts}</td>
      <td>{d.lastError}</td>
      <td>
        <button type="button" disabled={retry.busy} onClick={() => void retry.submit()}>
          {t('notifyAdmin.retry')}
        </button>
        <ErrorText error={retry.error} />
      </td>
    </tr>
  );
}
