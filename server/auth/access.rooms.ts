import { listScope, withinOwnArea, areaChain } from './access.policy.js';
import type { Action, Principal, ResourceRef } from './authorize.js';

/**
 * socket.io rooms derived from the policy, so an emit reaches exactly the sockets whose user
 * may see the thing. A socket joins roomsFor(principal) (nothing else grants a room); an emit
 * goes to audienceRooms(ref, chain). For each kind of thing T:
 *   `all:T`          — users whose list access to T is "allow" (police, admin; technicians for cameras)
 *   `area:<id>:T`    — users with own-area access assigned to area <id>; a thing shared in area X
 *                      goes to the rooms of X and of every area above X, so new sub-areas need no re-join.
 * `user:<id>` and `session:<hash prefix>` exist so revocation can disconnect that user's sockets.
 */
export const REALTIME_TYPES = ['camera', 'event', 'clip', 'alert', 'note', 'comment'] as const;
export type RealtimeType = (typeof REALTIME_TYPES)[number];

const LIST_ACTION: Record<RealtimeType, Action> = {
  camera: 'camera.list', event: 'event.list', clip: 'clip.list', alert: 'alert.list', note: 'note.list', comment: 'comment.list',
};

export const ROOM = {
  user: (userId: number) => `user:${userId}`,
  session: (sessionHash: string) => `session:${sessionHash.slice(0, 24)}`,
  all: (type: RealtimeType) => `all:${type}`,
  area: (areaId: number, type: RealtimeType) => `area:${areaId}:${type}`,
} as const;

/** Every room the principal's socket belongs in. */
export function roomsFor(p: Principal, types: readonly RealtimeType[] = REALTIME_TYPES): string[] {
  if (p.kind !== 'user' || p.userId === undefined) return [];
  const rooms = [ROOM.user(p.userId)];
  if (p.sessionHash) rooms.push(ROOM.session(p.sessionHash));
  for (const type of types) {
    const scope = listScope(p, LIST_ACTION[type]);
    if (scope.all) rooms.push(ROOM.all(type));
    else if (scope.areaIds.length > 0) rooms.push(...p.areaIds.map((a) => ROOM.area(a, type)));
  }
  return rooms;
}

export function mayJoin(p: Principal, room: string): boolean {
  return roomsFor(p).includes(room);
}

const isRealtimeType = (t: string): t is RealtimeType => (REALTIME_TYPES as readonly string[]).includes(t);

/**
 * Rooms an emit about `ref` goes to. `chain` is the thing's area and its ancestors (areaChain);
 * area rooms are added only when the thing passes the own-area rule (shared / public).
 */
export function audienceRooms(ref: ResourceRef, chain: readonly number[]): string[] {
  if (!isRealtimeType(ref.type)) return [];
  const rooms = [ROOM.all(ref.type)];
  const area = typeof ref.areaId === 'number' ? ref.areaId : null;
  // A principal scoped to the thing's own area is the strictest case of the own-area rule.
  const probe: Principal = { kind: 'user', ip: '', roles: [], areaIds: area === null ? [] : [area], areaScope: area === null ? [] : [area] };
  if (area !== null && withinOwnArea(probe, ref)) rooms.push(...chain.map((a) => ROOM.area(a, ref.type as RealtimeType)));
  return rooms;
}

/** Resolves area chains from the areas table, for emitting code. */
export class AudienceResolver {
  constructor(private readonly areas: { list(): Promise<{ id: number; parentId: number | null }[]> }) {}

  async roomsOf(ref: ResourceRef): Promise<string[]> {
    const chain = typeof ref.areaId === 'number' ? areaChain(await this.areas.list(), ref.areaId) : [];
    return audienceRooms(ref, chain);
  }
}
