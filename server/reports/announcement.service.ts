import { randomBytes } from 'node:crypto';
import { accessFor, areaChain } from '../auth/access.policy.js';
import type { Actor } from '../auth/access.scope.js';
import type { Principal } from '../auth/authorize.js';
import type { AnnouncementMessage } from '../domain/report.js';
import type { Clock } from '../shared/clock.js';
import { AppError, notFound } from '../shared/errors.js';
import type { MediaFiles } from '../shared/media.files.js';
import type { Repositories, Store } from '../store/store.js';
import { announced } from './report.notify.js';
import { checkPhotos, type ImageDecodes, type UploadedPhoto } from './report.photos.js';

export interface AnnouncementPublisher {
  /** To everyone who may read it: the area's and every area's under it. */
  announced(msg: AnnouncementMessage, areaIds: number[]): void;
}

export interface AnnouncementServiceDeps {
  store: Pick<Store, 'transaction'> & Pick<Repositories, 'announcements' | 'areas'>;
  clock: Clock;
  /** For the optional photo: checked like a report's (type by bytes, full decode, metadata stripped). */
  photos?: { files: Pick<MediaFiles, 'writeAtomic' | 'remove'>; decodes: ImageDecodes; maxBytes: number };
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

  /** The areas an announcement reaches: its own and every area under it. */
  reach(areaId: number): Promise<number[]> {
    return this.d.store.areas.descendantIds(areaId);
  }

  /** An announcement's photo, with the areas it reaches (the caller decides who may see it). */
  async photo(id: number): Promise<{ areaId: number; reach: number[]; path: string; mime: string }> {
    const a = await this.d.store.announcements.get(id);
    if (!a?.photo) throw notFound('announcement photo', id);
    return { areaId: a.areaId, reach: await this.reach(a.areaId), ...a.photo };
  }

  async post(a: { areaId: number; title: string; body: string }, actor: Actor, photo?: UploadedPhoto): Promise<AnnouncementMessage> {
    const area = await this.d.store.areas.get(a.areaId);
    if (!area) throw new AppError('area_unknown', `areaId: area ${a.areaId} does not exist`, 400, { field: 'areaId' });
    const now = this.d.clock.now();
    const reach = await this.reach(a.areaId);
    const stored = photo ? await this.storePhoto(photo, now) : null;
    try {
      // The announcement and its notification (phones, Zalo) stand or fall together.
      const id = await this.d.store.transaction(async (tx) => {
        const created = await tx.announcements.create({ ...a, authorId: actor.userId, photo: stored }, now);
        await tx.outbox.enqueue(announced({ id: created, ...a }, reach, now));
        return created;
      });
      return await this.published(id, a.areaId, actor, reach);
    } catch (err) {
      if (stored) await this.d.photos?.files.remove(stored.path).catch(() => undefined);
      throw err;
    }
  }

  private async storePhoto(photo: UploadedPhoto, now: number): Promise<{ path: string; mime: string }> {
    const p = this.d.photos;
    if (!p) throw new AppError('validation', 'photo: photos are not taken here', 400, { field: 'photo' });
    const [checked] = await checkPhotos([photo], { maxBytes: p.maxBytes, keepLocation: false, decodes: p.decodes });
    const rel = `announcements/${new Date(now).toISOString().slice(0, 7)}/${randomBytes(12).toString('hex')}.${checked!.ext}`;
    await p.files.writeAtomic(rel, checked!.data);
    return { path: rel, mime: checked!.mime };
  }

  private async published(id: number, areaId: number, actor: Actor, reach: number[]): Promise<AnnouncementMessage> {
    const { items } = await this.d.store.announcements.list([areaId], actor.userId ?? 0, { limit: 50, offset: 0 });
    const msg = { ...items.find((x) => x.id === id)!, read: false };
    this.publisher?.announced(msg, reach);
    return msg;
  }
}
