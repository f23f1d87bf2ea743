import type { Actor } from '../auth/access.scope.js';
import type { ClipExporter } from '../clips/clip.export.js';
import { CLOSED_REPORT_STATES, REPORT_TRANSITIONS, type ReportMessage, type ReportNoteVisibility, type ReportState } from '../domain/report.js';
import { clipView } from '../events/event.view.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { CameraRecord } from '../store/camera.repository.js';
import type { ReportRecord } from '../store/report.repository.js';
import type { Repositories, Store } from '../store/store.js';
import { reportAnswered } from './report.notify.js';
import type { ReportService } from './report.service.js';

/** Footage around a report: 5 minutes either side of when it happened. */
export const FOOTAGE_MARGIN_MS = 5 * 60_000;

export interface ReportTriageDeps {
  store: Pick<Store, 'transaction'> & Pick<Repositories, 'reports' | 'areas' | 'users' | 'cameras' | 'recordings' | 'clips'>;
  reports: Pick<ReportService, 'get' | 'view' | 'publisher'>;
  exporter: Pick<ClipExporter, 'exportRange'>;
  clock: Clock;
  /** Cameras this close to a report with a position count as nearby even in another area. */
  nearbyRadiusM: number;
}

export interface StateChange {
  state?: ReportState;
  /** A police officer or admin to handle it; null clears the assignment. */
  assigneeId?: number | null;
}

const metres = (a: { lat: number; lon: number }, b: { lat: number; lon: number }) => {
  const rad = Math.PI / 180;
  const x = (b.lon - a.lon) * rad * Math.cos(((a.lat + b.lat) / 2) * rad);
  return Math.hypot(x, (b.lat - a.lat) * rad) * 6_371_000;
};

/** The police side of a report: state changes, assignment, notes, nearby footage and evidence. */
export class ReportTriage {
  constructor(private readonly d: ReportTriageDeps) {}

  async change(id: number, c: StateChange, actor: Actor): Promise<ReportMessage> {
    const now = this.d.clock.now();
    if (c.assigneeId !== undefined && c.assigneeId !== null) await this.checkAssignee(c.assigneeId);
    const before = await this.d.store.transaction(async (tx) => {
      const r = await tx.reports.get(id);
      if (!r) throw new AppError('not_found', `report ${id} not found`, 404);
      if (c.state !== undefined && c.state !== r.state) {
        if (!REPORT_TRANSITIONS[r.state].includes(c.state))
          throw new AppError('report_transition', `state: a report that is ${r.state} cannot become ${c.state}`, 409, {
            field: 'state',
            params: { from: r.state, to: c.state },
          });
        await tx.reports.update(id, { state: c.state, ...(CLOSED_REPORT_STATES.includes(c.state) ? { closedAt: now } : {}) }, now);
        const step = await tx.reports.addHistory(id, r.state, c.state, actor.userId, now);
        if (r.reporterId !== null) await tx.outbox.enqueue(reportAnswered({ ...r, state: c.state }, r.reporterId, { key: `h${step}` }, now));
      }
      if (c.assigneeId !== undefined) await tx.reports.update(id, { assigneeId: c.assigneeId }, now);
      return r;
    });
    return this.publish(id, c.state !== undefined && c.state !== before.state);
  }

  async note(id: number, n: { body: string; visibility: ReportNoteVisibility }, actor: Actor): Promise<ReportMessage> {
    const r = await this.d.reports.get(id);
    const now = this.d.clock.now();
    await this.d.store.transaction(async (tx) => {
      const note = await tx.reports.addNote({ reportId: id, userId: actor.userId, visibility: n.visibility, body: n.body }, now);
      if (n.visibility === 'public' && r.reporterId !== null)
        await tx.outbox.enqueue(reportAnswered(r, r.reporterId, { key: `n${note.id}`, note: n.body }, now));
    });
    return this.publish(id, n.visibility === 'public');
  }

  /** Cameras of the report's area (and those under it), plus those within the radius when positions are known. */
  async nearbyCameras(r: ReportRecord): Promise<CameraRecord[]> {
    const inArea = await this.d.store.cameras.list({ areaIds: await this.d.store.areas.descendantIds(r.areaId) });
    if (r.latitude === null || r.longitude === null) return inArea;
    const here = { lat: r.latitude, lon: r.longitude };
    const near = (await this.d.store.cameras.list()).filter(
      (c) => c.latitude !== null && c.longitude !== null && metres(here, { lat: c.latitude, lon: c.longitude }) <= this.d.nearbyRadiusM,
    );
    return [...new Map([...inArea, ...near].map((c) => [c.id, c])).values()];
  }

  /** Per nearby camera: how much of the window is recorded and the clips in it (playable at once). */
  async footage(id: number) {
    const r = await this.d.reports.get(id);
    const from = r.occurredAt - FOOTAGE_MARGIN_MS;
    const to = r.occurredAt + FOOTAGE_MARGIN_MS;
    const cameras = await this.nearbyCameras(r);
    const items = await Promise.all(
      cameras.map(async (c) => {
        const segs = await this.d.store.recordings.overlapping(c.id, from, to);
        const recordedMs = segs.reduce((sum, s) => sum + Math.max(0, Math.min(s.endAt, to) - Math.max(s.startAt, from)), 0);
        const clips = await this.d.store.clips.list({ cameraId: c.id, from, to }, { all: true }, { limit: 20, offset: 0, sort: 'startAt', order: 'asc' });
        return { cameraId: c.id, cameraName: c.name, areaId: c.areaId, recordedMs, clips: clips.items.map(clipView) };
      }),
    );
    return { from, to, cameras: items };
  }

  /**
   * Attaches a nearby camera's footage of the window as evidence: an export (pinned, hashed,
   * with a manifest, audited by the exporter) linked to the report.
   */
  async attach(id: number, cameraId: number, actor: Actor) {
    const r = await this.d.reports.get(id);
    if (!(await this.nearbyCameras(r)).some((c) => c.id === cameraId))
      throw new AppError('camera_not_nearby', `cameraId: camera ${cameraId} is not near this report`, 400, { field: 'cameraId' });
    const now = this.d.clock.now();
    const to = Math.min(r.occurredAt + FOOTAGE_MARGIN_MS, now);
    const out = await this.d.exporter.exportRange({ cameraId, from: r.occurredAt - FOOTAGE_MARGIN_MS, to, reason: `Tin báo ${r.ref}` }, actor);
    await this.d.store.reports.addEvidence(id, out.clip.id, actor.userId, now);
    await this.publish(id, false);
    return { clip: clipView(out.clip), manifest: out.manifest };
  }

  private async checkAssignee(userId: number): Promise<void> {
    const u = await this.d.store.users.get(userId);
    if (!u || u.disabled || !u.roles.some((role) => role === 'police' || role === 'admin'))
      throw new AppError('assignee_invalid', `assigneeId: user ${userId} is not an active police officer`, 400, { field: 'assigneeId' });
  }

  private async publish(id: number, publicChange: boolean): Promise<ReportMessage> {
    const r = await this.d.reports.get(id);
    const full = await this.d.reports.view(r, true);
    this.d.reports.publisher?.updated(full, await this.d.reports.view(r, false), r.reporterId, publicChange);
    return full;
  }
}
