import { accessFor, areaChain } from '../auth/access.policy.js';
import type { Actor } from '../auth/access.scope.js';
import type { Principal } from '../auth/authorize.js';
import type { AnnouncementMessage } from '../domain/report.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { Repositories, Store } from '../store/store.js';
import { announced } from './report.notify.js';

export interface AnnouncementPublisher {
  /** To everyone who may read it: the area's and every area's under it. */
  announced(msg: AnnouncementMessage, areaIds: number[]): void;
}

export interface AnnouncementServiceDeps {
  store: Pick<Store, 'transaction'> & Pick<Repositories, 'announcements' | 'areas'>;
  clock: Clock;
}

/** Area announcements: police post to an area; its residents (and those of the areas under it) read them. */
export class AnnouncementService {
  publisher: AnnouncementPublisher | undefined;
  constructor(private readonly d: AnnouncementServiceDeps) {}

  /** What a reader sees: announcements of their areas, of the areas under them and of the areas above (the commune's reach everyone). Null: all. */
  async visibleAreas(p: Principal): Promise<number[] | null> {
    if (accessFor(p, 'announcement.list') === 'allow') return null;
    const all = await this.d.store.areas.list();
    return [...new Set([...(p.areaScope ?? p.areaIds), ...p.areaIds.flatMap((id) => areaChain(all, id))])];
  }

  async list(p: Principal, page: { limit: number; offset: number }) {
    return this.d.store.announcements.list(await this.visibleAreas(p), p.userId ?? 0, page);
  }

  async markAllRead(p: Principal): Promise<{ marked: number }> {
    if (p.userId === undefined) return { marked: 0 };
    return { marked: await this.d.store.announcements.markAllRead(await this.visibleAreas(p), p.userId, this.d.clock.now()) };
  }

  async post(a: { areaId: number; title: string; body: string }, actor: Actor): Promise<AnnouncementMessage> {
    const area = await this.d.store.areas.get(a.areaId);
    if (!area) throw new AppError('area_unknown', `areaId: area ${a.areaId} does not exist`, 400, { field: 'areaId' });
    const now = this.d.clock.now();
    const reach = await this.d.store.areas.descendantIds(a.areaId);
    // The announcement and its notification (phones, Zalo) stand or fall together.
    const id = await this.d.store.transaction(async (tx) => {
      const created = await tx.announcements.create({ ...a, authorId: actor.userId }, now);
      await tx.outbox.enqueue(announced({ id: created, ...a }, reach, now));
      return created;
    });
    const { items } = await this.d.store.announcements.list([a.areaId], actor.userId ?? 0, { limit: 50, offset: 0 });
    const msg = { ...items.find((x) => x.id === id)!, read: false };
    this.publisher?.announced(msg, reach);
    return msg;
  }
}
