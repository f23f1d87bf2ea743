import { notFound } from '../shared/errors.js';
import type { AlertCatchUp, AlertCursor } from '../domain/socket.events.js';
import type { AlertFilter, AlertRecord, AlertSort } from '../store/alert.repository.js';
import type { AccessScope, Page } from '../store/event.repository.js';
import type { Repositories } from '../store/store.js';
import type { AlertViews } from './alert.view.js';
import { publicAlertMessage } from './alert.view.js';
import { authoredView } from './event.view.js';
import type { Clock } from '../shared/clock.js';

export type AlertQueryInput = Omit<AlertFilter, 'areaIds'> & { areaId?: number };

export const CATCH_UP_MAX = 500;

/** Reading alerts: lists, one alert with its history and notes, and the reconnect catch-up. */
export class AlertQuery {
  constructor(private readonly d: { repos: Pick<Repositories, 'alerts' | 'notes' | 'areas'>; views: AlertViews; clock: Clock }) {}

  async list(q: AlertQueryInput, scope: AccessScope, page: Page<AlertSort>) {
    const { areaId, ...rest } = q;
    const filter: AlertFilter = { ...rest, ...(areaId !== undefined ? { areaIds: await this.d.repos.areas.descendantIds(areaId) } : {}) };
    const { items, total } = await this.d.repos.alerts.list(filter, scope, page);
    const views = await this.d.views.many(items);
    return { items: scope.all ? views : views.map(publicAlertMessage), total, limit: page.limit, offset: page.offset };
  }

  async get(id: number): Promise<AlertRecord> {
    const a = await this.d.repos.alerts.get(id);
    if (!a) throw notFound('alert', id);
    return a;
  }

  /** One alert with its history and notes; `full` = police view (residents see no user ids). */
  async detail(id: number, full: boolean, viewerId: number | null = null) {
    const a = await this.get(id);
    const [view, history, notes] = await Promise.all([this.d.views.one(a), this.d.repos.alerts.history(id), this.d.repos.notes.forAlert(id, !full)]);
    return {
      alert: full ? view : publicAlertMessage(view),
      history: full ? history : history.map((h) => ({ ...h, userId: null, note: null })),
      notes: notes.map((n) => authoredView(n, full, viewerId)),
    };
  }

  /**
   * Everything a reconnecting client missed, answered from the database (so it survives
   * server restarts): alerts after its last id, and older ones changed since its last catch-up.
   */
  async catchUp(cursor: AlertCursor, scope: AccessScope): Promise<AlertCatchUp> {
    const serverTime = this.d.clock.now();
    const afterId = Math.max(0, Math.floor(cursor.afterId ?? 0));
    const limit = Math.min(Math.max(1, Math.floor(cursor.limit ?? 200)), CATCH_UP_MAX);
    const fresh = await this.d.repos.alerts.since(afterId, scope, limit + 1);
    const more = fresh.length > limit;
    const page = fresh.slice(0, limit);
    const changed = cursor.changedSince !== undefined ? await this.d.repos.alerts.changedSince(cursor.changedSince, afterId, scope, CATCH_UP_MAX) : [];
    const shape = (xs: AlertRecord[]) => this.d.views.many(xs).then((v) => (scope.all ? v : v.map(publicAlertMessage)));
    return {
      alerts: await shape(page),
      changed: await shape(changed),
      lastId: page.length ? page[page.length - 1]!.id : afterId,
      more,
      serverTime,
    };
  }
}
