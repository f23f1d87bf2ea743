import type { ReportMessage } from '../api/types.js';
import { formatDateTime, type MessageKey } from '../i18n/i18n.js';
import { useI18n, type I18n } from '../i18n/I18nProvider.js';

export const categoryName = (t: I18n['t'], c: string) => t(`report.category.${c}` as MessageKey);
export const reportStateName = (t: I18n['t'], s: string) => t(`report.state.${s}` as MessageKey);

/** How long a step took, as people say it: 40 giây, 12 phút, 2 giờ 5 phút. */
export function tookText(t: I18n['t'], ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return t('report.took.s', { n: s });
  const m = Math.round(s / 60);
  if (m < 60) return t('report.took.m', { n: m });
  return t('report.took.h', { h: Math.floor(m / 60), m: m % 60 });
}

export function ReportStateBadge({ state }: { state: string }) {
  const { t } = useI18n();
  return (
    <span className={`badge report-${state}`} data-state={state} data-testid="report-state">
      {reportStateName(t, state)}
    </span>
  );
}

/** Every state change with how long it took: the "your report mattered" timeline. */
export function ReportSteps({ report }: { report: ReportMessage }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="report-steps">
      <h2 id="report-steps">{t('report.detail.steps')}</h2>
      <ol className="report-steps" data-testid="report-steps">
        {report.steps.map((s, i) => (
          <li key={i} data-state={s.to}>
            {t('report.detail.step', { state: reportStateName(t, s.to), time: formatDateTime(s.at, false), took: tookText(t, s.tookMs) })}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function ReportNotes({ report }: { report: ReportMessage }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="report-notes">
      <h2 id="report-notes">{t('report.detail.notes')}</h2>
      {report.notes.length === 0 && <p className="muted">{t('report.detail.noNotes')}</p>}
      <ul className="report-notes" data-testid="report-notes">
        {report.notes.map((n) => (
          <li key={n.id} data-visibility={n.visibility}>
            <span className="muted">
              {formatDateTime(n.createdAt, false)}
              {n.authorName ? ` · ${n.authorName}` : ''}
              {n.visibility === 'internal' ? ` · ${t('report.detail.internal')}` : ''}
            </span>
            <p>{n.body}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ReportSummary({ report, areaName }: { report: ReportMessage; areaName: string }) {
  const { t } = useI18n();
  return (
    <dl className="report-summary">
      <dt>{t('report.form.category')}</dt>
      <dd>{categoryName(t, report.category)}</dd>
      <dt>{t('field.area')}</dt>
      <dd>{report.areaName ?? areaName}</dd>
      <dt>{t('report.detail.place')}</dt>
      <dd>{report.place || '–'}</dd>
      <dt>{t('report.detail.when')}</dt>
      <dd>{formatDateTime(report.occurredAt, false)}</dd>
      <dt>{t('report.detail.filed')}</dt>
      <dd>{formatDateTime(report.createdAt, false)}</dd>
      {report.reporterName && (
        <>
          <dt>{t('report.detail.reporter')}</dt>
          <dd>{report.reporterName}</dd>
        </>
      )}
      {report.onBehalfOf && (
        <>
          <dt>{t('field.onBehalfOf')}</dt>
          <dd>{report.onBehalfOf}</dd>
        </>
      )}
      {report.viaPublicLink && (
        <>
          <dt>{t('report.detail.reporter')}</dt>
          <dd>{t('report.viaPublicLink')}</dd>
        </>
      )}
      <dt>{t('field.body')}</dt>
      <dd className="report-body">{report.body}</dd>
    </dl>
  );
}

export function ReportPhotos({ report }: { report: ReportMessage }) {
  const { t } = useI18n();
  if (!report.photos.length) return null;
  return (
    <section aria-labelledby="report-photos">
      <h2 id="report-photos">{t('report.detail.photos')}</h2>
      <div className="report-photos">
        {report.photos.map((p, i) => (
          <a key={p.id} href={p.url} target="_blank" rel="noreferrer">
            <img src={p.url} alt={`${t('report.detail.photos')} ${i + 1}`} loading="lazy" data-testid="report-photo" />
          </a>
        ))}
      </div>
    </section>
  );
}
