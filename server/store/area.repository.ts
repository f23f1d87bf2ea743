import { AREA_KINDS, type AreaKind, type MemberRole } from '../domain/access.js';
import type { Executor } from './db.js';
import { insertReturningId } from './repository.util.js';

export { AREA_KINDS, type AreaKind };

export interface Area {
  id: number;
  parentId: number | null;
  kind: AreaKind;
  name: string;
  /** The area's own target time for feedback on a report; null: the nearest area above's, else the server's. */
  feedbackTargetMinutes: number | null;
  createdAt: number;
}

/** A member of an area or group, with what they are in it. */
export interface AreaMember {
  userId: number;
  username: string;
  displayName: string;
  memberRole: MemberRole;
}

interface AreaRow {
  id: number;
  parent_id: number | null;
  kind: AreaKind;
  name: string;
  feedback_target_minutes: number | null;
  created_at: number;
}
const toArea = (r: AreaRow): Area => ({
  id: Number(r.id),
  parentId: r.parent_id === null ? null : Number(r.parent_id),
  kind: r.kind,
  name: r.name,
  feedbackTargetMinutes: r.feedback_target_minutes === null || r.feedback_target_minutes === undefined ? null : Number(r.feedback_target_minutes),
  createdAt: Number(r.created_at),
});

export class AreaRepository {
  constructor(private readonly db: Executor) {}

  async create(a: { parentId: number | null; kind: AreaKind; name: string; feedbackTargetMinutes?: number | null }, now = Date.now()): Promise<Area> {
    const target = a.feedbackTargetMinutes ?? null;
    const id = await insertReturningId(this.db('areas'), {
      parent_id: a.parentId,
      kind: a.kind,
      name: a.name,
      feedback_target_minutes: target,
      created_at: now,
    });
    return { id, parentId: a.parentId, kind: a.kind, name: a.name, feedbackTargetMinutes: target, createdAt: now };
  }

  async get(id: number): Promise<Area | undefined> {
    const row = await this.db<AreaRow>('areas').where({ id }).first();
    return row && toArea(row);
  }

  async list(): Promise<Area[]> {
    return (await this.db<AreaRow>('areas').orderBy('id')).map(toArea);
  }

  async rename(id: number, name: string): Promise<boolean> {
    return (await this.db('areas').where({ id }).update({ name })) > 0;
  }

  /** Name, kind and feedback target; fields left undefined stay as they are. */
  async update(id: number, patch: { name?: string; kind?: AreaKind; feedbackTargetMinutes?: number | null }): Promise<boolean> {
    const row: Record<string, unknown> = {};
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.kind !== undefined) row.kind = patch.kind;
    if (patch.feedbackTargetMinutes !== undefined) row.feedback_target_minutes = patch.feedbackTargetMinutes;
    if (!Object.keys(row).length) return (await this.get(id)) !== undefined;
    return (await this.db('areas').where({ id }).update(row)) > 0;
  }

  /** The area and all areas under it, for "everything in this hamlet". */
  async descendantIds(rootId: number): Promise<number[]> {
    const all = await this.list();
    const ids = new Set([rootId]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const a of all)
        if (a.parentId !== null && ids.has(a.parentId) && !ids.has(a.id)) {
          ids.add(a.id);
          grew = true;
        }
    }
    return [...ids];
  }

  /** Members of these areas (one row per area and member), by name. */
  async members(areaIds: readonly number[]): Promise<(AreaMember & { areaId: number })[]> {
    if (!areaIds.length) return [];
    const rows = (await this.db('user_areas')
      .join('users', 'users.id', 'user_areas.user_id')
      .whereIn('user_areas.area_id', areaIds)
      .select('user_areas.area_id', 'user_areas.user_id', 'user_areas.member_role', 'users.username', 'users.display_name')
      .orderBy('users.display_name')) as Record<string, unknown>[];
    return rows.map((r) => ({
      areaId: Number(r.area_id),
      userId: Number(r.user_id),
      username: String(r.username),
      displayName: String(r.display_name),
      memberRole: r.member_role as MemberRole,
    }));
  }

  /** Adds the user to the area, or changes what they are in it. */
  async setMember(areaId: number, userId: number, memberRole: MemberRole): Promise<void> {
    const updated = await this.db('user_areas').where({ area_id: areaId, user_id: userId }).update({ member_role: memberRole });
    if (!updated) await this.db('user_areas').insert({ area_id: areaId, user_id: userId, member_role: memberRole });
  }

  async removeMember(areaId: number, userId: number): Promise<boolean> {
    return (await this.db('user_areas').where({ area_id: areaId, user_id: userId }).delete()) > 0;
  }
}
