import { ACCESS_MATRIX, type Access, type Subject } from './access.matrix.js';
import { principalOf, type Action, type Authorizer, type Principal, type ResourceRef } from './authorize.js';

/**
 * The one policy. Role × action comes from the access matrix; what "own area" means for each
 * kind of thing is decided in withinOwnArea below and nowhere else. REST routes (authorize),
 * socket handlers (onAuthorized), realtime rooms and media serving all call
 * these functions.
 */

/** Whose columns of the matrix apply: the user's roles, or "anonymous". */
export function subjectsOf(p: Principal): Subject[] {
  return p.kind === 'user' && p.roles.length > 0 ? [...p.roles] : p.kind === 'user' ? [] : ['anonymous'];
}

/** The best access any of the principal's roles has to the action. */
export function accessFor(p: Principal, action: Action): Access {
  const row = ACCESS_MATRIX[action];
  if (!row) return 'deny';
  let best: Access = 'deny';
  for (const s of subjectsOf(p)) {
    const a = row.access[s];
    if (a === 'allow') return 'allow';
    if (a === 'own-area') best = 'own-area';
  }
  return best;
}

/** May the principal attempt the action at all (before looking at what it is done to)? */
export function mayAttempt(p: Principal, action: Action): boolean {
  return accessFor(p, action) !== 'deny';
}

// "Shared with residents": the thing itself, or the event it hangs on, was shared by the police.
function sharedWithArea(ref: ResourceRef): boolean {
  switch (ref.type) {
    case 'event':
    case 'clip':
    case 'alert':
      return ref.visibility === 'shared';
    case 'note':
      return ref.visibility === 'public' && ref.eventVisibility === 'shared';
    case 'comment':
      return ref.eventVisibility === 'shared';
    case 'area':
    case 'camera':
      return true;
    default:
      return false; // unknown kinds of thing are never "own area": fail closed
  }
}

function areaOf(ref: ResourceRef): number | null {
  if (ref.type === 'area') return typeof ref.id === 'number' ? ref.id : (ref.areaId ?? null);
  return typeof ref.areaId === 'number' ? ref.areaId : null;
}

/** The areas a subject's own-area right covers: a group leader's reports and posts are the groups they lead. */
function scopeOf(p: Principal, subject: Subject, action: Action): readonly number[] {
  const resource = ACCESS_MATRIX[action].resource;
  const leaderOnly = resource === 'report' || resource === 'group' || action === 'report.create' || action === 'announcement.create';
  if (subject === 'group_leader' && leaderOnly) return p.leadScope ?? [];
  return p.areaScope ?? p.areaIds;
}

/**
 * Own area: inside the user's areas (or under them) and, for footage and notes, shared. A camera
 * not yet assigned to an area counts as anyone's own (a technician registering it must be able
 * to finish); only technicians have own-area rights on cameras.
 */
export function withinOwnArea(p: Principal, ref: ResourceRef, scope: readonly number[] = p.areaScope ?? p.areaIds): boolean {
  const area = areaOf(ref);
  if (ref.type === 'camera' && ref.areaId === null) return true;
  // An announcement reaches its area and every area under it: the commune's reaches every hamlet.
  if (ref.type === 'announcement') return (area !== null && scope.includes(area)) || p.areaIds.some((id) => ref.reach?.includes(id) === true);
  if (area === null || !scope.includes(area)) return false;
  return sharedWithArea(ref);
}

/**
 * Reports: police (and admins) of the area and group leaders of the group see every report in
 * it; anyone else only their own, and a new one (no id yet) only in their own areas. Only a
 * group leader may file one for someone else.
 */
function reportWithin(p: Principal, subject: Subject, ref: ResourceRef, scope: readonly number[]): boolean {
  const area = areaOf(ref);
  const inScope = area !== null && scope.includes(area);
  if ((subject === 'police' || subject === 'admin' || subject === 'group_leader') && inScope) return true;
  if (ref.onBehalf) return false;
  const own = p.userId !== undefined && ref.ownerId === p.userId;
  return own && (ref.id !== undefined || inScope);
}

