import { useState } from 'react';
import { api } from '../api/endpoints.js';
import type { AuditEntryView, AuditVerification } from '../api/types.js';
import { ErrorText, Page, Spinner } from '../components/common.js';
import { DateField } from '../components/DateTimeInputs.js';
import { formatDateTime, parseLocal, translateDynamic } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { useAsync } from '../api/useAsync.js';

const PAGE = 100;

/** The hash-chained audit log (nhật ký truy cập): filter, page back, and check the chain. */
export function AuditPage() {
  const { t } = useI18n();
  const [action, setAction] = useState('');
  const [from, setFrom] = useState('');
  const [beforeId, setBeforeId] = useState<number | undefined>(undefined);
  const [older, setOlder] = useState<number[]>([]);
  const page = useAsync(
    () => api.audit({ action: action.trim() || undefined, from: from ? parseLocal(from) : undefined, beforeId, limit: PAGE }),
    [action, from, beforeId],
  );
  const [verify, setVerify] = useState<AuditVerification | null>(null);
  const [verifyError, setVerifyError] = useState<unknown>(null);
  const [checking, setChecking] = useState(false);

  const check = async () => {
    setChecking(true);
    setVerifyError(null);
    try {
      setVerify(await api.auditVerify());
    } catch (err) {
      setVerifyError(err);
    } finally {
      setChecking(false);
    }
  };
  const reset = () => {
    setBeforeId(undefined);
    setOlder([]);
  };
  return (
    <Page
      title={t('audit.title')}
      actions={
        <button type="button" onClick={() => void check()} disabled={checking} data-testid="audit-verify">
          {t('audit.verify')}
        </button>
      }
    >
      {checking && <Spinner label={t('audit.checking')} />}
      <ErrorText error={verifyError} />
      {verify && (
        <p role="status" className={verify.ok ? 'ok' : 'error'} data-testid="audit-verdict">
          {verdictText(verify, t)}
          <br />
          <span className="muted">
            {verify.anchor.state === 'ok'
              ? t('audit.anchor', { id: verify.anchor.id, time: formatDateTime(verify.anchor.writtenAt!) })
              : verify.anchor.state === 'missing'
                ? t('audit.anchorMissing')
                : null}
          </span>
          <br />
          <span className="muted mono">
            {t('audit.head')} {verify.headHash}
          </span>
        </p>
      )}
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('audit.action')}
          <input
            value={action}
            onChange={(e) => {
              setAction(e.target.value);
              reset();
            }}
            placeholder="auth.login.failure"
            spellCheck={false}
          />
        </label>
        <label>
          {t('field.fromDate')}
          <DateField
            value={from}
            onChange={(v) => {
              setFrom(v);
              reset();
            }}
          />
        </label>
      </form>
      <ErrorText error={page.error} />
      <div className="table-wrap">
        <table className="list audit">
          <thead>
            <tr>
              <th>#</th>
              <th>{t('audit.time')}</th>
              <th>{t('audit.who')}</th>
              <th>{t('audit.action')}</th>
              <th>{t('audit.resource')}</th>
              <th>{t('audit.detail')}</th>
            </tr>
          </thead>
          <tbody>
            {(page.data?.entries ?? []).map((e) => (
              <AuditRow key={e.id} e={e} />
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label={t('common.pages')}>
        <button
          type="button"
          disabled={older.length === 0}
          onClick={() => {
            const prev = older.slice(0, -1);
            setOlder(prev);
            setBeforeId(older[older.length - 1] === -1 ? undefined : older[older.length - 1]);
          }}
        >
          {t('common.newer')}
        </button>
        <button
          type="button"
          disabled={!page.data?.nextBeforeId}
          onClick={() => {
            setOlder([...older, beforeId ?? -1]);
            setBeforeId(page.data!.nextBeforeId!);
          }}
        >
          {t('common.older')}
        </button>
      </nav>
    </Page>
  );
}

/** The same verdict as `binhyen audit verify`, from the verifier's reason code. */
function verdictText(v: AuditVerification, t: ReturnType<typeof useI18n>['t']): string {
  const params = { id: v.firstBadId ?? '?', n: v.checked };
  if (v.ok) return t('audit.chainOk', params);
  if (v.reason === 'truncated') return t('audit.chainTruncated', params);
  if (v.reason === 'anchor_invalid' || v.reason === 'wrong_key') return t('audit.anchorInvalid');
  return t('audit.chainBroken', params);
}

function AuditRow({ e }: { e: AuditEntryView }) {
  const { lang } = useI18n();
  const detail = e.detail && typeof e.detail === 'object' ? Object.entries(e.detail as Record<string, unknown>) : [];
  return (
    <tr>
      <td>{e.id}</td>
      <td>{formatDateTime(e.at)}</td>
      <td>
        {e.username ?? '–'} <span className="muted">{e.ip}</span>
      </td>
      <td title={e.action}>{translateDynamic(lang, `auditAction.${e.action}`, e.action)}</td>
      <td>{e.resourceType ? `${translateDynamic(lang, `auditResource.${e.resourceType}`, e.resourceType)} ${e.resourceId ?? ''}` : '–'}</td>
      <td className="small">
        {detail.length > 0 && (
          <dl className="audit-detail">
            {detail.map(([k, v]) => (
              <div key={k}>
                <dt>{translateDynamic(lang, `field.${k}`, k)}</dt>
                <dd>{typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}</dd>
              </div>
            ))}
          </dl>
        )}
      </td>
    </tr>
  );
}
