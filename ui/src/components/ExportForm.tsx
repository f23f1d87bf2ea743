import { useState } from 'react';
import { api } from '../api/endpoints.js';
import type { ClipView } from '../api/types.js';
import { isoLocalDate, localClock, parseLocal } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { ErrorText } from './common.js';
import { DateField, TimeField } from './DateTimeInputs.js';
import { useSubmit } from '../api/useSubmit.js';

/** Export a time range of one camera as evidence (a clip with a manifest and checksum). */
export function ExportForm({ cameraId, from, to }: { cameraId: number; from: number; to: number }) {
  const { t } = useI18n();
  const [date, setDate] = useState(isoLocalDate(from));
  // The server refuses a range reaching into the future: an event that just ended ends "now".
  const [fromClock, setFromClock] = useState(localClock(from, true));
  const [toClock, setToClock] = useState(localClock(Math.min(to, Date.now()), true));
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<ClipView | null>(null);
  const { busy, error, submit } = useSubmit(async () => {
    setDone(null);
    let a = parseLocal(date, fromClock);
    let b = parseLocal(date, toClock);
    if (b <= a) b += 86_400_000; // 23:50 → 00:10 crosses midnight
    if (!Number.isFinite(a) || !Number.isFinite(b)) a = b = NaN;
    setDone((await api.exportRange({ cameraId, from: a, to: b, reason: reason.trim() })).clip);
  });
  const idp = `export-${cameraId}`;
  return (
    <form className="export-form" onSubmit={submit} aria-label={t('export.title')}>
      <div className="form-row">
        <label htmlFor={`${idp}-date`}>
          {t('field.date')}
          <DateField id={`${idp}-date`} required value={date} onChange={setDate} />
        </label>
        <label htmlFor={`${idp}-from`}>
          {t('field.fromTime')}
          <TimeField id={`${idp}-from`} seconds required value={fromClock} onChange={setFromClock} />
        </label>
        <label htmlFor={`${idp}-to`}>
          {t('field.toTime')}
          <TimeField id={`${idp}-to`} seconds required value={toClock} onChange={setToClock} />
        </label>
      </div>
      <label htmlFor={`${idp}-reason`}>{t('export.reason')}</label>
      <input
        id={`${idp}-reason`}
        required
        minLength={3}
        maxLength={1000}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        placeholder={t('export.reasonPlaceholder')}
      />
      <button type="submit" disabled={busy}>
        {busy ? t('export.busy') : t('export.submit')}
      </button>
      <ErrorText error={error} />
      {done && (
        <p role="status" className="ok">
          {t('export.done')} {done.videoUrl && <a href={`/api/clips/${done.id}/download`}>{t('clip.download')}</a>}{' '}
          {done.manifestUrl && <a href={done.manifestUrl}>{t('export.manifest')}</a>}
        </p>
      )}
    </form>
  );
}
