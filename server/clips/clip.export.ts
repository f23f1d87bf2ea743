import path from 'node:path';
import { AppError, notFound } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { ClipRecord } from '../store/clip.repository.js';
import type { Recording } from '../store/recording.repository.js';
import type { CameraRecord } from '../store/camera.repository.js';
import type { Repositories } from '../store/store.js';
import type { Actor } from '../auth/access.scope.js';
import type { Clock } from '../shared/clock.js';
import type { MediaFiles } from '../shared/media.files.js';
import { clipPaths, type ClipProducer } from './clip.producer.js';
import type { AuditFn } from './clip.types.js';
import { gapsIn } from './clip.ranges.js';
import { isServerStopping, PRIORITY, type ClipWorkQueue } from './clip.work.queue.js';

export interface ExportRequest {
  cameraId: number;
  from: number;
  to: number;
  /** Why (case number, request from …): part of the manifest and the audit entry. */
  reason: string;
}

export interface ExportManifest {
  format: 'binhyen-export/1';
  clipId: number;
  camera: { id: number; name: string; areaId: number | null; address: string | null };
  range: { from: number; to: number; fromIso: string; toIso: string };
  file: string;
  sha256: string;
  bytes: number;
  durationS: number;
  exportedBy: { userId: number | null; username: string | null; ip: string | null };
  exportedAt: number;
  exportedAtIso: string;
  reason: string;
  /** Camera outages inside the range: the video jumps over them (issue 19 item 8). */
  gaps: { from: number; to: number; fromIso: string; toIso: string }[];
}

export interface ClipExporterDeps {
  repos: Pick<Repositories, 'clips' | 'cameras' | 'recordings' | 'users'>;
  producer: Pick<ClipProducer, 'produce' | 'fail'>;
  files: Pick<MediaFiles, 'writeAtomic'>;
  audit: AuditFn;
  queue: ClipWorkQueue;
  clock: Clock;
  log: Logger;
  /** Longest range one export may cover. */
  maxRangeMs: number;
}

/**
 * Evidence export: any range still kept, as MP4 plus a JSON manifest naming the camera, the
 * range, the file's SHA-256, who exported it, when and why. Exports are pinned (retention
 * never removes them) and recorded in the audit log. An export a server stop cut short stays
 * pending (its row is written first) and is finished at the next start (`recover`).
 */
export class ClipExporter {
  constructor(private readonly d: ClipExporterDeps) {}

  async exportRange(req: ExportRequest, actor: Actor): Promise<{ clip: ClipRecord; manifest: ExportManifest }> {
    const now = this.d.clock.now();
    this.validate(req, now);
    const camera = await this.d.repos.cameras.getIncludingRemoved(req.cameraId);
    if (!camera) throw notFound('camera', req.cameraId);
    await this.assertKept(req);
    const pending = await this.d.repos.clips.create(
      { cameraId: req.cameraId, eventId: null, kind: 'export', startAt: req.from, endAt: req.to, pinned: true, reason: req.reason, createdBy: actor.userId },
      now,
    );
    try {
      return await this.d.queue.run(PRIORITY.export, (signal) => this.complete(pending, camera, actor, signal));
    } catch (err) {
      if (isServerStopping(err))
        throw new AppError('server_stopping', 'the server is stopping; the export is kept and finishes when the server is back', 503, {
          params: { clipId: pending.id },
        });
      await this.d.producer.fail(pending, err);
      if (err instanceof AppError) throw err;
      this.d.log.error('export failed', { clipId: pending.id, err });
      throw new AppError('export_failed', 'the clip could not be cut; the server log says why', 500, { params: { clipId: pending.id } });
    }
  }

  /** At start: finishes the exports a stop (or a crash) left pending, one after another, behind whoever waits. */
  async recover(): Promise<number> {
    const pending = (await this.d.repos.clips.listPending()).filter((c) => c.kind === 'export');
    for (const clip of pending) void this.resume(clip);
    return pending.length;
  }

