import { randomBytes } from 'node:crypto';
import type { Actor } from '../auth/access.scope.js';
import type { ReportMessage, ReportState } from '../domain/report.js';
import type { Clock } from '../shared/clock.js';
import { AppError, notFound } from '../shared/errors.js';
import type { MediaFiles } from '../shared/media.files.js';
import type { NewReport, ReportRecord, ReportScope } from '../store/report.repository.js';
import type { Repositories, Store } from '../store/store.js';
import { checkPhotos, type CheckedPhoto, type ImageDecodes, type UploadedPhoto } from './report.photos.js';
import { reportFiled } from './report.notify.js';
import { reportView } from './report.view.js';

/** Where new and changed reports are pushed (socket.io rooms in realtime/report.realtime.ts). */
export interface ReportPublisher {
  /** `pub` is what the reporter and the group's leaders may see. */
  created(full: ReportMessage, pub: ReportMessage): void;
  /** `pub` is what the reporter may see; `publicChange` false for internal-only changes (notes, evidence, assignment). */
  updated(full: ReportMessage, pub: ReportMessage, reporterId: number | null, publicChange: boolean): void;
}

/** What a reporter files: the new report's fields (the reporter is the actor) and whether the position is shared. */
export type NewReportInput = Omit<NewReport, 'reporterId'> & { shareLocation: boolean };

export interface ReportLimits {
  maxPhotoBytes: number;
  maxPhotos: number;
  /** Reports one account may file per hour (a flood is refused, nothing else slows down). */
  perReporterPerHour: number;
}

export interface ReportServiceDeps {
  store: Pick<Store, 'transaction'> & Pick<Repositories, 'reports' | 'areas' | 'users' | 'events'>;
  files: Pick<MediaFiles, 'writeAtomic' | 'remove'>;
  decodes: ImageDecodes;
  clock: Clock;
  limits: ReportLimits;
  publisher?: ReportPublisher;
}

/** Filing and reading reports; triage (states, notes, evidence) is report.triage.ts. */
export class ReportService {
  publisher: ReportPublisher | undefined;
  constructor(private readonly d: ReportServiceDeps) {
    this.publisher = d.publisher;
  }

  async get(id: number): Promise<ReportRecord> {
    const r = await this.d.store.reports.get(id);
    if (!r) throw notFound('report', id);
    return r;
  }

  photos(id: number) {
    return this.d.store.reports.photos(id);
  }

  async view(r: ReportRecord, full: boolean): Promise<ReportMessage> {
    const { reports, areas, users } = this.d.store;
    const [area, reporter, photos, history, notes, evidenceClipIds] = await Promise.all([
      areas.get(r.areaId),
      r.reporterId !== null ? users.get(r.reporterId) : undefined,
      reports.photos(r.id),
      reports.history(r.id),
      reports.notes(r.id, !full),
      full ? reports.evidenceClipIds(r.id) : [],
    ]);
    return reportView(r, { areaName: area?.name ?? null, reporterName: reporter?.displayName ?? null, photos, history, notes, evidenceClipIds }, full);
  }

  async list(scope: ReportScope, full: (r: ReportRecord) => boolean, f: { state?: ReportState; areaId?: number; limit: number; offset: number }) {
    const areaIds = f.areaId !== undefined ? await this.d.store.areas.descendantIds(f.areaId) : undefined;
    const { items, total } = await this.d.store.reports.list(scope, { state: f.state, areaIds, limit: f.limit, offset: f.offset });
    return { items: await Promise.all(items.map((r) => this.view(r, full(r)))), total, limit: f.limit, offset: f.offset };
  }

  /**
   * Files a report: the limit, the area, the linked event and every photo are checked first;
   * the photo files are written, then the report and its photo rows in one transaction. If the
   * transaction fails the files are removed again, so nothing is ever stored half.
   */
  async create(input: NewReportInput, photos: UploadedPhoto[], actor: Actor): Promise<ReportMessage> {
    const again = await this.alreadyFiled(input, actor);
    if (again) return again;
    const now = this.d.clock.now();
    await this.checkLimit(actor, now);
    if (!(await this.d.store.areas.get(input.areaId)))
      throw new AppError('area_unknown', `areaId: area ${input.areaId} does not exist`, 400, { field: 'areaId' });
    if (input.eventId !== null && !(await this.d.store.events.get(input.eventId)))
      throw new AppError('event_unknown', `eventId: event ${input.eventId} does not exist`, 400, { field: 'eventId' });
    if (photos.length > this.d.limits.maxPhotos)
      throw new AppError('too_many_photos', `photos: at most ${this.d.limits.maxPhotos} photos`, 400, {
        field: 'photos',
        params: { max: this.d.limits.maxPhotos },
      });
    const checked = await checkPhotos(photos, { maxBytes: this.d.limits.maxPhotoBytes, keepLocation: input.shareLocation, decodes: this.d.decodes });
    const written = await this.writeFiles(checked, now);
    try {
      const record = await this.d.store.transaction(async (tx) => {
        const r = await tx.reports.create({ ...input, reporterId: actor.userId, ...(input.shareLocation ? {} : { latitude: null, longitude: null }) }, now);
        for (const [i, p] of checked.entries())
          await tx.reports.addPhoto({ reportId: r.id, path: written[i]!, mime: p.mime, bytes: p.data.length, sha256: p.sha256 }, now);
        await tx.outbox.enqueue(reportFiled(r, now));
        return r;
      });
      const [full, pub] = await Promise.all([this.view(record, true), this.view(record, false)]);
      this.publisher?.created(full, pub);
      return record.reporterId === actor.userId ? pub : full;
    } catch (err) {
      await Promise.all(written.map((rel) => this.d.files.remove(rel).catch(() => undefined)));
      // Two copies of one retried upload raced: the first one stored is the report.
      const raced = await this.alreadyFiled(input, actor);
      if (raced) return raced;
      throw err;
    }
  }

  /**
   * A phone on a flaky connection retries an upload whose answer it never got: the same draft
   * key from the same account gives back the report already filed instead of a second one.
   */
  private async alreadyFiled(input: NewReportInput, actor: Actor): Promise<ReportMessage | undefined> {
    if (!input.clientKey || actor.userId === null) return undefined;
    const existing = await this.d.store.reports.byClientKey(actor.userId, input.clientKey);
    return existing && (await this.view(existing, false));
  }

  private async checkLimit(actor: Actor, now: number): Promise<void> {
    if (actor.userId === null) return;
    const n = await this.d.store.reports.countByReporterSince(actor.userId, now - 3_600_000);
    if (n >= this.d.limits.perReporterPerHour)
      throw new AppError(
        'report_rate_limited',
        `too many reports: at most ${this.d.limits.perReporterPerHour} per hour; call the police if it is urgent`,
        429,
        {
          params: { max: this.d.limits.perReporterPerHour },
        },
      );
  }

  private async writeFiles(photos: CheckedPhoto[], now: number): Promise<string[]> {
    const month = new Date(now).toISOString().slice(0, 7);
    const written: string[] = [];
    try {
      for (const p of photos) {
        const rel = `reports/${month}/${randomBytes(12).toString('hex')}.${p.ext}`;
        await this.d.files.writeAtomic(rel, p.data);
        written.push(rel);
      }
      return written;
    } catch (err) {
      await Promise.all(written.map((rel) => this.d.files.remove(rel).catch(() => undefined)));
      throw err;
    }
  }
}
