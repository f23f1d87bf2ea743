import { z } from 'zod';
import { AppError, notFound } from '../shared/errors.js';
import type { Store } from '../store/store.js';
import type { UserRecord } from '../store/user.repository.js';
import type { AuditLog } from './audit.log.js';
import { ASSIGNABLE_ROLES, type MemberRole } from '../domain/access.js';
import { type Principal, type Role } from './authorize.js';
import type { PasswordHasher } from './password.hasher.js';
import { passwordWeakness, type PasswordWeakness } from './password.policy.js';
import type { RevocationHub } from './revocation.hub.js';
import type { SessionService } from './session.service.js';

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, '2–64 characters: letters a–z, digits, dot, dash or underscore');
export const displayNameSchema = z.string().trim().min(1).max(200);
export const roleSchema = z.enum(ASSIGNABLE_ROLES);
/** The upper bound keeps hashing cheap; the lower bound comes from the config. */
export const passwordInputSchema = z.string().min(1).max(256);

export interface NewUserInput {
  username: string;
  displayName?: string;
  password: string;
  roles: Role[];
  areaIds: number[];
}
export interface UserPatch {
  displayName?: string;
  roles?: Role[];
  areaIds?: number[];
  disabled?: boolean;
}

/** Who made a change: a signed-in user, or a named system path (the CLI, first-run setup). */
export type Actor = Principal | { name: 'cli' | 'setup'; ip?: string };

export interface UserServiceDeps {
  store: Store;
  hasher: PasswordHasher;
  sessions: SessionService;
  revocations: RevocationHub;
  audit: AuditLog;
  minPasswordLength: number;
}

const WEAKNESS_TEXT: Record<PasswordWeakness, string> = {
  common: 'it is one of the most common passwords',
  repetitive: 'it repeats one or two characters',
  sequence: 'it is a run of the keyboard or the alphabet',
};

const invalid = (field: string, code: string, message: string, params: Record<string, unknown> = {}) => new AppError(code, message, 400, { field, params });

/** Accounts: creation, passwords, roles and areas, disabling. Used by the API, the CLI and tests. */
export class UserService {
  private readonly dummy: string;

  constructor(private readonly d: UserServiceDeps) {
    this.dummy = d.hasher.dummyHash();
  }

  async add(input: NewUserInput, actor: Actor): Promise<UserRecord> {
    const username = this.checkUsername(input.username);
    this.checkPassword(input.password, username);
    const roles = this.checkRoles(input.roles);
    await this.checkAreas(roles, input.areaIds);
    const passwordHash = await this.d.hasher.hash(input.password);
    const displayName = displayNameSchema.safeParse(input.displayName ?? username).data ?? username;
    const user = await this.d.store.transaction(async (tx) => {
      if (await tx.users.getByUsername(username))
        throw new AppError('username_taken', `username ${username} is taken`, 409, { field: 'username', params: { username } });
      return tx.users.create({ username, displayName, passwordHash, roles, areaIds: input.areaIds });
    });
    await this.audit(actor, 'user.create', user.id, { username, roles, areaIds: user.areaIds });
    return user;
  }

  /** The user when the password is right and the account enabled; the same slow path either way. */
  async authenticate(usernameInput: string, password: string): Promise<UserRecord | undefined> {
    // The place in the hashing queue first: when it is full, refuse before touching the database.
    const check = this.d.hasher.admitCheck();
    try {
      const username = usernameSchema.safeParse(usernameInput).data;
      const user = username ? await this.d.store.users.getByUsername(username) : undefined;
      const hash = user ? await this.d.store.users.passwordHashOf(user.id) : undefined;
      const ok = await check.verify(password, hash ?? this.dummy);
      if (!user || !hash || !ok || user.disabled) return undefined;
      if (this.d.hasher.needsRehash(hash)) await this.d.store.users.setPasswordHash(user.id, await this.d.hasher.hash(password));
      return user;
    } finally {
      check.cancel();
    }
  }

