import { useState, type FormEvent } from 'react';
import { api } from '../api/endpoints.js';
import type { AreaKind } from '../api/types.js';
import { groupsApi } from '../api/groups.api.js';
import { AREA_KINDS } from '../../../server/domain/access.js';
import { useAsync } from '../api/useAsync.js';
import { AreaSelect, ErrorText, Page, areaOptions } from '../components/common.js';
import { useI18n } from '../i18n/I18nProvider.js';

const KINDS: readonly AreaKind[] = AREA_KINDS;

/** The area tree: commune → hamlet/quarter → residents' group. */
export function AreasPage() {
  const { t, name } = useI18n();
  const areas = useAsync(() => api.areas(), []);
  const [parentId, setParentId] = useState<number | null>(null);
  const [kind, setKind] = useState<AreaKind>('hamlet');
  const [newName, setNewName] = useState('');
  const [renaming, setRenaming] = useState<{ id: number; name: string } | null>(null);
  const [targeting, setTargeting] = useState<{ id: number; minutes: string } | null>(null);
  const [error, setError] = useState<unknown>(null);

  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      areas.reload();
      return true;
    } catch (err) {
      setError(err);
      return false;
    }
  };
  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (await act(() => api.createArea({ parentId, kind, name: newName.trim() }))) setNewName('');
  };
  const byId = new Map((areas.data ?? []).map((a) => [a.id, a]));
  return (
    <Page title={t('areas.title')}>
      <ErrorText error={error ?? areas.error} />
      <ul className="area-tree">
        {areaOptions(areas.data ?? []).map((o) => {
          const a = byId.get(o.id)!;
          return (
            <li key={o.id} data-area={a.name}>
              {renaming?.id === a.id ? (
                <form
                  className="inline"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void act(() => api.renameArea(a.id, renaming.name.trim())).then((ok) => ok && setRenaming(null));
                  }}
                >
                  <input aria-label={t('field.name')} value={renaming.name} onChange={(e) => setRenaming({ id: a.id, name: e.target.value })} />
                  <button type="submit">{t('common.save')}</button>
                  <button type="button" onClick={() => setRenaming(null)}>
                    {t('common.cancel')}
                  </button>
                </form>
              ) : (
                <>
                  <span>{o.label}</span> <span className="muted">({name('areaKind', a.kind)})</span>{' '}
                  {a.feedbackTargetMinutes !== null && <span className="muted">· {t('areas.targetOf', { n: a.feedbackTargetMinutes })} </span>}
                  <button type="button" className="link" onClick={() => setRenaming({ id: a.id, name: a.name })}>
                    {t('areas.rename')}
                  </button>{' '}
                  <button type="button" className="link" onClick={() => setTargeting({ id: a.id, minutes: String(a.feedbackTargetMinutes ?? '') })}>
                    {t('areas.editTarget')}
                  </button>
                </>
              )}
              {targeting?.id === a.id && (
                <form
                  className="inline"
                  onSubmit={(e) => {
                    e.preventDefault();
                    const minutes = targeting.minutes.trim() === '' ? null : Number(targeting.minutes);
                    void act(() => groupsApi.setTarget(a.id, minutes)).then((ok) => ok && setTargeting(null));
                  }}
                >
                  <label>
                    {t('areas.target')}{' '}
                    <input
                      type="number"
                      min={1}
                      max={525600}
                      inputMode="numeric"
                      value={targeting.minutes}
                      onChange={(e) => setTargeting({ id: a.id, minutes: e.target.value })}
                    />
                  </label>
                  <button type="submit">{t('common.save')}</button>
                  <button type="button" onClick={() => setTargeting(null)}>
                    {t('common.cancel')}
                  </button>
                  <span className="muted">{t('areas.targetHint')}</span>
                </form>
              )}
            </li>
          );
        })}
      </ul>
      <section className="card" aria-labelledby="new-area-title">
        <h2 id="new-area-title">{t('areas.add')}</h2>
        <form className="stack" onSubmit={create}>
          <label htmlFor="area-parent">{t('areas.parent')}</label>
          <AreaSelect id="area-parent" areas={areas.data ?? []} value={parentId} onChange={setParentId} emptyLabel={t('areas.noParent')} />
          <label htmlFor="area-kind">{t('areas.kind')}</label>
          <select id="area-kind" value={kind} onChange={(e) => setKind(e.target.value as AreaKind)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {name('areaKind', k)}
              </option>
            ))}
          </select>
          <label htmlFor="area-name">{t('field.name')}</label>
          <input id="area-name" required maxLength={200} value={newName} onChange={(e) => setNewName(e.target.value)} />
          <button type="submit" className="primary">
            {t('areas.create')}
          </button>
        </form>
      </section>
    </Page>
  );
}
