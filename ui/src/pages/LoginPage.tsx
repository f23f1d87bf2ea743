import { useState } from 'react';
import { api } from '../api/endpoints.js';
import { ApiError } from '../api/http.js';
import { useSubmit } from '../api/useSubmit.js';
import { ErrorText } from '../components/common.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { useSession } from '../session.js';
import { AuthCard } from '../components/AuthCard.js';

export function LoginPage() {
  const { t } = useI18n();
  const session = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmit(
    async () => session.signedIn((await api.login(username, password)).user),
    (err) => {
      if (err instanceof ApiError && err.code === 'invalid_credentials') setPassword('');
    },
  );

  return (
    <AuthCard id="login" title={t('login.title')} onSubmit={submit}>
      <p className="muted">{t('app.tagline')}</p>
      <label htmlFor="login-username">{t('field.username')}</label>
      <input
        id="login-username"
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
        value={username}
        onChange={(e) => setUsername(e.target.value)}
      />
      <label htmlFor="login-password">{t('field.password')}</label>
      <input
        id="login-password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <ErrorText error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('login.busy') : t('login.submit')}
      </button>
    </AuthCard>
  );
}
