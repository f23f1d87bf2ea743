import type { Role } from '../domain/access.js';
import type { Executor } from './db.js';
import { insertReturningId, toBool } from './repository.util.js';

/** A user as the rest of the server sees it: never the password hash. */
export interface UserRecord {
  id: number;
  username: string;
  displayName: string;
  disabled: boolean;
  /** The stored roles, plus group_leader while the user leads a group. */
  roles: Role[];
  areaIds: number[];
  /** The areas (groups) the user leads. */
  leadAreaIds: number[];
  createdAt: number;
  updatedAt: number;
}

export interface NewUser {
  username: string;
  displayName: string;
  passwordHash: string;
  roles: Role[];
  areaIds: number[];
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  password_hash: string;
  disabled: unknown;
  created_at: number;
  updated_at: number;
}

export class UserRepository {
  constructor(private readonly db: Executor) {}

  /** Inserts the user with roles and areas; call inside a transaction so all three land together. */
  async create(u: NewUser, now = Date.now()): Promise<UserRecord> {
    const id = await insertReturningId(this.db('users'), {
      username: u.username,
      display_name: u.displayName,
      password_hash: u.passwordHash,
      disabled: false,
      created_at: now,
      updated_at: now,
    });
    await this.setRoles(id, u.roles);
    await this.setAreas(id, u.areaIds);
    return (await this.get(id))!;
  }

  async get(id: number): Promise<UserRecord | undefined> {
    const row = await this.db<UserRow>('users').where({ id }).first();
    return row && (await this.withGrants([row]))[0];
  }

  async getByUsername(username: string): Promise<UserRecord | undefined> {
    const row = await this.db<UserRow>('users').where({ username }).first();
    return row && (await this.withGrants([row]))[0];
  }

  /** The stored hash, for password checks only. */
  async passwordHashOf(id: number): Promise<string | undefined> {
    const row = await this.db<UserRow>('users').where({ id }).first('password_hash');
    return row?.password_hash;
  }

  async list(): Promise<UserRecord[]> {
    return this.withGrants(await this.db<UserRow>('users').orderBy('id'));
  }

  async count(): Promise<number> {
    const [row] = await this.db('users').count<{ n: number | string }[]>({ n: '*' });
    return Number(row?.n ?? 0);
  }

  async update(id: number, patch: { displayName?: string; disabled?: boolean }, now = Date.now()): Promise<void> {
    const row: Record<string, unknown> = { updated_at: now };
    if (patch.displayName !== undefined) row.display_name = patch.displayName;
    if (patch.disabled !== undefined) row.disabled = patch.disabled;
    await this.db('users').where({ id }).update(row);
  }

  async setPasswordHash(id: number, hash: string, now = Date.now()): Promise<void> {
    await this.db('users').where({ id }).update({ password_hash: hash, updated_at: now });
  }

  /** group_leader is never stored: it follows from leading a group. */
  async setRoles(id: number, roles: readonly Role[]): Promise<void> {
    await this.db('user_roles').where({ user_id: id }).delete();
    const stored = [...new Set(roles)].filter((r) => r !== 'group_leader');
    if (stored.length) await this.db('user_roles').insert(stored.map((role) => ({ user_id: id, role })));
  }

  /** The user's areas; what they are in an area they keep (a group leader stays its leader). */
  async setAreas(id: number, areaIds: readonly number[]): Promise<void> {
    const before = (await this.db('user_areas').where({ user_id: id }).select('area_id', 'member_role')) as { area_id: number; member_role: string }[];
    const roleOf = new Map(before.map((r) => [Number(r.area_id), r.member_role]));
    await this.db('user_areas').where({ user_id: id }).delete();
    if (areaIds.length)
      await this.db('user_areas').insert([...new Set(areaIds)].map((area_id) => ({ user_id: id, area_id, member_role: roleOf.get(area_id) ?? 'member' })));
  }

  private async withGrants(rows: UserRow[]): Promise<UserRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const roles = await this.db<{ user_id: number; role: Role }>('user_roles').whereIn('user_id', ids).orderBy('role');
    const areas = await this.db<{ user_id: number; area_id: number; member_role: string }>('user_areas').whereIn('user_id', ids).orderBy('area_id');
    return rows.map((r) => {
      const mine = areas.filter((x) => x.user_id === r.id);
      const leads = mine.filter((x) => x.member_role === 'leader').map((x) => Number(x.area_id));
      const stored = roles.filter((x) => x.user_id === r.id && x.role !== 'group_leader').map((x) => x.role);
      return {
        id: r.id,
        username: r.username,
        displayName: r.display_name,
        disabled: toBool(r.disabled),
        roles: leads.length ? [...stored, 'group_leader' as const] : stored,
        areaIds: mine.map((x) => Number(x.area_id)),
        leadAreaIds: leads,
        createdAt: Number(r.created_at),
        updatedAt: Number(r.updated_at),
      };
    });
  }
}
