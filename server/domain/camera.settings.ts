import { z } from 'zod';
import { motionSettingsSchema } from './camera.settings.motion.js';
import { rulesSettingsSchema } from './camera.settings.rules.js';
import { recordingSettingsSchema } from './camera.settings.recording.js';
import { cameraEventsSettingsSchema } from './camera.settings.events.js';
import { privacyMasksSchema } from './camera.settings.privacy.js';
import { ptzTourSchema } from './camera.settings.ptz.js';

/**
 * The camera schema: what a technician registers (name, area, owner, address, GPS position,
 * streams, credentials) and the per-camera settings document that other parts of the product
 * extend. Each part owns its own module (`camera.settings.<part>.ts`) and is composed here, so
 * one validated schema describes everything stored in cameras.settings.
 */

/* ---------- settings parts (cameras.settings JSON) ---------- */

export const cameraSettingsSchema = z
  .object({
    motion: motionSettingsSchema.default(motionSettingsSchema.parse({})).describe('Motion detection (detection issue)'),
    rules: rulesSettingsSchema.default(rulesSettingsSchema.parse({})).describe('Event and alert rules: labels, zones, scores, schedule (events issue)'),
    recording: recordingSettingsSchema
      .default(recordingSettingsSchema.parse({}))
      .describe('Continuous recording of this camera and its retention days (ingest issue)'),
    cameraEvents: cameraEventsSettingsSchema.default(cameraEventsSettingsSchema.parse({})).describe("The camera's own ONVIF events as triggers (issue 17)"),
    privacyMasks: privacyMasksSchema.describe('Privacy masks: areas blacked out for residents, or for everyone (issue 17)'),
    ptzTour: ptzTourSchema.default(ptzTourSchema.parse({})).describe('Guard tour of a PTZ camera: presets and dwell times; started by hand (issue 17)'),
  })
  .strict();

export type CameraSettings = z.infer<typeof cameraSettingsSchema>;
export type CameraSettingsInput = z.input<typeof cameraSettingsSchema>;

export const defaultCameraSettings = (): CameraSettings => cameraSettingsSchema.parse({});

/**
 * Settings as stored → validated settings with defaults. A stored document that no longer
 * validates (an older version, a hand edit) falls back part by part to defaults, and the
 * problems are returned so the caller can log them; ingest must never stop on this.
 */
