import { useState, type FormEvent } from 'react';
import { api } from '../api/endpoints.js';
import type { Area, Role, UserView } from '../api/types.js';
import { useAsync } from '../api/useAsync.js';
import { ErrorText, Page, Spinner, areaName, areaOptions } from '../components/common.js';
import { PasswordResetForm } from '../components/PasswordResetForm.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { useSession } from '../session.js';

const ROLES: readonly Role[] = ['admin', 'police', 'technician', 'resident'];

interface Draft {
  username: string;
  displayName: string;
  password: string;
  roles: Role[];
  areaIds: number[];
}
const emptyDraft = (): Draft => ({ username: '', displayName: '', password: '', roles: ['resident'], areaIds: [] });

function RolesAndAreas({
  d,
  set,
  areas,
  idp,
}: {
  d: { roles: Role[]; areaIds: number[] };
  set(p: { roles?: Role[]; areaIds?: number[] }): void;
  areas: readonly Area[];
  idp: string;
}) {
  const { t, name } = useI18n();
  return (
    <>
      <fieldset className="inline">
        <legend>{t('field.roles')}</legend>
        {ROLES.map((r) => (
          <label key={r}>
            <input
              type="checkbox"
              checked={d.roles.includes(r)}
              onChange={(e) => set({ roles: e.target.checked ? [...d.roles, r] : d.roles.filter((x) => x !== r) })}
            />{' '}
            {name('role', r)}
          </label>
        ))}
      </fieldset>
      <label htmlFor={`${idp}-areas`}>{t('field.areas')}</label>
      <select
        id={`${idp}-areas`}
        multiple
        size={Math.min(6, Math.max(2, areas.length))}
        value={d.areaIds.map(String)}
        onChange={(e) => set({ areaIds: [...e.target.selectedOptions].map((o) => Number(o.value)) })}
      >
        {areaOptions(areas).map((o) => (
          <option key={o.id} value={o.id}>
            {o.label}
          </option>
        ))}
      </select>
    </>
  );
}

/** Accounts: who may sign in, with which roles and for which areas. */
export function UsersPage() {
  const { t, name } = useI18n();
  const session = useSession();
  const users = useAsync(() => api.users(), []);
  const areas = useAsync(() => api.areas(), []);
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [editing, setEditing] = useState<UserView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const admin = session.can('user.create');

  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      users.reload();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (await act(() => api.createUser({ ...draft, displayName: draft.displayName.trim() || undefined }))) setDraft(emptyDraft());
  };
  const [resetting, setResetting] = useState<UserView | null>(null);

  return (
    <Page title={t('users.title')}>
      <ErrorText error={error ?? users.error} />
      {!users.data && <Spinner label={t('common.loading')} />}
      <div className="table-wrap">
        <table className="list">
          <thead>
            <tr>
              <th>{t('field.username')}</th>
              <th>{t('field.displayName')}</th>
              <th>{t('field.roles')}</th>
              <th>{t('field.areas')}</th>
              <th>{t('field.state')}</th>
              {admin && <th>{t('common.actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {(users.data ?? []).map((u) => (
              <tr key={u.id} data-user={u.username}>
                <td>{u.username}</td>
                <td>{u.displayName}</td>
                <td>{u.roles.map((r) => name('role', r)).join(', ')}</td>
                <td>{u.areaIds.map((a) => areaName(areas.data, a)).join(', ') || '–'}</td>
                <td>{u.disabled ? t('users.disabled') : t('users.active')}</td>
                {admin && (
                  <td className="button-row">
                    <button type="button" onClick={() => setEditing(u)} aria-label={t('users.editFor', { name: u.username })}>
                      {t('common.edit')}
                    </button>
                    <button type="button" onClick={() => setResetting(u)} aria-label={t('users.resetFor', { name: u.username })} data-testid="reset-password">
                      {t('users.resetPassword')}
                    </button>
                    <button
                      type="button"
                      disabled={busy || u.id === session.user?.id}
                      onClick={() => void act(() => api.updateUser(u.id, { disabled: !u.disabled }))}
                    >
                      {u.disabled ? t('users.enable') : t('users.disable')}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {admin && resetting && (
        <PasswordResetForm
          key={resetting.id}
          user={resetting}
          busy={busy}
          onCancel={() => setResetting(null)}
          onSave={(pw) => void act(() => api.resetPassword(resetting.id, pw)).then((ok) => ok && setResetting(null))}
        />
      )}
      {admin && editing && (
        <section className="card" aria-labelledby="edit-user-title">
          <h2 id="edit-user-title">{t('users.editTitle', { name: editing.username })}</h2>
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void act(() => api.updateUser(editing.id, { displayName: editing.displayName, roles: editing.roles, areaIds: editing.areaIds })).then(
                (ok) => ok && setEditing(null),
              );
            }}
          >
            <label htmlFor="edit-name">{t('field.displayName')}</label>
            <input id="edit-name" value={editing.displayName} onChange={(e) => setEditing({ ...editing, displayName: e.target.value })} />
            <RolesAndAreas d={editing} set={(p) => setEditing({ ...editing, ...p })} areas={areas.data ?? []} idp="edit" />
            <div className="button-row">
              <button type="submit" className="primary" disabled={busy}>
                {t('common.save')}
              </button>
              <button type="button" onClick={() => setEditing(null)}>
                {t('common.cancel')}
              </button>
            </div>
          </form>
        </section>
      )}
      {admin && (
        <section className="card" aria-labelledby="new-user-title">
          <h2 id="new-user-title">{t('users.add')}</h2>
          <form className="stack" onSubmit={create}>
            <div className="form-row">
              <label htmlFor="new-username">
                {t('field.username')}
                <input
                  id="new-username"
                  required
                  autoCapitalize="none"
                  value={draft.username}
                  onChange={(e) => setDraft({ ...draft, username: e.target.value })}
                />
              </label>
              <label htmlFor="new-name">
                {t('field.displayName')}
                <input id="new-name" value={draft.displayName} onChange={(e) => setDraft({ ...draft, displayName: e.target.value })} />
              </label>
              <label htmlFor="new-password">
                {t('field.password')}
                <input
                  id="new-password"
                  type="password"
                  required
                  autoComplete="new-password"
                  value={draft.password}
                  onChange={(e) => setDraft({ ...draft, password: e.target.value })}
                />
              </label>
            </div>
            <RolesAndAreas d={draft} set={(p) => setDraft({ ...draft, ...p })} areas={areas.data ?? []} idp="new" />
            <button type="submit" className="primary" disabled={busy}>
              {t('users.create')}
            </button>
          </form>
        </section>
      )}
    </Page>
  );
}
