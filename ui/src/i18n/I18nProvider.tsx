import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError } from '../api/http.js';
import { translate, translateDynamic, translateError, type Lang, type MessageKey, type Params } from './i18n.js';

export interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: MessageKey, params?: Params): string;
  /** A failed call as a sentence in the user's language (by error code, never the server's text). */
  te(err: unknown): string;
  /** Run-time names: detector labels, alert states, roles, area kinds… with a readable fallback. */
  name(
    group: 'label' | 'alertState' | 'display' | 'role' | 'areaKind' | 'ownerKind' | 'severity' | 'alertKind' | 'memberRole',
    value: string | null | undefined,
  ): string;
}

const STORAGE_KEY = 'binhyen.lang';
const Ctx = createContext<I18n | null>(null);

function initialLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi'; // storage blocked (private mode): Vietnamese, the default
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch (err) {
      console.warn('language choice not stored', err);
    }
  }, []);
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (key, params) => translate(lang, key, params),
      te: (err) => (err instanceof ApiError ? translateError(lang, err) : translateError(lang, { code: 'internal' })),
      name: (group, v) => (v === null || v === undefined ? '–' : translateDynamic(lang, `${group}.${v}`, v.replace(/_/g, ' '))),
    }),
    [lang, setLang],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
