import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { authorize, type Authorizer, type ResourceRef } from '../auth/authorize.js';
import { actorOf, type ScopeOf } from '../auth/access.scope.js';
import type { EventService } from '../events/event.service.js';
import type { MediaFiles } from '../shared/media.files.js';
import { audienceOf } from '../privacy/privacy.audience.js';
import type { PrivacyMasker } from '../privacy/privacy.masker.js';
import { AppError } from '../shared/errors.js';
import type { EventRecord, EventSort, Page } from '../store/event.repository.js';
import { NOTE_VISIBILITIES } from '../store/note.repository.js';
import { ALERT_KINDS, ALERT_STATES } from '../store/alert.repository.js';
import { decimalInt } from './params.js';
import { parse } from './validate.js';

export interface EventRoutesDeps {
  authorizer: Authorizer;
  events: EventService;
  files: Pick<MediaFiles, 'root'>;
  scopeOf: ScopeOf;
  /** Privacy masks on the way out (residents get the polygons black). */
  privacy: Pick<PrivacyMasker, 'jpegFile'>;
}

// ---- query pieces shared by the event, alert and clip routes -------------------------------
/** Plain decimal ids only: no 0x1, 1e3, signs or spaces (Number() would accept them). */
export const idQuery = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, 'must be a positive whole number')
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n), 'must be a positive whole number');
export const idParams = z.object({ id: idQuery }).strict();
const MAX_MS = 8_640_000_000_000_000;
/** ISO 8601 date or date-time; checked first because Date.parse also accepts "' OR '1'='1" (as 2001). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
/** Epoch ms, or an ISO 8601 date-time. */
export const timeParam = z.preprocess(
  (v) => (typeof v !== 'string' ? v : /^\d{1,16}$/.test(v) ? Number(v) : ISO_TIME.test(v) ? Date.parse(v) : Number.NaN),
  z.number({ error: 'must be epoch milliseconds or an ISO 8601 time' }).int().min(0).max(MAX_MS),
);
export const labelQuery = z.string().regex(/^[a-z][a-z ]{0,63}$/, 'a detector label such as person');
export const visibilityQuery = z.enum(['internal', 'shared']);
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
export const pageQuery = { limit: decimalInt(1, 200).default(50), offset: decimalInt(0, 1_000_000).default(0) };

/** `sort=-startAt` → column key and order; the keys are a whitelist, never SQL. */
export function sortParam<K extends string>(keys: readonly [K, ...K[]], dflt: `${'-' | ''}${K}`) {
  const values = keys.flatMap((k) => [k, `-${k}`]) as [string, ...string[]];
  return z
    .enum(values)
    .default(dflt)
    .transform((s) => ({ sort: s.replace(/^-/, '') as K, order: s.startsWith('-') ? ('desc' as const) : ('asc' as const) }));
}

export function pageOf<K extends string>(q: { limit: number; offset: number; sort: { sort: K; order: 'asc' | 'desc' } }): Page<K> {
  return { limit: q.limit, offset: q.offset, sort: q.sort.sort, order: q.sort.order };
}

/** A picture as the privacy masker prepared it: the stored file, or the masked bytes (never cached by the browser). */
export async function sendMasked(res: Response, root: string, out: { rel: string } | { data: Buffer }): Promise<void> {
  if ('rel' in out) return sendMedia(res, root, out.rel, 'image/jpeg');
  res.set({ 'Content-Type': 'image/jpeg', 'Cache-Control': 'private, no-cache', 'X-Privacy-Masked': '1' });
  res.send(out.data);
}

/** Sends a media file by its stored (relative) path with Range support; `root` keeps it inside the data dir. */
export function sendMedia(res: Response, root: string, rel: string, type: string, extra: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    res.sendFile(
      rel,
      { root, dotfiles: 'deny', acceptRanges: true, lastModified: true, headers: { 'Content-Type': type, 'Cache-Control': 'private, no-cache', ...extra } },
      (err) => {
        if (!err) return resolve();
        const e = err as NodeJS.ErrnoException & { status?: number };
        if (e.code === 'ENOENT' || e.status === 404) return reject(new AppError('media_missing', 'the file of this media is missing on the server', 404));
        if (res.headersSent) return resolve(); // client went away mid-stream (seeking does that)
        reject(err);
      },
    );
  });
}

