import { useCallback } from 'react';
import { reportsApi } from '../api/reports.api.js';
import type { ReportMessage } from '../api/types.js';
import { useAsync } from '../api/useAsync.js';
import { ErrorText, Page, Spinner } from '../components/common.js';
import { ReportNotes, ReportPhotos, ReportStateBadge, ReportSteps, ReportSummary } from '../components/ReportParts.js';
import { ReportFootage, ReportTriage } from '../components/ReportTriage.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { useReportLive } from '../realtime/useReportLive.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

/** One report: what the reporter sees (live), and for the police the triage and the nearby footage. */
export function ReportPage({ id }: { id: number }) {
  const { t } = useI18n();
  const session = useSession();
  const report = useAsync(() => reportsApi.get(id), [id]);
  const { set } = report;
  useReportLive({
    report: useCallback((r: ReportMessage) => (r.id === id ? set(r) : undefined), [id, set]),
    reconnect: report.reload,
  });
  if (report.error) return <ErrorText error={report.error} />;
  const r = report.data;
  if (!r) return <Spinner label={t('common.loading')} />;
  const police = session.can('report.update');
  return (
    <Page title={t('report.detail.title', { ref: r.ref })} actions={<ReportStateBadge state={r.state} />} className="report-page">
      {!police && <p className="muted">{t('report.detail.live')}</p>}
      <ReportSummary report={r} areaName={r.areaName ?? ''} />
      {r.eventId !== null && <Link to={`/events/${r.eventId}`}>{t('report.detail.event')}</Link>}
      <ReportPhotos report={r} />
      <ReportSteps report={r} />
      <ReportNotes report={r} />
      {police && <ReportTriage report={r} onChanged={set} />}
      {police && <ReportFootage report={r} onAttached={report.reload} />}
    </Page>
  );
}
