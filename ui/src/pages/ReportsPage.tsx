import { useCallback, useState } from 'react';
import { request } from '../api/http.js';
import { reportsApi } from '../api/reports.api.js';
import type { ReportMessage, ReportState } from '../api/types.js';
import { useAsync } from '../api/useAsync.js';
import { ErrorText, Page } from '../components/common.js';
import { categoryName, ReportStateBadge, reportStateName, tookText } from '../components/ReportParts.js';
import { formatDateTime } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { useReportLive } from '../realtime/useReportLive.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { REPORT_STATES } from '../../../server/domain/report.js';

/** Police: their areas' reports, newest first, live. Residents: "my reports" with how long each step took. */
export function ReportsPage() {
  const { t } = useI18n();
  const session = useSession();
  const police = session.can('report.update');
  const leader = session.user?.roles.includes('group_leader') ?? false;
  const [state, setState] = useState<ReportState | ''>('');
  const list = useAsync(() => reportsApi.list({ state: state || undefined, limit: 100 }), [state]);
  const optOut = useAsync(
    () => (police ? Promise.resolve({ optOut: false }) : request<{ optOut: boolean }>('GET', '/api/reports/commendations/opt-out')),
    [police],
  );
  const [live, setLive] = useState<Map<number, ReportMessage>>(new Map());
  useReportLive({
    report: useCallback((r: ReportMessage) => setLive((m) => new Map(m).set(r.id, r)), []),
    reconnect: list.reload,
  });
  const known = new Set((list.data?.items ?? []).map((r) => r.id));
  const items = [
    ...[...live.values()].filter((r) => !known.has(r.id) && (!state || r.state === state)).sort((a, b) => b.id - a.id),
    ...(list.data?.items ?? []).map((r) => live.get(r.id) ?? r),
  ];
  return (
    <Page
      title={police ? t('report.list.title') : leader ? t('report.list.group') : t('report.list.mine')}
      actions={session.can('report.create') && !police ? <Link to="/reports/new">{t('nav.newReport')}</Link> : undefined}
    >
      {police && (
        <select aria-label={t('field.state')} value={state} onChange={(e) => setState(e.target.value as ReportState | '')}>
          <option value="">{t('report.list.allStates')}</option>
          {REPORT_STATES.map((s) => (
            <option key={s} value={s}>
              {reportStateName(t, s)}
            </option>
          ))}
        </select>
      )}
      {!police && (
        <label className="check">
          <input
            type="checkbox"
            checked={optOut.data?.optOut ?? false}
            disabled={!optOut.data}
            onChange={(e) =>
              void request<{ optOut: boolean }>('PUT', '/api/reports/commendations/opt-out', { optOut: e.target.checked }).then(optOut.set, (err: unknown) =>
                console.warn('opt-out not saved', err),
              )
            }
          />
          {t('commend.optOut')}
        </label>
      )}
      <ErrorText error={list.error} />
      {list.data && items.length === 0 && <p className="muted">{t('report.list.empty')}</p>}
      <ol className="report-list" data-testid="report-list">
        {items.map((r) => {
          const last = r.steps[r.steps.length - 1];
          return (
            <li key={r.id} data-report={r.ref}>
              <Link to={`/reports/${r.id}`}>
                <strong>{r.ref}</strong> · {categoryName(t, r.category)}
              </Link>{' '}
              <ReportStateBadge state={r.state} />
              <div className="muted">
                {r.areaName} · {formatDateTime(r.occurredAt, false)}
                {last && r.steps.length > 1 ? ` · ${reportStateName(t, last.to)} ${tookText(t, last.at - r.createdAt)}` : ''}
              </div>
              <p className="report-body">{r.body}</p>
              {r.onBehalfOf && <div className="muted">{t('report.onBehalfOf', { name: r.onBehalfOf })}</div>}
              {r.viaPublicLink && <div className="muted">{t('report.viaPublicLink')}</div>}
            </li>
          );
        })}
      </ol>
    </Page>
  );
}
