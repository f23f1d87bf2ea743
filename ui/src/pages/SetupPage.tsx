import { useState, type FormEvent } from 'react';
import { api } from '../api/endpoints.js';
import { ApiError } from '../api/http.js';
import { useSubmit } from '../api/useSubmit.js';
import { ErrorText } from '../components/common.js';
import { AuthCard } from '../components/AuthCard.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { useSession } from '../session.js';

/** First run: the one-time setup code from the server's log (or setup-code.txt) creates the first admin. */
export function SetupPage() {
  const { t } = useI18n();
  const session = useSession();
  const [code, setCode] = useState('');
  const [username, setUsername] = useState('admin');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const {
    busy,
    error,
    setError,
    submit: send,
  } = useSubmit(
    async () => {
      const r = await api.setup({ code: code.trim(), username: username.trim(), displayName: displayName.trim() || undefined, password });
      session.signedIn(r.user);
    },
    async (err) => {
      if (err instanceof ApiError && err.code === 'setup_done') await session.refresh();
    },
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== repeat) {
      setError(new ApiError('passwords_differ', 0, {}, 'repeat'));
      return;
    }
    await send();
  };

  return (
    <AuthCard id="setup" title={t('setup.title')} onSubmit={submit}>
      <p className="muted">{t('setup.explain')}</p>
      <label htmlFor="setup-code">{t('setup.code')}</label>
      <input
        id="setup-code"
        name="code"
        required
        autoComplete="one-time-code"
        autoCapitalize="characters"
        spellCheck={false}
        placeholder="XXXX-XXXX-XXXX-XXXX"
        value={code}
        onChange={(e) => setCode(e.target.value)}
      />
      <label htmlFor="setup-username">{t('field.username')}</label>
      <input
        id="setup-username"
        name="username"
        required
        autoComplete="username"
        autoCapitalize="none"
        value={username}
        onChange={(e) => setUsername(e.target.value)}
      />
      <label htmlFor="setup-name">{t('field.displayName')}</label>
      <input id="setup-name" name="displayName" autoComplete="name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
      <label htmlFor="setup-password">{t('field.password')}</label>
      <input
        id="setup-password"
        name="password"
        type="password"
        required
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <label htmlFor="setup-repeat">{t('setup.repeat')}</label>
      <input id="setup-repeat" name="repeat" type="password" required autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
      <ErrorText error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('common.saving') : t('setup.submit')}
      </button>
    </AuthCard>
  );
}
