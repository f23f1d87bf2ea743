import type { ProbeResult } from '../api/types.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { isMessageKey } from '../i18n/i18n.js';

/** The probe's warnings, one line each in the user's language: what works less well, not what failed. */
export function ProbeWarnings({ warnings }: { warnings: ProbeResult['warnings'] }) {
  const { t } = useI18n();
  if (!warnings.length) return null;
  return (
    <div className="warn" data-testid="probe-warnings">
      <p>{t('probe.warnTitle', { n: warnings.length })}</p>
      <ul>
        {warnings.map((w, i) => {
          const key = `probe.warn.${w.code}`;
          return <li key={i}>{t(isMessageKey(key) ? key : 'probe.warn.other', { call: w.call, detail: w.detail })}</li>;
        })}
      </ul>
    </div>
  );
}
