import type { Executor } from './db.js';
import { insertReturningId } from './repository.util.js';

export const AREA_KINDS = ['commune', 'ward', 'hamlet', 'quarter', 'residents_group', 'boarding_house', 'parish', 'border_club'] as const;
export type AreaKind = (typeof AREA_KINDS)[number];

export interface Area {
  id: number;
  parentId: number | null;
  kind: AreaKind;
  name: string;
  createdAt: number;
}

interface AreaRow {
  id: number;
  parent_id: number | null;
  kind: AreaKind;
  name: string;
  created_at: number;
}
const toArea = (r: AreaRow): Area => ({ id: r.id, parentId: r.parent_id, kind: r.kind, name: r.name, createdAt: r.created_at });

export class AreaRepository {
  constructor(private readonly db: Executor) {}

  async create(a: { parentId: number | null; kind: AreaKind; name: string }, now = Date.now()): Promise<Area> {
    const id = await insertReturningId(this.db('areas'), { parent_id: a.parentId, kind: a.kind, name: a.name, created_at: now });
    return { id, ...a, createdAt: now };
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
}
