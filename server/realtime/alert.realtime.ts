import type { Authorizer, Principal } from '../auth/authorize.js';
import type { ScopeOf } from '../auth/access.scope.js';
import type { AlertPublisher } from '../events/alert.publisher.js';
import type { AlertQuery } from '../events/alert.query.js';
import { publicAlertMessage } from '../events/alert.view.js';
import type { Visibility } from '../store/camera.repository.js';
import type { AlertMessage } from '../domain/socket.events.js';
import { onAuthorized, ROOMS, type AppIo, type AppSocket } from './socket.server.js';

type Audience = { visibility: Visibility; areaId: number | null };

/**
 * Which socket.io rooms hear about an alert: `full` rooms get everything (police), `public`
 * rooms the residents' view of a shared alert; `join` are the rooms a principal's socket may
 * enter. Replaceable so the auth area's room scheme can take over without touching this file.
 */
export interface AlertRooms {
  full(): string[];
  public(a: Audience): Promise<string[]> | string[];
  join(p: Principal, scopeOf: ScopeOf): string[];
}

/** ROOMS of socket.server.ts: the police room, and the room of the camera's area. */
export const defaultAlertRooms: AlertRooms = {
  full: () => [ROOMS.police],
  public: (a) => (a.visibility === 'shared' && a.areaId !== null ? [ROOMS.area(a.areaId)] : []),
  join: (p, scopeOf) => {
    const scope = scopeOf(p);
    return scope.all ? [ROOMS.police] : scope.areaIds.map((id) => ROOMS.area(id));
  },
};

/**
 * Pushes alerts: every alert to the full rooms, an alert of a shared event also to its area's
 * rooms without internal detail. Rooms that may no longer see an alert (unshared) are told
 * to drop it; rooms that just gained it get it as new.
 */
export class AlertRealtime implements AlertPublisher {
  constructor(
    private readonly io: AppIo,
    private readonly rooms: AlertRooms = defaultAlertRooms,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  created(alert: AlertMessage): void {
    const full = this.rooms.full();
    if (full.length) this.io.to(full).emit('alert:new', alert);
    this.emitPublic(alert, undefined).catch(this.onError);
  }

  updated(alert: AlertMessage, before: Audience): void {
    const full = this.rooms.full();
    if (full.length) this.io.to(full).emit('alert:updated', alert);
    this.emitPublic(alert, before).catch(this.onError);
  }

  private async emitPublic(alert: AlertMessage, before: Audience | undefined): Promise<void> {
    const now = new Set(await this.rooms.public(alert));
    const was = new Set(before ? await this.rooms.public(before) : []);
    const full = this.rooms.full();
    // Every emit below names at least one room: io.to([]) would reach every socket.
    const lost = [...was].filter((r) => !now.has(r));
    const kept = [...now].filter((r) => was.has(r));
    const gained = [...now].filter((r) => !was.has(r));
    const view = publicAlertMessage(alert);
    if (lost.length)
      this.io
        .to(lost)
        .except([...full, ...now])
        .emit('alert:withdrawn', { id: alert.id });
    if (kept.length) this.io.to(kept).except(full).emit('alert:updated', view);
    if (gained.length)
      this.io
        .to(gained)
        .except([...full, ...kept])
        .emit('alert:new', view);
  }
}

/**
 * The client events of alerts. `alerts:subscribe` joins the rooms first and reads the
 * database second, so an alert raised in between arrives at least once (live, or in the
 * answer; clients de-duplicate by id). Call it on every (re)connect: rooms do not survive one.
 */
export function registerAlertSocketHandlers(
  socket: AppSocket,
  authorizer: Authorizer,
  d: { query: Pick<AlertQuery, 'catchUp'>; scopeOf: ScopeOf; rooms?: AlertRooms },
): void {
  const rooms = d.rooms ?? defaultAlertRooms;
  onAuthorized(socket, authorizer, 'alerts:subscribe', async (s, req, ack) => {
    await s.join(rooms.join(s.data.principal, d.scopeOf));
    ack({ ok: true, data: await d.query.catchUp(cursorOf(req), d.scopeOf(s.data.principal)) });
  });
  onAuthorized(socket, authorizer, 'alerts:since', async (s, req, ack) => {
    ack({ ok: true, data: await d.query.catchUp(cursorOf(req), d.scopeOf(s.data.principal)) });
  });
}

/** Socket payloads are untyped at run time: keep only finite, non-negative numbers. */
function cursorOf(req: unknown) {
  const r = (typeof req === 'object' && req !== null ? req : {}) as Record<string, unknown>;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
  return { afterId: n(r.afterId), changedSince: n(r.changedSince), limit: n(r.limit) };
}
