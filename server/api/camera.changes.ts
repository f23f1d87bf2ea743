import type { Action, ResourceRef } from '../auth/authorize.js';
import type { CameraCreateInput, CameraUpdateInput } from '../domain/camera.settings.js';
import { AppError } from '../shared/errors.js';
import type { CameraRecord } from '../store/camera.repository.js';

/**
 * Who may decide where a camera's footage goes (issue 12, finding 3): its area and whether its
 * new events are shared with that area's residents are police/admin decisions (camera.publish).
 * A technician registers cameras unassigned or into their own areas, with internal events, and
 * may place an unassigned camera into one of their areas; nothing else about area or visibility.
 */
const refusePublish = (field: string) =>
  new AppError('forbidden', `not allowed: camera.publish (${field} is decided by the police or an admin)`, 403, {
    field,
    params: { action: 'camera.publish' },
  });

const cameraAt = (areaId: number | null): ResourceRef => ({ type: 'camera', areaId });

/** The caller's policy check (the authorizer's, bound to the request's principal). */
export type May = (action: Action, ref: ResourceRef) => boolean | Promise<boolean>;

export async function checkCreateRights(may: May, body: CameraCreateInput): Promise<void> {
  if (await may('camera.publish', cameraAt(body.areaId ?? null))) return;
  if (body.defaultVisibility === 'shared') throw refusePublish('body.defaultVisibility');
  if (body.areaId != null && !(await may('camera.update', cameraAt(body.areaId)))) throw refusePublish('body.areaId');
}

export async function checkUpdateRights(may: May, before: CameraRecord, patch: CameraUpdateInput): Promise<void> {
  if (await may('camera.publish', cameraAt(before.areaId))) return;
  if (patch.defaultVisibility !== undefined && patch.defaultVisibility !== before.defaultVisibility) throw refusePublish('body.defaultVisibility');
  if (patch.areaId !== undefined && patch.areaId !== before.areaId) {
    const placing = before.areaId === null && patch.areaId !== null && (await may('camera.update', cameraAt(patch.areaId)));
    if (!placing) throw refusePublish('body.areaId');
  }
}

const SCALARS = [
  'name',
  'areaId',
  'ownerName',
  'ownerKind',
  'address',
  'latitude',
  'longitude',
  'onvifUrl',
  'onvifEndpoint',
  'defaultVisibility',
  'enabled',
  'clockOffsetMs',
] as const;

/**
 * What an edit changed, for the audit entry: old and new values of plain fields, stream URLs
 * (credentials are never in them: they are split off before storing), the names of changed
 * settings, and only the fact that credentials changed.
 */
export function cameraChanges(before: CameraRecord, after: CameraRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of SCALARS) if (before[k] !== after[k]) out[k] = { from: before[k], to: after[k] };
  for (const s of ['detect', 'record'] as const) {
    const [a, b] = [before.streams[s]?.url ?? null, after.streams[s]?.url ?? null];
    if (a !== b) out[`streams.${s}`] = { from: a, to: b };
  }
  const parts = Object.keys(after.settings) as (keyof CameraRecord['settings'])[];
  const settings = parts.filter((k) => JSON.stringify(before.settings[k]) !== JSON.stringify(after.settings[k]));
  if (settings.length) out.settings = settings;
  if (before.credentialsEnc !== after.credentialsEnc) out.credentials = 'changed';
  return out;
}
