import type { ReportMessage } from '../api/types.js';
import { formatTime } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { Link } from '../router.js';
import { categoryName, ReportStateBadge } from './ReportParts.js';

/** The wall's report feed: open reports with a badge of how many are still new. */
export function ReportWallPanel({ reports, fresh }: { reports: ReportMessage[]; fresh: ReadonlySet<number> }) {
  const { t } = useI18n();
  const waiting = reports.filter((r) => r.state === 'new').length;
  return (
    <section className="report-wall" aria-labelledby="wall-reports-title">
      <h2 id="wall-reports-title">
        {t('wall.reports')}{' '}
        <span className={`badge${waiting ? ' report-new' : ''}`} data-testid="report-badge">
          {waiting}
        </span>
      </h2>
      {reports.length === 0 && <p className="muted">{t('wall.noReports')}</p>}
      <ol className="alert-list" aria-live="polite" aria-relevant="additions" data-testid="wall-reports">
        {reports.map((r) => (
          <li key={r.id} className={`alert-card${fresh.has(r.id) ? ' fresh' : ''}`} data-report={r.ref}>
            <Link to={`/reports/${r.id}`}>
              <strong>{categoryName(t, r.category)}</strong> · {r.areaName} · {formatTime(r.occurredAt)}
            </Link>{' '}
            <ReportStateBadge state={r.state} />
            <div className="muted">
              {r.ref} · {r.body.slice(0, 120)}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
