import { useState } from 'react';
import type { UserView } from '../api/types.js';
import { useI18n } from '../i18n/I18nProvider.js';

/**
 * An administrator sets a new password for an account: a masked field in the page (the old
 * window.prompt showed the password in plain text and could not be checked twice).
 */
export function PasswordResetForm({ user, busy, onSave, onCancel }: { user: UserView; busy: boolean; onSave(pw: string): void; onCancel(): void }) {
  const { t } = useI18n();
  const [pw, setPw] = useState('');
  const [again, setAgain] = useState('');
  const mismatch = again !== '' && again !== pw;
  return (
    <section className="card" aria-labelledby="reset-pw-title">
      <h2 id="reset-pw-title">{t('users.newPasswordFor', { name: user.displayName })}</h2>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (pw && !mismatch) onSave(pw);
        }}
      >
        <label htmlFor="reset-pw">{t('field.password')}</label>
        <input id="reset-pw" type="password" required autoComplete="new-password" value={pw} onChange={(e) => setPw(e.target.value)} />
        <label htmlFor="reset-pw-again">{t('users.passwordAgain')}</label>
        <input
          id="reset-pw-again"
          type="password"
          required
          autoComplete="new-password"
          value={again}
          aria-invalid={mismatch}
          aria-describedby={mismatch ? 'reset-pw-mismatch' : undefined}
          onChange={(e) => setAgain(e.target.value)}
        />
        {mismatch && (
          <p id="reset-pw-mismatch" className="error" role="alert">
            {t('users.passwordMismatch')}
          </p>
        )}
        <div className="button-row">
          <button type="submit" className="primary" disabled={busy || !pw || mismatch}>
            {t('common.save')}
          </button>
          <button type="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
