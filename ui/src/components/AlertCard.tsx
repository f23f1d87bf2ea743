import type { AlertMessage, UserView } from '../api/types.js';
import { capitalize, formatDateTime, formatScore } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { Link } from '../router.js';
import { AlertActions } from './AlertActions.js';

export interface AlertCardProps {
  alert: AlertMessage;
  areaName: string;
  fresh: boolean;
  open: boolean;
  canAct: boolean;
  officers: readonly UserView[];
  onToggle(): void;
  onChanged(a: AlertMessage): void;
}

/** One alert in the feed: snapshot, what, where, when, score, state; the actions fold out below. */
export function AlertCard({ alert, areaName, fresh, open, canAct, officers, onToggle, onChanged }: AlertCardProps) {
  const { t, name } = useI18n();
  const what = alert.kind === 'camera_offline' ? t('alert.cameraOffline') : capitalize(name('label', alert.label));
  const assignee = alert.assigneeId !== null ? officers.find((u) => u.id === alert.assigneeId)?.displayName : undefined;
  return (
    <li className={`alert-card state-${alert.state}${fresh ? ' fresh' : ''} sev-${alert.severity}`} data-alert-id={alert.id} data-state={alert.state}>
      <div className="alert-main">
        <div className="alert-thumb">
          {alert.snapshotUrl ? (
            <img src={alert.snapshotUrl} alt={t('alert.snapshotOf', { what })} width={128} height={72} loading="lazy" decoding="async" />
          ) : (
            <span aria-hidden="true">{alert.kind === 'camera_offline' ? '⚠' : '•'}</span>
          )}
        </div>
        <div className="alert-text">
          <div className="alert-title">
            <strong>{what}</strong>
            <span className={`chip state-${alert.state}`}>{name('alertState', alert.state)}</span>
          </div>
          <div className="alert-where">
            {alert.cameraName} · {areaName}
          </div>
          <div className="alert-when muted">
            <time dateTime={new Date(alert.startedAt).toISOString()}>{formatDateTime(alert.startedAt)}</time>
            {alert.score !== null && (
              <>
                {' '}
                · {t('alert.score')} {formatScore(alert.score)}
              </>
            )}
            {assignee && <> · {t('alert.assignedTo', { name: assignee })}</>}
          </div>
        </div>
      </div>
      <div className="alert-buttons">
        {alert.eventId !== null && (
          <Link to={`/events/${alert.eventId}`} className="button">
            {t('alert.open')}
          </Link>
        )}
        {canAct && (
          <button type="button" aria-expanded={open} aria-controls={`alert-actions-${alert.id}`} onClick={onToggle}>
            {open ? t('common.close') : t('alert.handle')}
          </button>
        )}
      </div>
      {open && canAct && (
        <div id={`alert-actions-${alert.id}`}>
          <AlertActions alert={alert} officers={officers} onDone={onChanged} />
        </div>
      )}
    </li>
  );
}
