import { api } from '../api/endpoints.js';
import { useAsync } from '../api/useAsync.js';
import { ErrorText, Spinner } from '../components/common.js';
import { formatDateTime } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';

/** The admin's view of a cluster (issue 16): the servers, their load, and which one runs each camera. */
export function ClusterSection() {
  const { t } = useI18n();
  const cluster = useAsync(() => api.cluster(), []);
  const v = cluster.data;
  return (
    <section className="card" aria-labelledby="cluster-title">
      <h2 id="cluster-title">{t('cluster.title')}</h2>
      <ErrorText error={cluster.error} />
      {!v && !cluster.error && <Spinner label={t('common.loading')} />}
      {v && !v.enabled && <p className="muted">{t('cluster.single')}</p>}
      {v?.enabled && (
        <>
          <p className="muted">{t('cluster.intro')}</p>
          <p className="muted">{t('cluster.answeredBy', { node: v.nodeId })}</p>
          <h3>{t('cluster.nodes')}</h3>
          <table>
            <thead>
              <tr>
                <th>{t('cluster.node')}</th>
                <th>{t('cluster.state')}</th>
                <th>{t('cluster.heartbeat')}</th>
                <th>{t('cluster.version')}</th>
                <th>{t('cluster.cpu')}</th>
                <th>{t('cluster.cameraCount')}</th>
              </tr>
            </thead>
            <tbody>
              {v.nodes.map((n) => (
                <tr key={n.id}>
                  <td>{n.id}</td>
                  <td>{n.alive ? t('cluster.alive') : t('cluster.dead')}</td>
                  <td>{formatDateTime(n.heartbeatAt)}</td>
                  <td>{n.version}</td>
                  <td>{Math.round(n.cpu * 100)} %</td>
                  <td>{n.cameraIds.length}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t('cluster.cameras')}</h3>
          <table>
            <thead>
              <tr>
                <th>{t('cluster.camera')}</th>
                <th>{t('cluster.owner')}</th>
                <th>{t('cluster.pinned')}</th>
              </tr>
            </thead>
            <tbody>
              {v.cameras.map((c) => (
                <tr key={c.cameraId}>
                  <td>#{c.cameraId}</td>
                  <td>{c.owner ?? t('cluster.nobody')}</td>
                  <td>{c.pinnedNode ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t('cluster.jobs')}</h3>
          <ul>
            {v.jobs.map((j) => (
              <li key={j.name}>
                {j.name === 'notify' ? t('cluster.job.notify') : j.name}: {j.owner ?? t('cluster.nobody')}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
