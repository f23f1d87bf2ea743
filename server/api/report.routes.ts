import { Router, type Request } from 'express';
import { z } from 'zod';
import { accessFor, can } from '../auth/access.policy.js';
import { actorOf } from '../auth/access.scope.js';
import { authorize, type Authorizer, type Principal, type ResourceRef } from '../auth/authorize.js';
import { REPORT_CATEGORIES, REPORT_NOTE_VISIBILITIES, REPORT_STATES } from '../domain/report.js';
import type { ReportService } from '../reports/report.service.js';
import type { ReportTriage } from '../reports/report.triage.js';
import type { UploadedPhoto } from '../reports/report.photos.js';
import { AppError, notFound } from '../shared/errors.js';
import type { MediaFiles } from '../shared/media.files.js';
import type { ReportRecord, ReportScope } from '../store/report.repository.js';
import { idQuery, pageQuery, sendMedia, timeParam } from './event.routes.js';
import { readMultipart, type FormPart } from './multipart.js';
import { decimalInt } from './params.js';
import { parse } from './validate.js';

export interface ReportRoutesDeps {
  authorizer: Authorizer;
  reports: ReportService;
  triage: ReportTriage;
  files: Pick<MediaFiles, 'root'>;
  maxPhotoBytes: number;
  maxPhotos: number;
}

const coord = (min: number, max: number) => z.union([z.number(), z.string().trim().min(1).transform(Number)]).pipe(z.number().min(min).max(max));
/** What every report says, whoever files it (the public link's form too). */
const reportFields = {
  category: z.enum(REPORT_CATEGORIES),
  body: z.string().trim().min(3, 'write at least 3 characters').max(4000),
  place: z.string().trim().max(500).default(''),
  occurredAt: timeParam,
  latitude: coord(-90, 90).optional(),
  longitude: coord(-180, 180).optional(),
  shareLocation: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(false),
};
const positionPaired = { message: 'latitude and longitude go together', path: ['longitude'] };
const pairedPosition = (v: { latitude?: number; longitude?: number }) => (v.latitude === undefined) === (v.longitude === undefined);
const newReport = z
  .object({
    ...reportFields,
    areaId: decimalInt(1, 2 ** 31 - 1),
    eventId: decimalInt(1, 2 ** 31 - 1).optional(),
    // A group leader filing for someone else names them (their words); nobody else may.
    onBehalfOf: z.string().trim().min(1).max(200).optional(),
    // The draft's key: a retried upload with it files the report once.
    clientKey: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,64}$/, '8–64 letters, digits, - or _')
      .optional(),
  })
  .strict()
  .refine(pairedPosition, positionPaired);
/** The public link's form: no area (the link decides it), no event, nobody to file for. */
export const publicReport = z.object(reportFields).strict().refine(pairedPosition, positionPaired);

const listQuery = z.object({ state: z.enum(REPORT_STATES).optional(), areaId: idQuery.optional(), ...pageQuery }).strict();
const stateBody = z
  .object({
    state: z.enum(REPORT_STATES).optional(),
    assigneeId: decimalInt(1, 2 ** 31 - 1)
      .nullable()
      .optional(),
  })
  .strict()
  .refine((v) => v.state !== undefined || v.assigneeId !== undefined, { message: 'give a state or an assigneeId', path: ['state'] });
const noteBody = z.object({ body: z.string().trim().min(1).max(4000), visibility: z.enum(REPORT_NOTE_VISIBILITIES).default('internal') }).strict();
const evidenceBody = z.object({ cameraId: decimalInt(1, 2 ** 31 - 1) }).strict();
const idParams = z.object({ id: idQuery }).strict();
const photoParams = z.object({ id: idQuery, photoId: idQuery }).strict();

export type Form = { fields: Record<string, unknown>; photos: UploadedPhoto[] };
const FORM = Symbol('reportForm');

/** Text fields become strings; every file part named photos (or photo) becomes an upload, numbered from 0. */
export function formOf(parts: FormPart[]): Form {
  const fields: Record<string, unknown> = {};
  const photos: UploadedPhoto[] = [];
  for (const p of parts) {
    if (p.name === 'photos' || p.name === 'photo') {
      if (p.data.length) photos.push({ index: photos.length, filename: p.filename, data: p.data });
    } else if (p.filename !== null) throw new AppError('validation', `${p.name}: unexpected file`, 400, { field: `body.${p.name}` });
    else fields[p.name] = p.data.toString('utf8');
  }
  return { fields, photos };
}

const isStaff = (p: Principal) => p.roles.some((r) => r === 'police' || r === 'admin');
/** The areas whose every report the principal lists: police their areas, group leaders the groups they lead. */
const reportAreasOf = (p: Principal) => [
  ...new Set([...(isStaff(p) ? (p.areaScope ?? p.areaIds) : []), ...(p.roles.includes('group_leader') ? (p.leadScope ?? []) : [])]),
];
const reportRef = (r: ReportRecord): ResourceRef => ({ type: 'report', id: r.id, areaId: r.areaId, ownerId: r.reporterId });

