import { useMemo, useState } from 'react';
import { api } from '../api/endpoints.js';
import { getJson, query } from '../api/http.js';
import type { AreaEvaluation } from '../api/types.js';
import { useAsync } from '../api/useAsync.js';
import { AreaSelect, ErrorText, Page } from '../components/common.js';
import { DateField } from '../components/DateTimeInputs.js';
import { formatDate, isoLocalDate, parseLocal, type MessageKey } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { Link } from '../router.js';
import { EVALUATION_COLUMNS, evaluationCell } from '../../../server/domain/evaluation.js';

const DAY = 86_400_000;
type Out = { from: number; to: number; targetMs: number; areas: AreaEvaluation[] };
/** Bars beside the table: what is compared across areas at a glance. */
const CHARTED = ['reportsReceived', 'reportsHandled', 'uptimePercent'] as const;

/**
 * The evaluation per area and period: a table (one row per area, side by side), bars for the
 * main figures, the CSV of exactly these numbers, and a printable A4 page with the commune's
 * name and the period.
 */
export function EvaluationPage() {
  const { t } = useI18n();
  const today = isoLocalDate(Date.now());
  const [from, setFrom] = useState(isoLocalDate(Date.now() - 29 * DAY));
  const [to, setTo] = useState(today);
  const [areaId, setAreaId] = useState<number | null>(null);
  const areas = useAsync(() => api.areas(), []);
  const q = useMemo(() => ({ areaId, from: parseLocal(from), to: parseLocal(to) + DAY }), [areaId, from, to]);
  const out = useAsync(() => getJson<Out>(`/api/reports/evaluation${query(q)}`), [q.areaId, q.from, q.to]);
  const commune = (areas.data ?? []).find((a) => a.parentId === null)?.name ?? '';
  const rows = out.data?.areas ?? [];
  const max = (k: (typeof CHARTED)[number]) => Math.max(1, ...rows.map((r) => r[k] ?? 0));
  return (
    <Page title={t('eval.title')} className="evaluation-page">
      <p className="print-only eval-print-head">{t('eval.printTitle', { commune, from: formatDate(q.from), to: formatDate(q.to - DAY) })}</p>
      <div className="eval-filters no-print">
        <label htmlFor="eval-from">{t('field.fromDate')}</label>
        <DateField id="eval-from" value={from} onChange={setFrom} />
        <label htmlFor="eval-to">{t('field.toDate')}</label>
        <DateField id="eval-to" value={to} onChange={setTo} />
        <label htmlFor="eval-area">{t('field.area')}</label>
        <AreaSelect id="eval-area" areas={areas.data ?? []} value={areaId} onChange={setAreaId} emptyLabel={t('eval.allAreas')} />
        <a href={`/api/reports/evaluation.csv${query(q)}`} download data-testid="eval-csv">
          {t('eval.csv')}
        </a>
        <button type="button" onClick={() => window.print()}>
          {t('eval.print')}
        </button>
        <Link to="/reports/commendations">{t('commend.link')}</Link>
      </div>
      <ErrorText error={out.error} />
      {out.data && rows.length === 0 && <p className="muted">{t('eval.none')}</p>}
      <div className="eval-table-wrap">
        <table className="eval-table" data-testid="eval-table">
          <thead>
            <tr>
              <th scope="col">{t('field.area')}</th>
              {EVALUATION_COLUMNS.map((k) => (
                <th key={k} scope="col">
                  {t(`eval.col.${k}` as MessageKey)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.areaId} data-area={r.areaName}>
                <th scope="row">{r.areaName}</th>
                {EVALUATION_COLUMNS.map((k) => (
                  <td key={k} data-col={k}>
                    {evaluationCell(k, r[k]) || '–'}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {CHARTED.map((k) => (
        <figure key={k} className="eval-chart">
          <figcaption>{t(`eval.col.${k}` as MessageKey)}</figcaption>
          {rows.map((r) => (
            <div key={r.areaId} className="eval-bar-row">
              <span>{r.areaName}</span>
              <span className="eval-bar" style={{ width: `${(100 * (r[k] ?? 0)) / max(k)}%` }} aria-hidden="true" />
              <span>{evaluationCell(k, r[k]) || '–'}</span>
            </div>
          ))}
        </figure>
      ))}
    </Page>
  );
}
