import { AppError, notFound } from '../shared/errors.js';
import type { Visibility } from '../store/camera.repository.js';
import type { ClipFilter, ClipRecord, ClipSort } from '../store/clip.repository.js';
import type { AccessScope, Page } from '../store/event.repository.js';
import type { Repositories } from '../store/store.js';
import { clipView } from '../events/event.view.js';
import type { ClipCache } from './clip.cache.js';

/** Reading clips and what access to one depends on: its event's area and visibility (exports: internal). */
export class ClipQuery {
  constructor(
    private readonly repos: Pick<Repositories, 'clips' | 'events' | 'cameras'>,
    private readonly o: { cache?: Pick<ClipCache, 'get'>; posterAtS?: number; onPinned?: (c: ClipRecord) => void } = {},
  ) {}

  async get(id: number): Promise<ClipRecord> {
    const c = await this.repos.clips.get(id);
    if (!c) throw notFound('clip', id);
    return c;
  }

  async audienceOf(c: ClipRecord): Promise<{ areaId: number | null; visibility: Visibility }> {
    const ev = c.eventId !== null ? await this.repos.events.get(c.eventId) : undefined;
    if (ev) return { areaId: ev.areaId, visibility: ev.visibility };
    const cam = await this.repos.cameras.getIncludingRemoved(c.cameraId);
    return { areaId: cam?.areaId ?? null, visibility: 'internal' };
  }

  async list(f: ClipFilter, scope: AccessScope, page: Page<ClipSort>) {
    const { items, total } = await this.repos.clips.list(f, scope, page);
    return { items: items.map(clipView), total, limit: page.limit, offset: page.offset };
  }

  /**
   * The relative path of a clip's file, or the reason it cannot be served: still being
   * prepared (409), could not be made (404 with the reason, e.g. range_not_kept), removed by
   * retention (404 clip_deleted). A clip without a file of its own is cut from the recording
   * now (cached), or 404 range_not_kept when retention already removed that recording.
   */
  async mediaPath(c: ClipRecord, which: 'video' | 'poster' | 'manifest'): Promise<string> {
    if (c.deletedAt !== null) {
      throw new AppError('clip_deleted', `clip ${c.id} was removed by retention; its record and SHA-256 are kept`, 404, {
        params: { id: c.id, reason: 'retention', sha256: c.sha256 },
      });
    }
    if (c.state === 'failed') {
      throw new AppError(
        c.error === 'range_not_kept' ? 'range_not_kept' : 'clip_failed',
        `clip ${c.id} could not be made: ${c.error ?? 'unknown error'}`,
        404,
        { params: { id: c.id, reason: c.error } },
      );
    }
    if (c.state === 'pending') throw new AppError('clip_not_ready', `clip ${c.id} is still being prepared`, 409, { params: { id: c.id } });
    const rel = which === 'video' ? c.path : which === 'poster' ? c.posterPath : c.manifestPath;
    if (rel) return rel;
    if (which !== 'manifest' && c.path === null && this.o.cache) return this.o.cache.get(c, which, this.o.posterAtS ?? 0);
    throw new AppError('no_media', `clip ${c.id} has no ${which}`, 404, { params: { id: c.id, which } });
  }

  async setPinned(id: number, pinned: boolean): Promise<ClipRecord> {
    const c = await this.get(id);
    await this.repos.clips.update(id, { pinned });
    if (pinned && c.state === 'ready' && c.path === null) this.o.onPinned?.({ ...c, pinned });
    return { ...c, pinned };
  }
}
