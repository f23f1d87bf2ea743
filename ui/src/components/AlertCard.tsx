import type { AlertMessage, UserView } from '../api/types.js';
import { capitalize, formatDateTime, formatScore } from '../i18n/i18n.js';
import { useI18n, type I18n } from '../i18n/I18nProvider.js';
import { Link } from '../router.js';
import { AlertActions } from './AlertActions.js';

/** "2 phút trước" for the last day, the date and time beyond. */
export function relativeTime(t: I18n['t'], ms: number, now: number): string {
  const min = Math.floor((now - ms) / 60_000);
  if (min < 1) return t('time.justNow');
  if (min < 60) return t('time.minutesAgo', { n: min });
  if (min < 24 * 60) return t('time.hoursAgo', { n: Math.floor(min / 60) });
  return formatDateTime(ms);
}

export interface AlertCardProps {
  /** The clock relative times are counted from (ticks on the wall). */
  now?: number;
  /** Given: state changes show at once (see AlertActions). */
  optimistic?(next: AlertMessage, request: Promise<AlertMessage>): void;
  alert: AlertMessage;
  areaName: string;
  fresh: boolean;
  open: boolean;
  canAct: boolean;
  officers: readonly UserView[];
  onToggle(): void;
  onChanged(a: AlertMessage): void;
  /** This card heads a burst of `count` alerts of its camera (see alert.bursts.ts). */
  burst?: BurstFold;
  /** An older alert of a burst: indented under its head, hidden while the burst is folded. */
  member?: { hidden: boolean };
}

export interface BurstFold {
  count: number;
  spanMs: number;
  expanded: boolean;
  onToggle(): void;
}

/** What an alert is about and where, as the feed and the spoken announcement say it. */
export function alertText({ t, name }: Pick<I18n, 't' | 'name'>, alert: AlertMessage): { what: string; where: string } {
  const what =
    alert.kind === 'camera_offline' ? t('alert.cameraOffline') : alert.kind === 'disk_low' ? t('alert.diskLow') : capitalize(name('label', alert.label));
  // A system alert (the recordings disk) is about the server, not a camera.
  return { what, where: alert.cameraName ?? t('alert.server') };
}

/** One alert in the feed: snapshot, what, where, when, score, state; the actions fold out below. */
export function AlertCard({ alert, areaName, fresh, open, canAct, officers, onToggle, onChanged, now, optimistic, burst, member }: AlertCardProps) {
  const i18n = useI18n();
  const { t, name } = i18n;
  const { what, where } = alertText(i18n, alert);
  const assignee = alert.assigneeId !== null ? officers.find((u) => u.id === alert.assigneeId)?.displayName : undefined;
  return (
    <li
      className={`alert-card state-${alert.state}${fresh ? ' fresh' : ''} sev-${alert.severity}${burst ? ' burst-head' : ''}${member ? ' burst-member' : ''}`}
      data-alert-id={alert.id}
      data-state={alert.state}
      data-burst={burst?.count}
      hidden={member?.hidden}
    >
      <div className="alert-main">
        <div className="alert-thumb">
          {alert.snapshotUrl ? (
            <img src={alert.snapshotUrl} alt={t('alert.snapshotOf', { what })} width={128} height={72} loading="lazy" decoding="async" />
          ) : (
            <span aria-hidden="true">{alert.kind === 'object' ? '•' : '⚠'}</span>
          )}
        </div>
        <div className="alert-text">
          <div className="alert-title">
            <strong>{what}</strong>
            <span className={`chip state-${alert.state}`}>{name('alertState', alert.state)}</span>
            {burst && (
              <span className="chip burst-count" title={t('burst.span', { seconds: Math.max(1, Math.round(burst.spanMs / 1000)) })}>
                {t('burst.count', { n: burst.count })}
              </span>
            )}
          </div>
          <div className="alert-where">{alert.cameraId === null ? where : `${where} · ${areaName}`}</div>
          <div className="alert-when muted">
            <time dateTime={new Date(alert.startedAt).toISOString()} title={formatDateTime(alert.startedAt)}>
              {now !== undefined ? relativeTime(t, alert.startedAt, now) : formatDateTime(alert.startedAt)}
            </time>
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
          <Link to={`/events/${alert.eventId}`} className="button" aria-label={t('alert.openFor', { what, where, time: formatDateTime(alert.startedAt) })}>
            {t('alert.open')}
          </Link>
        )}
        {burst && (
          <button
            type="button"
            className="burst-toggle"
            aria-expanded={burst.expanded}
            onClick={burst.onToggle}
            aria-label={burst.expanded ? undefined : t('burst.showFor', { n: burst.count, where })}
          >
            {burst.expanded ? t('burst.hide') : t('burst.show', { n: burst.count })}
          </button>
        )}
        {canAct && (
          <button
            type="button"
            aria-expanded={open}
            aria-controls={`alert-actions-${alert.id}`}
            onClick={onToggle}
            aria-label={open ? undefined : t('alert.handleFor', { what, where, time: formatDateTime(alert.startedAt) })}
          >
            {open ? t('common.close') : t('alert.handle')}
          </button>
        )}
      </div>
      {open && canAct && (
        <div id={`alert-actions-${alert.id}`}>
          <AlertActions alert={alert} officers={officers} onDone={onChanged} optimistic={optimistic} />
        </div>
      )}
    </li>
  );
}