/**
 * May the principal perform `action` on `ref`? Without a ref, own-area access passes only for
 * list actions (the route must then filter with listScope); a single-thing action without a
 * ref is refused, so forgetting the resource resolver fails closed. With several roles, any
 * role whose own area holds the thing is enough.
 */
export function can(p: Principal, action: Action, ref?: ResourceRef): boolean {
  const access = accessFor(p, action);
  if (access === 'allow') return true;
  if (access === 'deny') return false;
  if (!ref) return ACCESS_MATRIX[action].collection;
  return subjectsOf(p).some((s) => {
    if (ACCESS_MATRIX[action].access[s] !== 'own-area') return false;
    const scope = scopeOf(p, s, action);
    return ref.type === 'report' ? reportWithin(p, s, ref, scope) : withinOwnArea(p, ref, scope);
  });
}

const READ_ACTION: Record<string, Action> = {
  camera: 'camera.read',
  event: 'event.read',
  clip: 'clip.read',
  alert: 'alert.read',
  note: 'note.list',
  comment: 'comment.list',
  user: 'user.read',
  area: 'area.list',
  audit: 'audit.list',
  report: 'report.read',
};

/** May the principal see this thing (read it, receive it over a socket, load its media)? */
export function canSee(p: Principal, ref: ResourceRef): boolean {
  const action = READ_ACTION[ref.type];
  return action !== undefined && can(p, action, ref);
}

/**
 * What a list may contain: everything, or only things shared with these areas (the user's areas
 * and everything under them). Same shape as AccessScope in event.repository.ts.
 */
export type ListScope = { all: true } | { all: false; areaIds: number[] };

export function listScope(p: Principal, listAction: Action): ListScope {
  const access = accessFor(p, listAction);
  if (access === 'allow') return { all: true };
  if (access === 'deny') return { all: false, areaIds: [] };
  const ids = subjectsOf(p).flatMap((s) => (ACCESS_MATRIX[listAction].access[s] === 'own-area' ? scopeOf(p, s, listAction) : []));
  return { all: false, areaIds: [...new Set(ids)].sort((a, b) => a - b) };
}

export const accessPolicy = (p: Principal, action: Action, ref?: ResourceRef): boolean => can(p, action, ref);

const CONCEALED = new Set(['event', 'clip', 'alert', 'note', 'comment', 'report']);

/** The authorizer the server uses: the matrix gate first, then the per-thing policy. */
export function createAccessAuthorizer(): Authorizer {
  // Residents (own-area on footage) get the same 404 for things of other areas, unshared things and
  // missing ones. A technician refused a camera of another area is told 403: cameras are no secret to staff.
  const conceal = (p: Principal, action: Action) => CONCEALED.has(ACCESS_MATRIX[action].resource) && accessFor(p, action) === 'own-area';
  return { policy: accessPolicy, gate: mayAttempt, principalOf, conceal };
}

/** The area ids in `roots` and every area under them. */
export function expandAreaScope(all: readonly { id: number; parentId: number | null }[], roots: readonly number[]): number[] {
  const ids = new Set(roots.filter((r) => all.some((a) => a.id === r)));
  let grew = true;
  while (grew) {
    grew = false;
    for (const a of all) {
      if (a.parentId !== null && ids.has(a.parentId) && !ids.has(a.id)) {
        ids.add(a.id);
        grew = true;
      }
    }
  }
  return [...ids].sort((x, y) => x - y);
}

/** The area and its ancestors up to the root, nearest first (cycles cut). */
export function areaChain(all: readonly { id: number; parentId: number | null }[], areaId: number): number[] {
  const byId = new Map(all.map((a) => [a.id, a]));
  const chain: number[] = [];
  let cur = byId.get(areaId);
  while (cur && !chain.includes(cur.id)) {
    chain.push(cur.id);
    cur = cur.parentId === null ? undefined : byId.get(cur.parentId);
  }
  return chain;
}