  /** Own password change: needs the current one; ends every session of the user (the caller opens a new one). */
  async changeOwnPassword(p: Principal, current: string, next: string): Promise<void> {
    const user = p.userId === undefined ? undefined : await this.d.store.users.get(p.userId);
    if (!user) throw new AppError('unauthenticated', 'sign in required', 401);
    const hash = await this.d.store.users.passwordHashOf(user.id);
    if (!hash || !(await this.d.hasher.verify(current, hash))) {
      await this.audit(p, 'auth.password.failure', user.id, { reason: 'wrong_current_password' });
      throw invalid('currentPassword', 'wrong_password', 'the current password is not right');
    }
    await this.storePassword(user, next, p, 'auth.password');
  }

  /** Password set by an admin or on the CLI. */
  async setPassword(userId: number, next: string, actor: Actor): Promise<void> {
    const user = await this.mustGet(userId);
    await this.storePassword(user, next, actor, 'user.password');
  }

  async update(userId: number, patch: UserPatch, actor: Actor): Promise<UserRecord> {
    const before = await this.mustGet(userId);
    const roles = patch.roles ? this.checkRoles(patch.roles) : before.roles;
    const areaIds = patch.areaIds ?? before.areaIds;
    if (patch.roles || patch.areaIds) await this.checkAreas(roles, areaIds);
    const disabled = patch.disabled ?? before.disabled;
    if (before.roles.includes('admin') && !before.disabled && (disabled || !roles.includes('admin'))) await this.keepOneAdmin(userId);
    const displayName = patch.displayName === undefined ? undefined : displayNameSchema.parse(patch.displayName);
    await this.d.store.transaction(async (tx) => {
      await tx.users.update(userId, { displayName, disabled });
      if (patch.roles) await tx.users.setRoles(userId, roles);
      if (patch.areaIds) await tx.users.setAreas(userId, areaIds);
    });
    const after = (await this.d.store.users.get(userId))!;
    const grantsChanged = !sameSet(before.roles, after.roles) || !sameSet(before.areaIds, after.areaIds);
    if (grantsChanged || (after.disabled && !before.disabled)) await this.revokeAll(userId);
    await this.audit(actor, after.disabled && !before.disabled ? 'user.disable' : 'user.update', userId, {
      ...(displayName !== undefined ? { displayName } : {}),
      ...(grantsChanged ? { roles: after.roles, areaIds: after.areaIds } : {}),
      ...(before.disabled !== after.disabled ? { disabled: after.disabled } : {}),
    });
    return after;
  }

  list(): Promise<UserRecord[]> {
    return this.d.store.users.list();
  }

  /**
   * Adds a user to an area or group, or changes what they are in it (member, landlord, group
   * leader). Taking leadership away ends the user's sessions, like any narrowing of their grants.
   */
  async setMembership(areaId: number, userId: number, memberRole: MemberRole): Promise<UserRecord> {
    const before = await this.mustGet(userId);
    if (!(await this.d.store.areas.get(areaId))) throw notFound('area', areaId);
    await this.d.store.areas.setMember(areaId, userId, memberRole);
    if (before.leadAreaIds.includes(areaId) && memberRole !== 'leader') await this.revokeAll(userId);
    return (await this.d.store.users.get(userId))!;
  }

  /** Takes a user out of an area or group (not their last one if they are a resident); ends their sessions. */
  async removeMembership(areaId: number, userId: number): Promise<UserRecord> {
    const before = await this.mustGet(userId);
    if (!before.areaIds.includes(areaId)) throw notFound('member', userId);
    if (before.roles.includes('resident') && before.areaIds.length === 1)
      throw invalid('userId', 'resident_needs_area', 'a resident must belong to at least one area: add them to another first');
    await this.d.store.areas.removeMember(areaId, userId);
    await this.revokeAll(userId);
    return (await this.d.store.users.get(userId))!;
  }

