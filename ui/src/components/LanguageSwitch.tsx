import { useI18n } from '../i18n/I18nProvider.js';

/** Names each language in itself, so a user who cannot read the current one still finds theirs. */
export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  const other = lang === 'vi' ? 'en' : 'vi';
  return (
    <button type="button" className="lang-switch" lang={other} aria-label={t('common.switchLanguage')} data-testid="lang-switch" onClick={() => setLang(other)}>
      {other === 'en' ? 'English' : 'Tiếng Việt'}
    </button>
  );
}
