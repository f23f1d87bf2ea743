import { useState } from 'react';
import { NOTIFICATION_KINDS, NOTIFY_SEVERITIES, type NotificationKind, type NotifyRules } from '../../../server/domain/notification.js';
import { notifyApi, type RulesView } from '../api/notify.api.js';
import { useAsync } from '../api/useAsync.js';
import { useSubmit } from '../api/useSubmit.js';
import { ErrorText, Page, Spinner } from '../components/common.js';
import { PushToggle } from '../components/PushToggle.js';
import { EVENT_LABELS, type MessageKey } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';

/** Each user's own notification rules (issue 14 item 2): channels, kinds, severity, labels, quiet hours. */
export function NotifyRulesPage() {
  const { t } = useI18n();
  const rules = useAsync(() => notifyApi.rules(), []);
  return (
    <Page title={t('notifyRules.title')}>
      <p className="muted">{t('notifyRules.intro')}</p>
      <PushToggle />
      <ErrorText error={rules.error} />
      {!rules.data && !rules.error && <Spinner label={t('common.loading')} />}
      {rules.data && <RulesForm initial={rules.data} onSaved={rules.set} />}
    </Page>
  );
}

const toggle = <T,>(list: readonly T[], item: T, on: boolean): T[] => (on ? [...new Set([...list, item])] : list.filter((x) => x !== item));

function RulesForm({ initial, onSaved }: { initial: RulesView; onSaved(r: RulesView): void }) {
  const { t } = useI18n();
  const [r, setR] = useState<NotifyRules>(initial);
  const [done, setDone] = useState(false);
  const set = (patch: Partial<NotifyRules>) => {
    setDone(false);
    setR({ ...r, ...patch });
  };
  const save = useSubmit(async () => {
    const { saved: _saved, ...body } = { saved: false, ...r };
    onSaved(await notifyApi.saveRules(body));
    setDone(true);
  });
  return (
    <form className="card stack" onSubmit={save.submit}>
      <p className="muted">{initial.saved ? t('notifyRules.saved') : t('notifyRules.defaults')}</p>
      <fieldset>
        <legend>{t('notifyRules.channels')}</legend>
        {(['webpush', 'zalo'] as const).map((c) => (
          <label key={c} className="check">
            <input type="checkbox" checked={r.channels.includes(c)} onChange={(e) => set({ channels: toggle(r.channels, c, e.target.checked) })} />
            {t(`notifyChannel.${c}`)}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>{t('notifyRules.kinds')}</legend>
        {NOTIFICATION_KINDS.map((k: NotificationKind) => (
          <label key={k} className="check">
            <input type="checkbox" checked={r.kinds.includes(k)} onChange={(e) => set({ kinds: toggle(r.kinds, k, e.target.checked) })} />
            {t(`notifyKind.${k}` as MessageKey)}
          </label>
        ))}
      </fieldset>
      <label htmlFor="notify-zalo">{t('notifyRules.zaloUserId')}</label>
      <input
        id="notify-zalo"
        inputMode="numeric"
        value={r.zaloUserId ?? ''}
        onChange={(e) => set({ zaloUserId: e.target.value.trim() || null })}
        aria-describedby="notify-zalo-help"
      />
      <p id="notify-zalo-help" className="muted">
        {t('notifyRules.zaloHelp')}
      </p>
      <label htmlFor="notify-severity">{t('notifyRules.minSeverity')}</label>
      <select id="notify-severity" value={r.minSeverity} onChange={(e) => set({ minSeverity: e.target.value as NotifyRules['minSeverity'] })}>
        {NOTIFY_SEVERITIES.map((s) => (
          <option key={s} value={s}>
            {t(`severity.${s}` as MessageKey)}
          </option>
        ))}
      </select>
      <fieldset>
        <legend>{t('notifyRules.labels')}</legend>
        {EVENT_LABELS.map((l) => (
          <label key={l} className="check">
            <input type="checkbox" checked={r.labels.includes(l)} onChange={(e) => set({ labels: toggle(r.labels, l, e.target.checked) })} />
            {t(`label.${l}` as MessageKey)}
          </label>
        ))}
      </fieldset>
      <label className="check">
        <input
          type="checkbox"
          checked={r.quietHours !== null}
          onChange={(e) => set({ quietHours: e.target.checked ? { from: '22:00', to: '06:00' } : null })}
        />
        {t('notifyRules.quiet')}
      </label>
      {r.quietHours && (
        <div className="button-row">
          <label htmlFor="quiet-from">{t('notifyRules.quietFrom')}</label>
          <input id="quiet-from" type="time" value={r.quietHours.from} onChange={(e) => set({ quietHours: { ...r.quietHours!, from: e.target.value } })} />
          <label htmlFor="quiet-to">{t('notifyRules.quietTo')}</label>
          <input id="quiet-to" type="time" value={r.quietHours.to} onChange={(e) => set({ quietHours: { ...r.quietHours!, to: e.target.value } })} />
        </div>
      )}
      <div className="button-row">
        <button type="submit" className="primary" disabled={save.busy}>
          {save.busy ? t('common.saving') : t('common.save')}
        </button>
        {done && <span role="status">{t('notifyRules.savedNow')}</span>}
      </div>
      <ErrorText error={save.error} />
    </form>
  );
}