  private async resume(clip: ClipRecord): Promise<void> {
    try {
      const camera = await this.d.repos.cameras.getIncludingRemoved(clip.cameraId);
      if (!camera) throw notFound('camera', clip.cameraId);
      // Who asked is known by id; the address of the request that started it is not kept.
      const user = clip.createdBy === null ? undefined : await this.d.repos.users.get(clip.createdBy);
      const actor: Actor = { userId: clip.createdBy, username: user?.username ?? null, ip: null };
      await this.d.queue.run(PRIORITY.background, (signal) => this.complete(clip, camera, actor, signal, true));
    } catch (err) {
      if (isServerStopping(err)) return;
      this.d.log.error('interrupted export could not be finished', { clipId: clip.id, err });
      await this.d.producer.fail(clip, err).catch((e: unknown) => this.d.log.error('could not record export failure', { clipId: clip.id, err: e }));
    }
  }

  /** Cut, manifest, row, audit entry: the export's evidence, made once its row exists. */
  private async complete(
    pending: ClipRecord,
    camera: CameraRecord,
    actor: Actor,
    signal: AbortSignal,
    resumed = false,
  ): Promise<{ clip: ClipRecord; manifest: ExportManifest }> {
    const req = { cameraId: pending.cameraId, from: pending.startAt, to: pending.endAt, reason: pending.reason ?? '' };
    const gaps = gapsIn(await this.assertKept(req), req.from, req.to);
    const clip = await this.d.producer.produce(pending, 0, signal);
    const now = this.d.clock.now();
    const manifest: ExportManifest = {
      format: 'binhyen-export/1',
      clipId: clip.id,
      camera: { id: camera.id, name: camera.name, areaId: camera.areaId, address: camera.address },
      range: { from: req.from, to: req.to, fromIso: new Date(req.from).toISOString(), toIso: new Date(req.to).toISOString() },
      file: path.basename(clip.path!),
      sha256: clip.sha256!,
      bytes: clip.bytes!,
      durationS: (clip.durationMs ?? 0) / 1000,
      exportedBy: { userId: actor.userId, username: actor.username, ip: actor.ip },
      exportedAt: now,
      exportedAtIso: new Date(now).toISOString(),
      reason: req.reason,
      gaps: gaps.map(([from, to]) => ({ from, to, fromIso: new Date(from).toISOString(), toIso: new Date(to).toISOString() })),
    };
    const manifestPath = clipPaths(clip).manifest;
    await this.d.files.writeAtomic(manifestPath, Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
    await this.d.repos.clips.update(clip.id, { manifestPath, gaps });
    await this.d.audit({
      action: 'clip.export',
      userId: actor.userId,
      username: actor.username,
      ip: actor.ip,
      resourceType: 'clip',
      resourceId: String(clip.id),
      detail: {
        cameraId: camera.id,
        from: req.from,
        to: req.to,
        sha256: manifest.sha256,
        bytes: manifest.bytes,
        reason: req.reason,
        ...(resumed ? { resumedAfterRestart: true } : {}),
      },
    });
    this.d.log.info(resumed ? 'interrupted export finished' : 'clip exported', { clipId: clip.id, cameraId: camera.id, bytes: manifest.bytes });
    return { clip: { ...clip, manifestPath, gaps }, manifest };
  }

  private validate(req: ExportRequest, now: number): void {
    if (req.to <= req.from) throw new AppError('invalid_range', 'the range must end after it starts', 400, { field: 'body.to' });
    if (req.to - req.from > this.d.maxRangeMs) {
      throw new AppError('range_too_long', `an export covers at most ${Math.round(this.d.maxRangeMs / 60_000)} minutes`, 400, {
        field: 'body.to',
        params: { maxMinutes: Math.round(this.d.maxRangeMs / 60_000) },
      });
    }
    if (req.to > now) throw new AppError('range_in_future', 'the range must have ended already', 400, { field: 'body.to' });
  }

  /** A clear 404 when retention already removed the range (or nothing was ever recorded then). */
  private async assertKept(req: ExportRequest): Promise<Recording[]> {
    const segs = await this.d.repos.recordings.overlapping(req.cameraId, req.from, req.to);
    if (segs.length) return segs;
    const earliest = await this.d.repos.recordings.earliestStart(req.cameraId);
    throw new AppError(
      'range_not_kept',
      earliest === undefined
        ? `camera ${req.cameraId} has no recording kept`
        : `nothing recorded in that range; recordings are kept from ${new Date(earliest).toISOString()}`,
      404,
      {
        params: { cameraId: req.cameraId, earliestKept: earliest ?? null },
      },
    );
  }
}
