import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/http.js';
import { groupsApi } from '../api/groups.api.js';
import { useAsync } from '../api/useAsync.js';
import type { PublicReportReceipt, PublicReportStatus, ReportCategory } from '../../../server/domain/report.js';
import { ErrorText, Page, Spinner } from '../components/common.js';
import { ReportFormFields } from '../components/ReportFormFields.js';
import { LanguageSwitch } from '../components/LanguageSwitch.js';
import { categoryName, reportStateName } from '../components/ReportParts.js';
import { formatDateTime, isoLocalDate, localClock, parseLocal } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';

const FOLLOW_EVERY_MS = 5_000;
const UPLOAD_TIMEOUT_MS = 120_000;

interface Draft {
  category: ReportCategory;
  body: string;
  place: string;
  date: string;
  time: string;
}
const freshDraft = (): Draft => ({ category: 'suspicious', body: '', place: '', date: isoLocalDate(Date.now()), time: localClock(Date.now()) });
const draftKey = (token: string) => `binhyen.publicDraft.${token.slice(0, 8)}`;
/** The last receipt on this phone, so the reporter can come back and follow it. */
const RECEIPT_KEY = 'binhyen.publicReceipt';

function stored<T>(key: string): T | null {
  try {
    const s = localStorage.getItem(key);
    return s ? (JSON.parse(s) as T) : null;
  } catch {
    return null;
  }
}
function keep(key: string, value: unknown): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch (err) {
    console.warn('not kept on this phone', err);
  }
}

/** Follow a report by its reference number and secret; refreshes itself while shown. */
function FollowReport({ initial }: { initial: PublicReportReceipt | null }) {
  const { t } = useI18n();
  const [ref, setRef] = useState(initial?.ref ?? '');
  const [secret, setSecret] = useState(initial?.secret ?? '');
  const [status, setStatus] = useState<PublicReportStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [checkedAt, setCheckedAt] = useState(0);
  const look = async () => {
    setBusy(true);
    try {
      setStatus(await groupsApi.publicFollow(ref, secret));
      setError(null);
      setCheckedAt(Date.now());
    } catch (err) {
      setError(err);
      setStatus(null);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    if (initial) void look();
  }, [initial]);
  useEffect(() => {
    if (!status) return;
    const timer = setInterval(() => document.visibilityState === 'visible' && void look(), FOLLOW_EVERY_MS);
    return () => clearInterval(timer);
  }, [status?.ref]);
  return (
    <section className="card" aria-labelledby="follow-title">
      <h2 id="follow-title">{t('public.followTitle')}</h2>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void look();
        }}
      >
        <label htmlFor="follow-ref">{t('public.ref')}</label>
        <input id="follow-ref" required maxLength={32} autoCapitalize="characters" value={ref} onChange={(e) => setRef(e.target.value)} />
        <label htmlFor="follow-secret">{t('public.secretLabel')}</label>
        <input id="follow-secret" required maxLength={64} autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} />
        <button type="submit" disabled={busy}>
          {busy ? t('public.checking') : t('public.check')}
        </button>
      </form>
      <ErrorText error={error} />
      {status && (
        <div data-testid="public-status">
          <p>
            {status.ref} · {categoryName(t, status.category)} · {status.areaName}
          </p>
          <p data-state={status.state}>
            <strong>{t('public.state', { state: reportStateName(t, status.state) })}</strong>
          </p>
          <h3>{t('public.notes')}</h3>
          {status.notes.length === 0 ? (
            <p className="muted">{t('public.noNotes')}</p>
          ) : (
            <ul>
              {status.notes.map((n, i) => (
                <li key={i}>
                  <span className="muted">{formatDateTime(n.createdAt, false)}</span> {n.body}
                </li>
              ))}
            </ul>
          )}
          <p className="muted">{t('public.updated', { when: formatDateTime(checkedAt) })}</p>
        </div>
      )}
    </section>
  );
}

/**
 * The anonymous report page (/r/:token): anyone with the area's link files a report without an
 * account, gets a reference number and a secret, and follows the police's answers with them.
 * Typed text is kept on the phone until it is sent; a failed send says why and keeps it all.
 */
export function PublicReportPage({ token }: { token: string }) {
  const { t } = useI18n();
  const link = useAsync(() => groupsApi.publicLink(token), [token]);
  const [draft, setDraft] = useState<Draft>(() => ({ ...freshDraft(), ...stored<Partial<Draft>>(draftKey(token)) }));
  const [photos, setPhotos] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [receipt, setReceipt] = useState<PublicReportReceipt | null>(() => stored<PublicReportReceipt>(RECEIPT_KEY));
  const [justSent, setJustSent] = useState(false);
  useEffect(() => keep(draftKey(token), draft), [draft, token]);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const max = link.data?.maxPhotos ?? 4;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const form = new FormData();
      form.set('category', draft.category);
      form.set('body', draft.body);
      form.set('place', draft.place);
      form.set('occurredAt', String(parseLocal(draft.date, draft.time)));
      for (const p of photos) form.append('photos', p, p.name);
      const r = await groupsApi.publicFile(token, form, { timeoutMs: UPLOAD_TIMEOUT_MS });
      keep(RECEIPT_KEY, r);
      keep(draftKey(token), null);
      setReceipt(r);
      setJustSent(true);
      setDraft(freshDraft());
      setPhotos([]);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const offline = error instanceof ApiError && (error.code === 'network' || error.code === 'timeout');
  return (
    <main className="public-page">
      <div className="public-lang">
        <LanguageSwitch />
      </div>
      <Page title={t('public.title')} className="report-form-page">
        {!link.data && !link.error && <Spinner label={t('common.loading')} />}
        {link.error instanceof ApiError && link.error.code === 'link_invalid' ? (
          <p role="alert" className="error">
            {t('public.invalid')}
          </p>
        ) : (
          <ErrorText error={link.error} />
        )}
        {justSent && receipt && (
          <div role="status" className="report-sent" data-testid="public-receipt">
            <p>
              <strong>{t('public.sent', { ref: receipt.ref })}</strong>
            </p>
            <p>
              <strong>{t('public.secret', { secret: receipt.secret })}</strong>
            </p>
            <p>{t('public.keep')}</p>
            <button type="button" onClick={() => setJustSent(false)}>
              {t('public.another')}
            </button>
          </div>
        )}
        {link.data && !justSent && (
          <>
            <p className="muted">{t('public.intro', { area: link.data.areaName })}</p>
            <form className="report-form" onSubmit={(e) => void submit(e)}>
              <ReportFormFields draft={draft} set={set} photos={photos} setPhotos={setPhotos} maxPhotos={max} />
              <ErrorText error={error} />
              {offline && (
                <p role="status" data-testid="draft-kept">
                  {t('report.form.draftKept')}
                </p>
              )}
              <button type="submit" className="primary" disabled={busy} data-testid="report-submit">
                {busy ? t('report.form.sending') : t('report.form.submit')}
              </button>
            </form>
          </>
        )}
        <FollowReport key={receipt?.ref ?? 'none'} initial={receipt} />
      </Page>
    </main>
  );
}
