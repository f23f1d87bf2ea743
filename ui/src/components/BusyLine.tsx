import { useI18n } from '../i18n/I18nProvider.js';
import { Spinner, useElapsed } from './common.js';

/** "Đang kết nối… 7/25 giây" with a cancel button. */
export function BusyLine({ label, startedAt, limitMs, onCancel }: { label: string; startedAt: number | null; limitMs: number; onCancel(): void }) {
  const { t } = useI18n();
  const s = useElapsed(startedAt);
  if (startedAt === null) return null;
  return (
    <div className="busy-line">
      <Spinner label={`${label} ${t('common.elapsed', { s, max: Math.round(limitMs / 1000) })}`} />
      <button type="button" onClick={onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  );
}