const listQuery = z
  .object({
    cameraId: idQuery.optional(),
    areaId: idQuery.optional(),
    label: labelQuery.optional(),
    from: timeParam.optional(),
    to: timeParam.optional(),
    minScore: z.coerce.number().min(0).max(1).optional(),
    visibility: visibilityQuery.optional(),
    state: z.enum(ALERT_STATES).optional(),
    kind: z.enum(ALERT_KINDS).optional(),
    pinned: flag.optional(),
    ...pageQuery,
    sort: sortParam<EventSort>(['startAt', 'score', 'id'], '-startAt'),
  })
  .strict();

const commentBody = z.object({ body: z.string().trim().min(1).max(2000), flag: z.boolean().default(false) }).strict();
const noteBody = z.object({ body: z.string().trim().min(1).max(4000), visibility: z.enum(NOTE_VISIBILITIES).default('internal') }).strict();

export const eventRef = (e: EventRecord): ResourceRef & { visibility: string } => ({ type: 'event', id: e.id, areaId: e.areaId, visibility: e.visibility });

export function eventRoutes(d: EventRoutesDeps): Router {
  const r = Router();
  const load = async (req: Request) => d.events.get(parse(idParams, req.params, 'params').id);
  const asEvent = async (req: Request) => eventRef(await load(req));
  const idOf = (req: Request) => parse(idParams, req.params, 'params').id;

  r.get('/api/events', authorize(d.authorizer, 'event.list'), async (req, res) => {
    const { state, kind, sort, limit, offset, ...q } = parse(listQuery, req.query, 'query');
    const scope = d.scopeOf(d.authorizer.principalOf(req));
    res.json(await d.events.list({ ...q, alertState: state, alertKind: kind }, scope, pageOf({ limit, offset, sort })));
  });

  r.get('/api/events/:id', authorize(d.authorizer, 'event.read', asEvent), async (req, res) => {
    const p = d.authorizer.principalOf(req);
    res.json(await d.events.detail(idOf(req), d.scopeOf(p).all, p.userId ?? null));
  });

  for (const kind of ['first', 'best'] as const) {
    r.get(`/api/events/:id/snapshots/${kind}.jpg`, authorize(d.authorizer, 'event.snapshot', asEvent), async (req, res) => {
      const ev = await load(req);
      const rel = kind === 'best' ? ev.snapshotPath : ev.firstSnapshotPath;
      if (ev.mediaDeletedAt !== null)
        throw new AppError('media_deleted', 'this snapshot was removed by retention; the event is kept', 404, { params: { reason: 'retention' } });
      if (!rel) throw new AppError('no_snapshot', 'this event has no snapshot', 404);
      await sendMasked(res, d.files.root, await d.privacy.jpegFile(ev.cameraId, rel, audienceOf(d.authorizer.principalOf(req)), 'snapshot'));
    });
  }

  r.post('/api/events/:id/share', authorize(d.authorizer, 'event.share', asEvent), async (req, res) => {
    res.json(await d.events.setVisibility(idOf(req), 'shared'));
  });
  r.post('/api/events/:id/unshare', authorize(d.authorizer, 'event.share', asEvent), async (req, res) => {
    res.json(await d.events.setVisibility(idOf(req), 'internal'));
  });
  r.post('/api/events/:id/pin', authorize(d.authorizer, 'event.update', asEvent), async (req, res) => {
    res.json(await d.events.setPinned(idOf(req), true));
  });
  r.post('/api/events/:id/unpin', authorize(d.authorizer, 'event.update', asEvent), async (req, res) => {
    res.json(await d.events.setPinned(idOf(req), false));
  });

  const asComment = async (req: Request): Promise<ResourceRef> => {
    const e = await load(req);
    return { type: 'comment', id: e.id, areaId: e.areaId, visibility: e.visibility, eventVisibility: e.visibility };
  };
  r.post('/api/events/:id/comments', authorize(d.authorizer, 'comment.create', asComment), async (req, res) => {
    const body = parse(commentBody, req.body, 'body');
    res.status(201).json(await d.events.comment(idOf(req), body, actorOf(d.authorizer.principalOf(req))));
  });

  const asNote = async (req: Request): Promise<ResourceRef> => {
    const e = await load(req);
    const visibility =
      typeof req.body === 'object' && req.body !== null && (req.body as { visibility?: unknown }).visibility === 'public' ? 'public' : 'internal';
    return { type: 'note', areaId: e.areaId, visibility, eventVisibility: e.visibility };
  };
  r.post('/api/events/:id/notes', authorize(d.authorizer, 'note.create', asNote), async (req, res) => {
    const body = parse(noteBody, req.body, 'body');
    res.status(201).json(await d.events.note(idOf(req), body, actorOf(d.authorizer.principalOf(req))));
  });
  return r;
}
