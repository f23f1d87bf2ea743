import { useEffect, useState } from 'react';
import { useSubmit } from '../api/useSubmit.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { disablePush, enablePush, pushState, type PushSupport } from '../push.js';
import { ErrorText } from './common.js';

/** Turns Web Push on or off for this browser; the permission prompt comes only from this button. */
export function PushToggle() {
  const { t } = useI18n();
  const [state, setState] = useState<PushSupport | null>(null);
  useEffect(() => {
    void pushState().then(setState, () => setState('unsupported'));
  }, []);
  const on = useSubmit(async () => setState(await enablePush()));
  const off = useSubmit(async () => setState(await disablePush()));
  if (state === null) return null;
  return (
    <section className="card" aria-labelledby="push-title">
      <h2 id="push-title">{t('push.title')}</h2>
      <p role="status" data-testid="push-state">
        {t(`push.state.${state}`)}
      </p>
      {state === 'off' && (
        <button type="button" className="primary" disabled={on.busy} onClick={() => void on.submit()}>
          {t('push.enable')}
        </button>
      )}
      {state === 'on' && (
        <button type="button" disabled={off.busy} onClick={() => void off.submit()}>
          {t('push.disable')}
        </button>
      )}
      <ErrorText error={on.error ?? off.error} />
    </section>
  );
}
