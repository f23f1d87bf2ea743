import { api } from '../api/endpoints.js';
import { useAsync } from '../api/useAsync.js';
import { ErrorText, Page, Spinner, StateBadge, areaName } from '../components/common.js';
import { formatDateTime } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

/** Every camera with its state; technicians open one to edit, or add new ones. */
export function CamerasPage() {
  const { t, name } = useI18n();
  const session = useSession();
  const cameras = useAsync(() => api.cameras(), []);
  const areas = useAsync(() => api.areas(), []);
  return (
    <Page
      title={t('cameras.title')}
      actions={
        session.can('camera.create') && (
          <Link to="/cameras/add" className="button primary" data-testid="add-camera">
            {t('cameras.add')}
          </Link>
        )
      }
    >
      <ErrorText error={cameras.error} />
      {cameras.loading && !cameras.data && <Spinner label={t('common.loading')} />}
      {cameras.data?.length === 0 && <p className="muted">{t('wall.noCameras')}</p>}
      <div className="table-wrap">
        <table className="list">
          <thead>
            <tr>
              <th>{t('field.cameraName')}</th>
              <th>{t('field.area')}</th>
              <th>{t('field.state')}</th>
              <th>{t('field.ownerName')}</th>
              <th>{t('field.updatedAt')}</th>
            </tr>
          </thead>
          <tbody>
            {(cameras.data ?? []).map((c) => (
              <tr key={c.id} data-camera-id={c.id}>
                <td>
                  <Link to={`/cameras/${c.id}`}>{c.name}</Link>
                  {c.demo && <em className="muted"> ({t('camera.demo')})</em>}
                </td>
                <td>{areaName(areas.data, c.areaId)}</td>
                <td>
                  <StateBadge state={c.display} />
                </td>
                <td>
                  {c.ownerName ?? '–'}
                  {c.ownerKind && <span className="muted"> ({name('ownerKind', c.ownerKind)})</span>}
                </td>
                <td>{formatDateTime(c.updatedAt, false)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Page>
  );
}
