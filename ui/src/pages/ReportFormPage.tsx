import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api } from '../api/endpoints.js';
import { ApiError } from '../api/http.js';
import { reportsApi } from '../api/reports.api.js';
import type { ReportCategory, ReportMessage } from '../api/types.js';
import { useAsync } from '../api/useAsync.js';
import { AreaSelect, ErrorText, ownAreas, Page } from '../components/common.js';
import { ReportFormFields } from '../components/ReportFormFields.js';
import { isoLocalDate, localClock, parseLocal } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

const MAX_PHOTOS = 4;
const UPLOAD_TIMEOUT_MS = 120_000;
/** Tries of one send on a flaky connection; the draft key makes a retry file the report once. */
const SEND_TRIES = 3;

interface Draft {
  areaId: number | null;
  category: ReportCategory;
  body: string;
  place: string;
  date: string;
  time: string;
  shareLocation: boolean;
  /** A group leader filing for someone else. */
  onBehalfOf: string;
  /** This draft's key: every retry of its upload carries it, so the server files it once. */
  clientKey: string;
}

const newKey = () => Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const lostOnTheWay = (err: unknown) => err instanceof ApiError && (err.code === 'network' || err.code === 'timeout');

const draftKey = (userId: number) => `binhyen.reportDraft.${userId}`;
function freshDraft(): Draft {
  const now = Date.now();
  return {
    areaId: null,
    category: 'theft',
    body: '',
    place: '',
    date: isoLocalDate(now),
    time: localClock(now),
    shareLocation: false,
    onBehalfOf: '',
    clientKey: newKey(),
  };
}
function loadDraft(userId: number): Draft {
  try {
    const saved = localStorage.getItem(draftKey(userId));
    return saved ? { ...freshDraft(), ...(JSON.parse(saved) as Partial<Draft>) } : freshDraft();
  } catch {
    return freshDraft();
  }
}

/** The browser's position, asked only when the reporter ticks "share my location". */
function usePosition(wanted: boolean) {
  const [pos, setPos] = useState<{ lat: number; lon: number } | null | 'pending' | 'failed'>(null);
  useEffect(() => {
    if (!wanted) return setPos(null);
    if (!navigator.geolocation) return setPos('failed');
    setPos('pending');
    navigator.geolocation.getCurrentPosition(
      (p) => setPos({ lat: p.coords.latitude, lon: p.coords.longitude }),
      () => setPos('failed'),
      { timeout: 15_000, maximumAge: 60_000 },
    );
  }, [wanted]);
  return pos;
}

/**
 * A resident's report from a phone (360 px and up). The text fields are kept in localStorage
 * as they are typed, so a dropped connection or a closed tab loses nothing; a failed send says
 * so and keeps everything for the next try. Photos stay in the page until sent.
 */
export function ReportFormPage() {
  const { t } = useI18n();
  const session = useSession();
  const userId = session.user?.id ?? 0;
  const [draft, setDraft] = useState<Draft>(() => loadDraft(userId));
  const [photos, setPhotos] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState<ReportMessage | null>(null);
  const [retry, setRetry] = useState(0);
  const leader = session.user?.roles.includes('group_leader') ?? false;
  const areas = useAsync(() => api.areas(), []);
  const mine = useMemo(() => ownAreas(areas.data ?? [], session.user), [areas.data, session.user]);
  const pos = usePosition(draft.shareLocation);

  useEffect(() => {
    if (draft.areaId === null && mine.length === 1) setDraft((d) => ({ ...d, areaId: mine[0]!.id }));
  }, [mine, draft.areaId]);
  useEffect(() => {
    try {
      localStorage.setItem(draftKey(userId), JSON.stringify(draft));
    } catch (err) {
      console.warn('draft not kept', err);
    }
  }, [draft, userId]);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  // A dropped connection is tried again a few times (2 s, 4 s apart); any other refusal is final and shown.
  const sendWithRetries = async (form: FormData): Promise<ReportMessage> => {
    for (let n = 1; ; n++) {
      try {
        return await reportsApi.file(form, { timeoutMs: UPLOAD_TIMEOUT_MS });
      } catch (err) {
        if (!lostOnTheWay(err) || n >= SEND_TRIES) throw err;
        setRetry(n);
        await wait(2000 * n);
      }
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const form = new FormData();
      form.set('areaId', String(draft.areaId ?? ''));
      form.set('category', draft.category);
      form.set('body', draft.body);
      form.set('place', draft.place);
      form.set('occurredAt', String(parseLocal(draft.date, draft.time)));
      if (draft.shareLocation && pos && typeof pos === 'object') {
        form.set('shareLocation', 'true');
        form.set('latitude', String(pos.lat));
        form.set('longitude', String(pos.lon));
      }
      if (leader && draft.onBehalfOf.trim()) form.set('onBehalfOf', draft.onBehalfOf.trim());
      form.set('clientKey', draft.clientKey);
      for (const p of photos) form.append('photos', p, p.name);
      const report = await sendWithRetries(form);
      localStorage.removeItem(draftKey(userId));
      setSent(report);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      setRetry(0);
    }
  };

  if (sent)
    return (
      <Page title={t('report.form.title')}>
        <p role="status" className="report-sent" data-testid="report-sent">
          {t('report.form.sent', { ref: sent.ref })}
        </p>
        <p>
          <Link to={`/reports/${sent.id}`}>{t('report.form.follow')}</Link>
        </p>
        <button
          type="button"
          onClick={() => {
            setSent(null);
            setPhotos([]);
            setDraft(freshDraft());
          }}
        >
          {t('report.form.another')}
        </button>
      </Page>
    );
  const offline = error instanceof ApiError && (error.code === 'network' || error.code === 'timeout');
  return (
    <Page title={t('report.form.title')} className="report-form-page">
      <p className="muted">{t('report.form.intro')}</p>
      <form className="report-form" onSubmit={(e) => void submit(e)}>
        <label htmlFor="report-area">{t('field.area')}</label>
        <AreaSelect id="report-area" areas={mine} value={draft.areaId} onChange={(id) => set('areaId', id)} emptyLabel={t('field.noArea')} />
        <ReportFormFields draft={draft} set={set} photos={photos} setPhotos={setPhotos} maxPhotos={MAX_PHOTOS} />
        {leader && (
          <>
            <label htmlFor="report-behalf">{t('report.form.onBehalfOf')}</label>
            <input
              id="report-behalf"
              maxLength={200}
              placeholder={t('report.form.onBehalfHint')}
              value={draft.onBehalfOf}
              onChange={(e) => set('onBehalfOf', e.target.value)}
            />
          </>
        )}
        <label className="check">
          <input type="checkbox" checked={draft.shareLocation} onChange={(e) => set('shareLocation', e.target.checked)} />
          {t('report.form.shareLocation')}
        </label>
        {pos === 'pending' && <p className="muted">{t('report.form.locating')}</p>}
        {pos === 'failed' && <p className="muted">{t('report.form.noLocation')}</p>}
        {pos && typeof pos === 'object' && <p className="muted">{t('report.form.located')}</p>}
        <ErrorText error={error} />
        {offline && (
          <p role="status" data-testid="draft-kept">
            {t('report.form.draftKept')}
          </p>
        )}
        {busy && retry > 0 && (
          <p role="status" data-testid="report-retrying">
            {t('report.form.retrying', { n: retry + 1, max: SEND_TRIES })}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy} data-testid="report-submit">
          {busy ? t('report.form.sending') : t('report.form.submit')}
        </button>
      </form>
    </Page>
  );
}
