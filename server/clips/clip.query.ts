import { AppError, notFound } from '../shared/errors.js';
import type { Visibility } from '../store/camera.repository.js';
import type { ClipFilter, ClipRecord, ClipSort } from '../store/clip.repository.js';
import type { AccessScope, Page } from '../store/event.repository.js';
import type { Repositories } from '../store/store.js';
import { clipView } from '../events/event.view.js';

/** Reading clips and what access to one depends on: its event's area and visibility (exports: internal). */
export class ClipQuery {
  constructor(private readonly repos: Pick<Repositories, 'clips' | 'events' | 'cameras'>) {}

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
   * The relative path of a clip's file, or the reason it cannot be served: still being cut
   * (409), could not be cut (404 with the cutter's code, e.g. range_not_kept), removed by
   * retention (404 clip_deleted).
   */
  mediaPath(c: ClipRecord, which: 'video' | 'poster' | 'manifest'): string {
    if (c.deletedAt !== null) {
      throw new AppError('clip_deleted', `clip ${c.id} was removed by retention; its record and SHA-256 are kept`, 404, { params: { id: c.id, reason: 'retention', sha256: c.sha256 } });
    }
    if (c.state === 'failed') {
      throw new AppError(c.error === 'range_not_kept' ? 'range_not_kept' : 'clip_failed', `clip ${c.id} could not be made: ${c.error ?? 'unknown error'}`, 404, { params: { id: c.id, reason: c.error } });
    }
    if (c.state === 'pending') throw new AppError('clip_not_ready', `clip ${c.id} is still being prepared`, 409, { params: { id: c.id } });
    const rel = which === 'video' ? c.path : which === 'poster' ? c.posterPath : c.manifestPath;
    if (!rel) throw new AppError('no_media', `clip ${c.id} has no ${which}`, 404, { params: { id: c.id, which } });
    return rel;
  }

  async setPinned(id: number, pinned: boolean): Promise<ClipRecord> {
    const c = await this.get(id);
    await this.repos.clips.update(id, { pinned });
    return { ...c, pinned };
  }
}