  get(id: number): Promise<UserRecord | undefined> {
    return this.d.store.users.get(id);
  }

  getByUsername(username: string): Promise<UserRecord | undefined> {
    const u = usernameSchema.safeParse(username).data;
    return u ? this.d.store.users.getByUsername(u) : Promise.resolve(undefined);
  }

  count(): Promise<number> {
    return this.d.store.users.count();
  }

  private async storePassword(user: UserRecord, next: string, actor: Actor, action: string): Promise<void> {
    this.checkPassword(next, user.username);
    await this.d.store.users.setPasswordHash(user.id, await this.d.hasher.hash(next));
    await this.revokeAll(user.id);
    await this.audit(actor, action, user.id, { username: user.username });
  }

  private async revokeAll(userId: number): Promise<void> {
    await this.d.sessions.revokeUser(userId);
    this.d.revocations.user(userId);
  }

  private async mustGet(userId: number): Promise<UserRecord> {
    const user = await this.d.store.users.get(userId);
    if (!user) throw notFound('user', userId);
    return user;
  }

  private async keepOneAdmin(leavingId: number): Promise<void> {
    const others = (await this.d.store.users.list()).filter((u) => u.id !== leavingId && !u.disabled && u.roles.includes('admin'));
    if (others.length === 0) throw new AppError('last_admin', 'this is the last enabled admin; make another admin first', 409, { field: 'roles' });
  }

  private checkUsername(input: string): string {
    const r = usernameSchema.safeParse(input);
    if (!r.success) throw invalid('username', 'invalid_username', `username: ${r.error.issues[0]!.message}`);
    return r.data;
  }

  private checkPassword(password: string, username: string): void {
    const min = this.d.minPasswordLength;
    if (typeof password !== 'string' || [...password].length < min)
      throw invalid('password', 'password_too_short', `the password needs at least ${min} characters`, { min });
    if (password.length > 256) throw invalid('password', 'password_too_long', 'the password may have at most 256 characters', { max: 256 });
    if (password.toLowerCase().includes(username.toLowerCase()))
      throw invalid('password', 'password_contains_username', 'the password must not contain the username');
    const weakness = passwordWeakness(password);
    if (weakness)
      throw invalid('password', 'password_too_weak', `the password is too easy to guess (${WEAKNESS_TEXT[weakness]}); a few unrelated words work well`, {
        reason: weakness,
      });
  }

  /** group_leader is not assigned here (it follows from leading a group): sent back with the others, it is dropped. */
  private checkRoles(roles: readonly string[]): Role[] {
    const parsed = z
      .array(roleSchema)
      .min(1)
      .safeParse(roles.filter((r) => r !== 'group_leader'));
    if (!parsed.success) throw invalid('roles', 'invalid_roles', `roles: at least one of ${ASSIGNABLE_ROLES.join(', ')}`, { allowed: ASSIGNABLE_ROLES });
    return [...new Set(parsed.data)];
  }

  private async checkAreas(roles: readonly Role[], areaIds: readonly number[]): Promise<void> {
    const known = new Set((await this.d.store.areas.list()).map((a) => a.id));
    const unknown = areaIds.find((id) => !known.has(id));
    if (unknown !== undefined) throw invalid('areaIds', 'unknown_area', `area ${unknown} does not exist`, { id: unknown });
    if (roles.includes('resident') && areaIds.length === 0) throw invalid('areaIds', 'resident_needs_area', 'a resident must belong to at least one area');
  }

  private async audit(actor: Actor, action: string, userId: number, detail: Record<string, unknown>): Promise<void> {
    const who = 'kind' in actor ? { principal: actor } : { username: actor.name, ip: actor.ip ?? null };
    await this.d.audit.record({ ...who, action, resource: { type: 'user', id: userId }, detail });
  }
}

function sameSet<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