export function readCameraSettings(stored: unknown): { settings: CameraSettings; problems: string[] } {
  const whole = cameraSettingsSchema.safeParse(stored ?? {});
  if (whole.success) return { settings: whole.data, problems: [] };
  const problems = whole.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`);
  const base = defaultCameraSettings();
  const obj = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  const parts = cameraSettingsSchema.shape;
  const settings = { ...base } as Record<string, unknown>;
  for (const key of Object.keys(parts) as (keyof typeof parts)[]) {
    const part = parts[key].safeParse(obj[key]);
    if (part.success) settings[key] = part.data;
  }
  return { settings: settings as CameraSettings, problems };
}

/* ---------- registration ---------- */

/** Who owns a camera: a household, a shop, a boarding house, a group, a parish, a business. */
export const OWNER_KINDS = ['resident', 'shop', 'boarding_house', 'group', 'parish', 'enterprise', 'other'] as const;
export type OwnerKind = (typeof OWNER_KINDS)[number];

const STREAM_SCHEMES = new Set(['rtsp:', 'rtsps:', 'http:', 'https:']);

/** A stream URL: rtsp(s) or http(s) with a host. Credentials inside it are split off by the service. */
export const streamUrlSchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(1000, 'is too long (1000 characters at most)')
  .refine((v) => {
    try {
      const u = new URL(v);
      return STREAM_SCHEMES.has(u.protocol) && u.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an rtsp://, rtsps://, http:// or https:// URL with a host, e.g. rtsp://192.168.1.64:554/Streaming/Channels/101');

export const streamSpecSchema = z
  .object({
    url: streamUrlSchema,
    transport: z.enum(['tcp', 'udp']).optional().describe('RTSP transport (default from config ingest.rtspTransport)'),
    profileToken: z.string().trim().min(1).max(64).optional().describe('ONVIF profile the stream comes from'),
    width: z.number().int().min(16).max(8192).optional(),
    height: z.number().int().min(16).max(8192).optional(),
    fps: z.number().min(0.1).max(240).optional(),
    codec: z.string().trim().min(1).max(32).optional(),
  })
  .strict();

export const cameraStreamsSchema = z
  .object({
    detect: streamSpecSchema.describe('Stream sampled for detection (a sub-stream around 640 px wide is best)'),
    record: streamSpecSchema.optional().describe('Stream recorded (the main stream); default: the detect stream'),
  })
  .strict();

export const credentialsSchema = z
  .object({
    username: z.string().min(1, 'is required').max(128, 'is too long'),
    password: z.string().max(256, 'is too long'),
  })
  .strict();

const deviceUrlSchema = z
  .string()
  .trim()
  .max(500, 'is too long')
  .refine((v) => /^https?:\/\/[^/\s]+/i.test(v), 'must be the device service URL, e.g. http://192.168.1.64/onvif/device_service');

const optionalText = (max: number) => z.string().trim().max(max, `is too long (${max} characters at most)`).nullable().optional();

const cameraFields = {
  name: z.string().trim().min(1, 'is required').max(200, 'is too long (200 characters at most)'),
  areaId: z.number().int().positive().nullable().optional().describe('Hamlet, ward or group the camera belongs to'),
  ownerName: optionalText(200),
  ownerKind: z.enum(OWNER_KINDS).nullable().optional(),
  address: optionalText(500),
  latitude: z.number().min(-90, 'must be between -90 and 90').max(90, 'must be between -90 and 90').nullable().optional(),
  longitude: z.number().min(-180, 'must be between -180 and 180').max(180, 'must be between -180 and 180').nullable().optional(),
  onvifUrl: deviceUrlSchema.nullable().optional().describe('ONVIF device service URL; absent for plain RTSP/HTTP cameras'),
  onvifEndpoint: z
    .string()
    .trim()
    .min(1, 'is empty')
    .max(300, 'is too long (300 characters at most)')
    .nullable()
    .optional()
    .describe("The device's WS-Discovery endpoint reference (urn:uuid:…), so discovery recognises it whatever its IP"),
  /** undefined = unchanged (on edit), null = remove, object = set. Never returned by the API. */
  credentials: credentialsSchema.nullable().optional(),
  streams: cameraStreamsSchema.optional(),
  settings: z.record(z.string(), z.unknown()).optional().describe('Parts of the camera settings (validated by cameraSettingsSchema)'),
  defaultVisibility: z.enum(['internal', 'shared']).optional(),
  enabled: z.boolean().optional(),
  clockOffsetMs: z.number().int().nullable().optional(),
};

function positionBoth(v: { latitude?: number | null; longitude?: number | null }, ctx: z.RefinementCtx): void {
  const hasLat = v.latitude !== undefined && v.latitude !== null;
  const hasLon = v.longitude !== undefined && v.longitude !== null;
  if (hasLat !== hasLon) ctx.addIssue({ code: 'custom', path: [hasLat ? 'longitude' : 'latitude'], message: 'give both latitude and longitude, or neither' });
}

export const cameraCreateSchema = z
  .object(cameraFields)
  .strict()
  .superRefine((v, ctx) => {
    positionBoth(v, ctx);
    if (!v.streams && !v.onvifUrl)
      ctx.addIssue({
        code: 'custom',
        path: ['streams'],
        message: "give the camera's stream URL, or its ONVIF address (onvifUrl) so the streams can be read from it",
      });
  });

export const cameraUpdateSchema = z
  .object({ ...cameraFields, name: cameraFields.name.optional() })
  .strict()
  .superRefine(positionBoth);

export type CameraCreateInput = z.infer<typeof cameraCreateSchema>;
export type CameraUpdateInput = z.infer<typeof cameraUpdateSchema>;
