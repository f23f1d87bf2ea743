import type { Role } from '../domain/access.js';
import type { Executor } from './db.js';
import { insertReturningId, toBool } from './repository.util.js';

/** A user as the rest of the server sees it: never the password hash. */
export interface UserRecord {
  id: number;
  username: string;
  displayName: string;
  disabled: boolean;
  roles: Role[];
  areaIds: number[];
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

  async setRoles(id: number, roles: readonly Role[]): Promise<void> {
    await this.db('user_roles').where({ user_id: id }).delete();
    if (roles.length) await this.db('user_roles').insert([...new Set(roles)].map((role) => ({ user_id: id, role })));
  }

  async setAreas(id: number, areaIds: readonly number[]): Promise<void> {
    await this.db('user_areas').where({ user_id: id }).delete();
    if (areaIds.length) await this.db('user_areas').insert([...new Set(areaIds)].map((area_id) => ({ user_id: id, area_id })));
  }

  private async withGrants(rows: UserRow[]): Promise<UserRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const roles = await this.db<{ user_id: number; role: Role }>('user_roles').whereIn('user_id', ids).orderBy('role');
    const areas = await this.db<{ user_id: number; area_id: number }>('user_areas').whereIn('user_id', ids).orderBy('area_id');
    return rows.map((r) => ({
      id: r.id,
      username: r.username,
      displayName: r.display_name,
      disabled: toBool(r.disabled),
      roles: roles.filter((x) => x.user_id === r.id).map((x) => x.role),
      areaIds: areas.filter((x) => x.user_id === r.id).map((x) => Number(x.area_id)),
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    }));
  }
}