/** Filing (multipart with photos, or JSON without), reading and triaging residents' reports. */
export function reportRoutes(d: ReportRoutesDeps): Router {
  const r = Router();
  const idOf = (req: Request) => parse(idParams, { id: req.params.id }, 'params').id;
  const asReport = async (req: Request) => reportRef(await d.reports.get(idOf(req)));
  const full = (p: Principal) => (rec: ReportRecord) =>
    accessFor(p, 'report.list') === 'allow' || (isStaff(p) && (p.areaScope ?? p.areaIds).includes(rec.areaId));

  // The form is read here, before the handler, because the area it names decides who may file it.
  const asNewReport = async (req: Request): Promise<ResourceRef> => {
    const form: Form = req.is('multipart/form-data')
      ? formOf(await readMultipart(req, d.maxPhotos * d.maxPhotoBytes + 256 * 1024, d.maxPhotos + 20))
      : { fields: (req.body ?? {}) as Record<string, unknown>, photos: [] };
    (req as unknown as Record<symbol, Form>)[FORM] = form;
    const { areaId, onBehalfOf } = parse(newReport, form.fields, 'body');
    const p = d.authorizer.principalOf(req);
    if (accessFor(p, 'report.create') !== 'allow' && !(p.areaScope ?? p.areaIds).includes(areaId))
      throw new AppError('area_not_yours', `body.areaId: area ${areaId} is not one of your areas`, 403, { field: 'body.areaId', params: { areaId } });
    if (onBehalfOf !== undefined && !can(p, 'report.create', { type: 'report', areaId, ownerId: p.userId ?? null, onBehalf: true }))
      throw new AppError('not_group_leader', `body.onBehalfOf: only the group's leader may file a report for someone else`, 403, { field: 'body.onBehalfOf' });
    return { type: 'report', areaId, ownerId: p.userId ?? null, onBehalf: onBehalfOf !== undefined };
  };

  r.post('/api/reports', authorize(d.authorizer, 'report.create', asNewReport), async (req, res) => {
    const form = (req as unknown as Record<symbol, Form>)[FORM]!;
    const v = parse(newReport, form.fields, 'body');
    const input = {
      ...v,
      place: v.place,
      latitude: v.latitude ?? null,
      longitude: v.longitude ?? null,
      eventId: v.eventId ?? null,
      onBehalfOf: v.onBehalfOf ?? null,
      clientKey: v.clientKey ?? null,
    };
    res.status(201).json(await d.reports.create(input, form.photos, actorOf(d.authorizer.principalOf(req))));
  });

  r.get('/api/reports', authorize(d.authorizer, 'report.list'), async (req, res) => {
    const q = parse(listQuery, req.query, 'query');
    const p = d.authorizer.principalOf(req);
    const all = accessFor(p, 'report.list') === 'allow';
    const scope: ReportScope = { all, areaIds: reportAreasOf(p), reporterId: p.userId ?? null };
    res.json(await d.reports.list(scope, full(p), { state: q.state, areaId: q.areaId, limit: q.limit, offset: q.offset }));
  });

  r.get('/api/reports/:id', authorize(d.authorizer, 'report.read', asReport), async (req, res) => {
    const rec = await d.reports.get(idOf(req));
    res.json(await d.reports.view(rec, full(d.authorizer.principalOf(req))(rec)));
  });

  r.get('/api/reports/:id/photos/:photoId', authorize(d.authorizer, 'report.photo', asReport), async (req, res) => {
    const { id, photoId } = parse(photoParams, req.params, 'params');
    const photo = (await d.reports.photos(id)).find((ph) => ph.id === photoId);
    if (!photo) throw notFound('photo', photoId);
    await sendMedia(res, d.files.root, photo.path, photo.mime);
  });

  const actor = (req: Request) => actorOf(d.authorizer.principalOf(req));
  r.post('/api/reports/:id/state', authorize(d.authorizer, 'report.update', asReport), async (req, res) => {
    res.json(await d.triage.change(idOf(req), parse(stateBody, req.body, 'body'), actor(req)));
  });
  r.post('/api/reports/:id/notes', authorize(d.authorizer, 'report.note', asReport), async (req, res) => {
    res.status(201).json(await d.triage.note(idOf(req), parse(noteBody, req.body, 'body'), actor(req)));
  });
  r.get('/api/reports/:id/footage', authorize(d.authorizer, 'report.footage', asReport), async (req, res) => {
    res.json(await d.triage.footage(idOf(req)));
  });
  r.post('/api/reports/:id/evidence', authorize(d.authorizer, 'report.evidence', asReport), async (req, res) => {
    const { cameraId } = parse(evidenceBody, req.body, 'body');
    res.status(201).json(await d.triage.attach(idOf(req), cameraId, actor(req)));
  });
  return r;
}
