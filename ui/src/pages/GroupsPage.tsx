import { useState, type FormEvent } from 'react';
import { api } from '../api/endpoints.js';
import { groupsApi, type GroupMember, type GroupView } from '../api/groups.api.js';
import { useAsync } from '../api/useAsync.js';
import { MEMBER_ROLES, type MemberRole } from '../../../server/domain/access.js';
import { ErrorText, Page, Spinner } from '../components/common.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { useSession } from '../session.js';

/** One member: their role in the group (admins change it) and removal. */
function MemberRow({ g, m, manage, act }: { g: GroupView; m: GroupMember; manage: boolean; act: (fn: () => Promise<unknown>, done: string) => void }) {
  const { t, name } = useI18n();
  return (
    <li data-member={m.username}>
      <span>{m.displayName}</span> <span className="muted">({m.username})</span>{' '}
      {manage ? (
        <>
          <select
            aria-label={t('groups.setRole', { name: m.displayName })}
            value={m.memberRole}
            onChange={(e) => act(() => groupsApi.setMember(g.id, m.userId, e.target.value as MemberRole), t('groups.saved', { name: m.displayName }))}
          >
            {MEMBER_ROLES.map((r) => (
              <option key={r} value={r}>
                {name('memberRole', r)}
              </option>
            ))}
          </select>{' '}
          <button
            type="button"
            className="link"
            onClick={() => act(() => groupsApi.removeMember(g.id, m.userId), t('groups.removed', { name: m.displayName }))}
          >
            {t('groups.remove', { name: m.displayName })}
          </button>
        </>
      ) : (
        <span className="badge">{name('memberRole', m.memberRole)}</span>
      )}
    </li>
  );
}

/** Adds an account to the group with a role (admins). */
function AddMember({ g, act }: { g: GroupView; act: (fn: () => Promise<unknown>, done: string) => void }) {
  const { t, name } = useI18n();
  const users = useAsync(() => api.users(), []);
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<MemberRole>('member');
  const others = (users.data ?? []).filter((u) => !g.members.some((m) => m.userId === u.id));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const u = others.find((x) => x.id === Number(userId));
    if (u) act(() => groupsApi.setMember(g.id, u.id, role), t('groups.saved', { name: u.displayName }));
    setUserId('');
  };
  return (
    <form className="inline" onSubmit={submit} aria-label={`${t('groups.addMember')}: ${g.name}`}>
      <select aria-label={t('groups.user')} required value={userId} onChange={(e) => setUserId(e.target.value)}>
        <option value="">{t('groups.chooseUser')}</option>
        {others.map((u) => (
          <option key={u.id} value={u.id}>
            {u.displayName} ({u.username})
          </option>
        ))}
      </select>
      <select aria-label={t('field.memberRole')} value={role} onChange={(e) => setRole(e.target.value as MemberRole)}>
        {MEMBER_ROLES.map((r) => (
          <option key={r} value={r}>
            {name('memberRole', r)}
          </option>
        ))}
      </select>
      <button type="submit">{t('groups.add')}</button>
    </form>
  );
}

/**
 * Community groups and their members. Admins add and remove members and make them landlord or
 * group leader; police see every group, a group leader the groups they lead.
 */
export function GroupsPage() {
  const { t, name } = useI18n();
  const session = useSession();
  const manage = session.can('group.manage');
  const groups = useAsync(() => groupsApi.groups(), []);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  const act = (fn: () => Promise<unknown>, message: string) => {
    setError(null);
    setDone('');
    fn().then(
      () => {
        setDone(message);
        groups.reload();
      },
      (err: unknown) => setError(err),
    );
  };
  if (!groups.data && !groups.error) return <Spinner label={t('common.loading')} />;
  return (
    <Page title={t('groups.title')}>
      <p className="muted">{t('groups.intro')}</p>
      <ErrorText error={error ?? groups.error} />
      {done && <p role="status">{done}</p>}
      {groups.data?.length === 0 && <p>{t('groups.none')}</p>}
      {groups.data?.map((g) => (
        <section key={g.id} className="card" aria-labelledby={`group-${g.id}`} data-group={g.name}>
          <h2 id={`group-${g.id}`}>
            {g.name} <span className="muted">({name('areaKind', g.kind)})</span>
          </h2>
          <h3>{t('groups.members')}</h3>
          {g.members.length === 0 ? (
            <p className="muted">{t('groups.noMembers')}</p>
          ) : (
            <ul className="member-list">
              {g.members.map((m) => (
                <MemberRow key={m.userId} g={g} m={m} manage={manage} act={act} />
              ))}
            </ul>
          )}
          {manage && <AddMember g={g} act={act} />}
        </section>
      ))}
    </Page>
  );
}
