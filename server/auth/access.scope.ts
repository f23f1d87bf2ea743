import type { Principal } from './authorize.js';
import type { AccessScope } from '../store/event.repository.js';
import type { Visibility } from '../store/camera.repository.js';

/**
 * Which events, alerts and clips a principal may list. Lists filter in SQL with this; single
 * things are also checked by the policy through authorize() with a ResourceRef that carries
 * their area and visibility.
 */
export type ScopeOf = (principal: Principal) => AccessScope;

const FULL_ROLES = new Set(['admin', 'police']);

/** Police and admins see everything; anyone else only what was shared with their areas (and the areas below them). */
export const defaultScopeOf: ScopeOf = (p) =>
  p.kind === 'loopback' || p.roles.some((r) => FULL_ROLES.has(r)) ? { all: true } : { all: false, areaIds: p.areaScope ?? p.areaIds };

export function inScope(scope: AccessScope, thing: { areaId: number | null; visibility: Visibility }): boolean {
  if (scope.all) return true;
  return thing.visibility === 'shared' && thing.areaId !== null && scope.areaIds.includes(thing.areaId);
}

/** Who did something, as recorded in alert history, notes, comments and the audit log. */
export interface Actor {
  userId: number | null;
  username: string | null;
  ip: string | null;
}
export const actorOf = (p: Principal): Actor => ({ userId: p.userId ?? null, username: p.username ?? null, ip: p.ip || null });
