import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../auth/access.scope.js';
import type { PublicLinkInfo, PublicReportReceipt, PublicReportStatus } from '../domain/report.js';
import type { Clock } from '../shared/clock.js';
import { AppError, notFound } from '../shared/errors.js';
import { RateWindow } from '../shared/rate.window.js';
import type { ReportLink } from '../store/reportlink.repository.js';
import type { Repositories } from '../store/store.js';
import type { UploadedPhoto } from './report.photos.js';
import type { NewReportInput, ReportService } from './report.service.js';
import { stepsOf } from './report.view.js';

export interface PublicLinkLimits {
  /** Anonymous reports one client address may file per hour, over all links. */
  perAddressPerHour: number;
  /** Anonymous reports one link may take per hour, from everyone together. */
  perLinkPerHour: number;
  maxPhotos: number;
  maxPhotoBytes: number;
}

export interface ReportLinksDeps {
  store: Pick<Repositories, 'reportLinks' | 'reports' | 'areas'>;
  reports: Pick<ReportService, 'create'>;
  clock: Clock;
  limits: PublicLinkLimits;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const HOUR = 3_600_000;
/** A link's token: 144 random bits, URL-safe. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{24}$/;

/** The one answer for an unknown, revoked or malformed link: nothing tells them apart. */
const linkInvalid = () =>
  new AppError('link_invalid', 'this report link is not valid (it may have been switched off); ask the commune police for the current one', 404);
/** The one answer for a wrong reference number or a wrong secret. */
const statusNotFound = () => new AppError('not_found', 'not found', 404);

/**
 * The anonymous report link police switch on per area (issue 13 item 2). The link carries a
 * random token (only its hash is stored; switching the link on again makes a new one and the
 * old stops working). Anyone with it may file a report in that area and nothing else; each
 * report gets its reference number and a secret, shown once, to follow its public state with.
 * Floods are refused per client address and per link, before the body is even read.
 */
export class ReportLinks {
  private readonly byAddress: RateWindow;

  constructor(private readonly d: ReportLinksDeps) {
    this.byAddress = new RateWindow({ max: d.limits.perAddressPerHour, windowMs: HOUR, clock: d.clock });
  }

  async status(areaId: number): Promise<{ areaId: number; enabled: boolean; since: number | null }> {
    const link = await this.d.store.reportLinks.activeOfArea(areaId);
    return { areaId, enabled: link !== undefined, since: link?.createdAt ?? null };
  }

  /** Switches the area's link on with a new token (any earlier link of the area stops working). The token is returned once. */
  async enable(areaId: number, actor: Actor): Promise<{ areaId: number; token: string; path: string; since: number }> {
    if (!(await this.d.store.areas.get(areaId))) throw notFound('area', areaId);
    const now = this.d.clock.now();
    const token = randomBytes(18).toString('base64url');
    await this.d.store.reportLinks.revokeArea(areaId, now);
    await this.d.store.reportLinks.create({ areaId, tokenHash: sha256(token), createdBy: actor.userId }, now);
    return { areaId, token, path: `/r/${token}`, since: now };
  }

  async revoke(areaId: number): Promise<{ areaId: number; revoked: number }> {
    return { areaId, revoked: await this.d.store.reportLinks.revokeArea(areaId, this.d.clock.now()) };
  }

  private async linkOf(token: string): Promise<ReportLink> {
    const link = TOKEN_SHAPE.test(token) ? await this.d.store.reportLinks.activeByTokenHash(sha256(token)) : undefined;
    if (!link) throw linkInvalid();
    return link;
  }

  async info(token: string): Promise<PublicLinkInfo> {
    const link = await this.linkOf(token);
    const area = await this.d.store.areas.get(link.areaId);
    return { areaName: area?.name ?? '', maxPhotos: this.d.limits.maxPhotos, maxPhotoBytes: this.d.limits.maxPhotoBytes };
  }

  /**
   * Lets one anonymous report through, or refuses it: the link must be on, the address under
   * its hourly limit and the link under its own. Called before the body is read, so a flood
   * costs the server no photo decoding. Returns the link to file with.
   */
  async admit(token: string, ip: string): Promise<ReportLink> {
    const link = await this.linkOf(token);
    const wait = this.byAddress.take(ip || 'unknown');
    if (wait > 0) throw limited(this.d.limits.perAddressPerHour, wait, 'address');
    const n = await this.d.store.reports.countByLinkSince(link.id, this.d.clock.now() - HOUR);
    if (n >= this.d.limits.perLinkPerHour) {
      this.byAddress.giveBack(ip || 'unknown');
      throw limited(this.d.limits.perLinkPerHour, 60, 'link');
    }
    return link;
  }

  /** Files the report in the link's area, with no account behind it; the secret is in the answer only. */
  async file(
    link: ReportLink,
    input: Omit<NewReportInput, 'areaId' | 'eventId' | 'clientKey' | 'onBehalfOf'>,
    photos: UploadedPhoto[],
    ip: string,
  ): Promise<PublicReportReceipt> {
    const secret = randomBytes(12).toString('base64url');
    const actor: Actor = { userId: null, username: null, ip: ip || null };
    const filed = await this.d.reports.create({ ...input, areaId: link.areaId, eventId: null, linkId: link.id, secretHash: sha256(secret) }, photos, actor);
    return { ref: filed.ref, secret };
  }

  /** The public state of an anonymous report, for its reference number and secret (the same 404 for either wrong). */
  async follow(ref: string, secret: string): Promise<PublicReportStatus> {
    const found = await this.d.store.reports.byRef(ref.trim().toUpperCase());
    const given = Buffer.from(sha256(secret.trim()), 'hex');
    const stored = found?.secretHash ? Buffer.from(found.secretHash, 'hex') : Buffer.alloc(32);
    if (!found?.secretHash || !timingSafeEqual(given, stored)) throw statusNotFound();
    const r = found.report;
    const [area, history, notes] = await Promise.all([
      this.d.store.areas.get(r.areaId),
      this.d.store.reports.history(r.id),
      this.d.store.reports.notes(r.id, true),
    ]);
    return {
      ref: r.ref,
      areaName: area?.name ?? null,
      category: r.category,
      state: r.state,
      createdAt: r.createdAt,
      steps: stepsOf(r, history),
      notes: notes.map((n) => ({ body: n.body, createdAt: n.createdAt })),
    };
  }
}

function limited(max: number, retryAfterSeconds: number, scope: 'address' | 'link'): AppError {
  const who = scope === 'address' ? 'from this address' : 'through this link';
  return new AppError('public_rate_limited', `too many reports ${who}: at most ${max} per hour; call the police if it is urgent`, 429, {
    params: { max, scope, retryAfterSeconds },
  });
}
