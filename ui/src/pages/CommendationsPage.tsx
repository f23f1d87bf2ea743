import { useMemo, useState } from 'react';
import { getJson, query } from '../api/http.js';
import { useAsync } from '../api/useAsync.js';
import { ErrorText, Page } from '../components/common.js';
import { DateField } from '../components/DateTimeInputs.js';
import { tookText } from '../components/ReportParts.js';
import { formatDate, isoLocalDate, parseLocal } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';

const DAY = 86_400_000;
interface Out {
  residents: { userId: number; name: string; handled: number }[];
  cameraOwners: { cameraId: number; cameraName: string; ownerName: string; areaName: string; uptimePercent: number }[];
  groups: { areaId: number; areaName: string; reportsClosed: number; resolveMedianMs: number }[];
}

/** The basis for khen thưởng: who helped in the period, as a list police can print. */
export function CommendationsPage() {
  const { t } = useI18n();
  const [from, setFrom] = useState(isoLocalDate(Date.now() - 29 * DAY));
  const [to, setTo] = useState(isoLocalDate(Date.now()));
  const q = useMemo(() => ({ from: parseLocal(from), to: parseLocal(to) + DAY }), [from, to]);
  const out = useAsync(() => getJson<Out>(`/api/reports/commendations${query(q)}`), [q.from, q.to]);
  const d = out.data;
  return (
    <Page title={t('commend.title')}>
      <p className="print-only">{t('commend.period', { from: formatDate(q.from), to: formatDate(q.to - DAY) })}</p>
      <div className="eval-filters no-print">
        <label htmlFor="commend-from">{t('field.fromDate')}</label>
        <DateField id="commend-from" value={from} onChange={setFrom} />
        <label htmlFor="commend-to">{t('field.toDate')}</label>
        <DateField id="commend-to" value={to} onChange={setTo} />
        <button type="button" onClick={() => window.print()}>
          {t('eval.print')}
        </button>
      </div>
      <ErrorText error={out.error} />
      <h2>{t('commend.residents')}</h2>
      <table className="eval-table" data-testid="commend-residents">
        <tbody>
          {(d?.residents ?? []).map((r) => (
            <tr key={r.userId}>
              <th scope="row">{r.name}</th>
              <td>{t('commend.handled', { n: r.handled })}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('commend.owners')}</h2>
      <table className="eval-table">
        <tbody>
          {(d?.cameraOwners ?? []).map((c) => (
            <tr key={c.cameraId}>
              <th scope="row">{c.ownerName}</th>
              <td>{c.cameraName}</td>
              <td>{c.areaName}</td>
              <td>{c.uptimePercent}%</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('commend.groups')}</h2>
      <table className="eval-table">
        <tbody>
          {(d?.groups ?? []).map((g) => (
            <tr key={g.areaId}>
              <th scope="row">{g.areaName}</th>
              <td>{t('commend.closed', { n: g.reportsClosed })}</td>
              <td>{t('commend.median', { took: tookText(t, g.resolveMedianMs) })}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {d && <p className="muted">{t('commend.note')}</p>}
    </Page>
  );
}
