import { useState } from 'react';
import { api } from '../api/endpoints.js';
import { groupsApi } from '../api/groups.api.js';
import { useAsync } from '../api/useAsync.js';
import { ErrorText, ownAreas, Page, Spinner, areaOptions } from '../components/common.js';
import { formatDateTime } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { useSession } from '../session.js';

/**
 * Police switch an area's anonymous report link on (a new link each time, shown once to copy
 * into the Zalo group) or off (the old link stops working at once).
 */
export function ReportLinksPage() {
  const { t } = useI18n();
  const session = useSession();
  const state = useAsync(async () => {
    const mine = ownAreas(await api.areas(), session.user);
    const status = await Promise.all(mine.map((a) => groupsApi.linkStatus(a.id)));
    return { areas: mine, status: new Map(status.map((s) => [s.areaId, s])) };
  }, [session.user]);
  const [fresh, setFresh] = useState<{ areaId: number; url: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [copied, setCopied] = useState(false);
  const act = (fn: () => Promise<unknown>) => {
    setError(null);
    fn().then(state.reload, setError);
  };
  if (!state.data && !state.error) return <Spinner label={t('common.loading')} />;
  const byId = new Map((state.data?.areas ?? []).map((a) => [a.id, a]));
  return (
    <Page title={t('links.title')}>
      <p className="muted">{t('links.intro')}</p>
      <ErrorText error={error ?? state.error} />
      {fresh && (
        <div className="card" role="status" data-testid="fresh-link">
          <p>{t('links.fresh', { area: byId.get(fresh.areaId)?.name ?? '' })}</p>
          <input readOnly aria-label={t('links.title')} value={fresh.url} onFocus={(e) => e.target.select()} />{' '}
          <button
            type="button"
            onClick={() =>
              void navigator.clipboard?.writeText(fresh.url).then(
                () => setCopied(true),
                () => setCopied(false),
              )
            }
          >
            {t('links.copy')}
          </button>
          {copied && <span className="muted"> {t('links.copied')}</span>}
        </div>
      )}
      {state.data?.areas.length === 0 && <p>{t('links.noAreas')}</p>}
      <ul className="link-list">
        {areaOptions(state.data?.areas ?? []).map((o) => {
          const s = state.data?.status.get(o.id);
          return (
            <li key={o.id} data-area={byId.get(o.id)?.name}>
              <strong>{o.label}</strong>{' '}
              <span className="muted">{s?.enabled && s.since ? t('links.on', { when: formatDateTime(s.since, false) }) : t('links.off')}</span>{' '}
              <button
                type="button"
                onClick={() =>
                  act(async () => {
                    const on = await groupsApi.enableLink(o.id);
                    setCopied(false);
                    setFresh({ areaId: o.id, url: `${window.location.origin}${on.path}` });
                  })
                }
              >
                {t('links.enable')}
              </button>{' '}
              {s?.enabled && (
                <button
                  type="button"
                  onClick={() =>
                    act(async () => {
                      await groupsApi.disableLink(o.id);
                      if (fresh?.areaId === o.id) setFresh(null);
                    })
                  }
                >
                  {t('links.disable')}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </Page>
  );
}
