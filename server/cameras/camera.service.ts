import { AppError, notFound } from '../shared/errors.js';
import type { Bus } from '../shared/bus.js';
import type { Logger } from '../shared/log.js';
import type { CameraRecord, CameraStreams, NewCamera, StreamSpec } from '../store/camera.repository.js';
import type { Store } from '../store/store.js';
import type { CameraCredentials, CredentialCipher } from './camera.crypto.js';
import type { FrameGrabber, TestFrame } from '../ingest/ffmpeg.grab.js';
import { splitUrlCredentials, streamUrlWithCredentials, type CameraRunner } from './camera.runner.js';
import { cameraSettingsSchema, type CameraCreateInput, type CameraUpdateInput } from '../domain/camera.settings.js';
import type { ProbeOptions, ProbeResult } from './onvif.probe.js';
import { parseProbeTarget, type ProbeTarget } from './onvif.target.js';
import { checkUrlAllowed, isTargetNotAllowed, pinnedUrl, type TargetGuard } from './network.guard.js';
import { streamsRefused, TARGET_NOT_ALLOWED_REASON } from './network.runner.js';

/**
 * Registering, editing and removing cameras. Credentials are encrypted before they reach the
 * store and decrypted only to hand to the runtime or a one-shot grab; a registered camera
 * starts at once, a removed one stops and keeps its past events (soft delete).
 */
export interface CameraServiceDeps {
  store: Store;
  cipher: CredentialCipher;
  runtime: CameraRunner;
  bus: Bus;
  log: Logger;
  grabber: FrameGrabber;
  probe: (target: ProbeTarget, opts?: ProbeOptions) => Promise<ProbeResult>;
  /** The camera address ranges: stream URLs are checked when saved, one-shot grabs connect to the checked address. */
  guard: TargetGuard;
  rtspTransport: 'tcp' | 'udp';
  testTimeoutMs?: number;
  now?: () => number;
}

export type TestConnectionInput =
  { cameraId: number; stream?: 'detect' | 'record' } | { url: string; credentials?: CameraCredentials | null; transport?: 'tcp' | 'udp' };

export class CameraService {
  private readonly now: () => number;

  constructor(private readonly d: CameraServiceDeps) {
    this.now = d.now ?? Date.now;
  }

  async register(input: CameraCreateInput): Promise<CameraRecord> {
    rejectControlCharacters(input.streams);
    await this.checkTargets(input.streams, input.onvifUrl);
    await this.checkArea(input.areaId);
    const split = splitStreams(input.streams);
    let credentials = input.credentials ?? split.credentials;
    let streams = split.streams;
    let clockOffsetMs = input.clockOffsetMs ?? null;
    let onvifUrl = input.onvifUrl ?? null;
    if (!streams && onvifUrl) {
      // Registered by ONVIF address only: read the streams from the camera now.
      const target = parseProbeTarget(onvifUrl, 'body.onvifUrl');
      credentials ??= target.username ? { username: target.username, password: target.password ?? '' } : null;
      const probed = await this.d.probe({ url: target.url, username: credentials?.username, password: credentials?.password });
      streams = streamsFromProbe(probed);
      clockOffsetMs = probed.clockOffsetMs;
      onvifUrl = target.url.href;
    }
    const settings = validateSettings(input.settings ?? {});
    const camera = await this.d.store.cameras.create(
      {
        name: input.name,
        areaId: input.areaId ?? null,
        ownerName: input.ownerName ?? null,
        ownerKind: input.ownerKind ?? null,
        address: input.address ?? null,
        latitude: input.latitude ?? null,
        longitude: input.longitude ?? null,
        onvifUrl,
        onvifEndpoint: input.onvifEndpoint ?? null,
        credentialsEnc: credentials ? this.d.cipher.encryptCredentials(credentials) : null,
        streams: streams!,
        settings,
        defaultVisibility: input.defaultVisibility ?? 'internal',
        enabled: input.enabled ?? true,
        clockOffsetMs,
        demo: false,
      },
      this.now(),
    );
    this.d.log.info('camera registered', { cameraId: camera.id, name: camera.name, onvif: !!onvifUrl, credentials: !!credentials });
    this.d.bus.emit('camera.changed', { cameraId: camera.id, change: 'created', at: this.now() });
    if (camera.enabled) await this.startSafely(camera, credentials);
    return camera;
  }

  async update(id: number, patch: CameraUpdateInput): Promise<CameraRecord> {
    const current = await this.d.store.cameras.get(id);
    if (!current) throw notFound('camera', id);
    rejectControlCharacters(patch.streams);
    await this.checkTargets(patch.streams, patch.onvifUrl);
    if (patch.areaId !== undefined) await this.checkArea(patch.areaId);
    const split = splitStreams(patch.streams);
    const credentials = patch.credentials !== undefined ? patch.credentials : (split.credentials ?? undefined);
    const changes: Partial<NewCamera> = {
      name: patch.name,
      areaId: patch.areaId,
      ownerName: patch.ownerName,
      ownerKind: patch.ownerKind,
      address: patch.address,
      latitude: patch.latitude,
      longitude: patch.longitude,
      onvifUrl: patch.onvifUrl,
      onvifEndpoint: patch.onvifEndpoint,
      streams: split.streams,
      defaultVisibility: patch.defaultVisibility,
      enabled: patch.enabled,
      clockOffsetMs: patch.clockOffsetMs,
    };
    // The demo camera given streams of its own is a camera like any other (no longer exempt from the address ranges).
    if (split.streams && current.demo) changes.demo = false;
    if (credentials !== undefined) changes.credentialsEnc = credentials ? this.d.cipher.encryptCredentials(credentials) : null;
    if (patch.settings) changes.settings = validateSettings({ ...current.settings, ...patch.settings });
    const updated = (await this.d.store.cameras.update(id, changes, this.now()))!;
    this.d.log.info('camera updated', { cameraId: id, fields: Object.keys(patch) });
    this.d.bus.emit('camera.changed', { cameraId: id, change: 'updated', at: this.now() });
    const affectsRuntime = ['streams', 'credentials', 'settings', 'enabled'].some((k) => k in patch) || split.credentials !== null;
    if (affectsRuntime) {
      await this.stopSafely(id);
      if (updated.enabled) await this.startSafely(updated, this.credentialsOf(updated));
    }
    return updated;
  }

  /** Soft delete: ingest and detection stop, past events, clips and alerts keep naming the camera. */
  async remove(id: number): Promise<void> {
    if (!(await this.d.store.cameras.remove(id, this.now()))) throw notFound('camera', id);
    await this.stopSafely(id);
    this.d.log.info('camera removed', { cameraId: id });
    this.d.bus.emit('camera.changed', { cameraId: id, change: 'removed', at: this.now() });
  }

  /** At server start: every enabled camera. */
  async startAll(): Promise<number> {
    const cameras = (await this.d.store.cameras.list()).filter((c) => c.enabled);
    for (const c of cameras) await this.startSafely(c, this.credentialsOfSafely(c));
    return cameras.length;
  }

  credentialsOf(camera: Pick<CameraRecord, 'credentialsEnc'>): CameraCredentials | null {
    return camera.credentialsEnc ? this.d.cipher.decryptCredentials(camera.credentialsEnc) : null;
  }

  /**
   * One frame with its measured resolution, fps and codec: from the running session when the
   * camera runs (no extra RTSP session), else from a one-shot ffmpeg.
   */
  async testConnection(input: TestConnectionInput): Promise<TestFrame> {
    if ('cameraId' in input) {
      const camera = await this.d.store.cameras.get(input.cameraId);
      if (!camera) throw notFound('camera', input.cameraId);
      const stream = input.stream ?? 'detect';
      const running = await this.d.runtime.grabTestFrame(camera.id, stream);
      if (running) return running;
      const spec = (stream === 'record' ? camera.streams.record : undefined) ?? camera.streams.detect;
      // The demo camera's stream is the simulator this server started on loopback.
      const url = camera.demo ? spec.url : await this.pinned(spec.url);
      return this.grabOnce(url, this.credentialsOf(camera), spec.transport);
    }
    checkUrlCharacters(input.url, 'body.url');
    const split = splitUrlCredentials(input.url);
    return this.grabOnce(await this.pinned(split.url), input.credentials ?? split.credentials, input.transport);
  }

  /**
   * After the address ranges changed: cameras whose streams are now refused stop (offline,
   * target_not_allowed), cameras refused before and allowed now start.
   */
  async recheckAddresses(): Promise<void> {
    for (const c of (await this.d.store.cameras.list()).filter((x) => x.enabled && !x.demo)) {
      const wasRefused = c.stateReason === TARGET_NOT_ALLOWED_REASON;
      if (wasRefused !== (await streamsRefused(this.d.guard, c))) await this.startSafely(c, this.credentialsOfSafely(c));
    }
  }

  /** The URL on its checked address: ffmpeg must not resolve the name again (it could answer differently). */
  private async pinned(url: string): Promise<string> {
    try {
      return await pinnedUrl(this.d.guard, url);
    } catch (err) {
      if (isTargetNotAllowed(err)) throw err;
      throw new AppError('rtsp_unreachable', `No picture from ${url} (the host name does not resolve). Check the stream URL.`, 502, {
        params: { streamUri: url, reason: 'host not found', advertised: null },
      });
    }
  }

  /** `url` is the one ffmpeg opens: for a one-shot grab, its host is already the checked address. */
  private grabOnce(url: string, credentials: CameraCredentials | null, transport: 'tcp' | 'udp' | undefined): Promise<TestFrame> {
    return this.d.grabber.grab({
      url: streamUrlWithCredentials(url, credentials),
      transport: transport ?? this.d.rtspTransport,
      timeoutMs: this.d.testTimeoutMs ?? 10_000,
      secrets: credentials ? [credentials.password, credentials.username] : [],
    });
  }

  /** Stream and ONVIF addresses outside the camera address ranges are refused before anything is stored. */
  private async checkTargets(streams: CameraStreams | undefined, onvifUrl: string | null | undefined): Promise<void> {
    for (const url of [streams?.detect.url, streams?.record?.url]) if (url) await checkUrlAllowed(this.d.guard, url);
    if (onvifUrl) await checkUrlAllowed(this.d.guard, parseProbeTarget(onvifUrl, 'body.onvifUrl').url.href);
  }

  private async checkArea(areaId: number | null | undefined): Promise<void> {
    if (areaId === undefined || areaId === null) return;
    if (!(await this.d.store.areas.get(areaId))) {
      throw new AppError('validation', `body.areaId: area ${areaId} does not exist`, 400, { field: 'body.areaId', params: { reason: 'unknown area', areaId } });
    }
  }

  credentialsOfSafely(c: CameraRecord): CameraCredentials | null {
    try {
      return this.credentialsOf(c);
    } catch (err) {
      this.d.log.error('camera credentials unreadable; starting without them', { cameraId: c.id, err });
      return null;
    }
  }

  private async startSafely(camera: CameraRecord, credentials: CameraCredentials | null): Promise<void> {
    if (camera.settingsProblems.length) {
      // Once per start, here only: every stage then runs on the same parsed settings.
      this.d.log.warn('stored camera settings invalid, defaults used for those parts: save the camera settings again', {
        cameraId: camera.id,
        problems: camera.settingsProblems,
      });
    }
    try {
      await this.d.runtime.start(camera, credentials);
    } catch (err) {
      // The runtime reports the camera's state on the bus; a failed start is not a failed registration.
      this.d.log.error('camera did not start', { cameraId: camera.id, err });
    }
  }

  private async stopSafely(id: number): Promise<void> {
    try {
      await this.d.runtime.stop(id);
    } catch (err) {
      this.d.log.error('camera did not stop cleanly', { cameraId: id, err });
    }
  }
}

/**
 * The URL parser drops tabs and newlines ("ht\ttp://…" parses as http://…) but ffmpeg receives
 * the raw string and opens it as a file: the string ffmpeg gets must be the one validated.
 */
function checkUrlCharacters(url: string, field: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(url)) {
    throw new AppError('validation', `${field}: must not contain control characters (tab, newline …)`, 400, {
      field,
      params: { reason: 'control characters' },
    });
  }
}

function rejectControlCharacters(streams: CameraStreams | undefined): void {
  if (!streams) return;
  checkUrlCharacters(streams.detect.url, 'body.streams.detect.url');
  if (streams.record) checkUrlCharacters(streams.record.url, 'body.streams.record.url');
}

/** Stream URLs lose any credentials typed into them; those become the camera's credentials. */
function splitStreams(streams: CameraStreams | undefined): { streams: CameraStreams | undefined; credentials: CameraCredentials | null } {
  if (!streams) return { streams: undefined, credentials: null };
  const detect = splitUrlCredentials(streams.detect.url);
  const record = streams.record ? splitUrlCredentials(streams.record.url) : undefined;
  const out: CameraStreams = { detect: { ...streams.detect, url: detect.url } };
  if (streams.record && record) out.record = { ...streams.record, url: record.url };
  return { streams: out, credentials: detect.credentials ?? record?.credentials ?? null };
}

export function streamsFromProbe(p: ProbeResult): CameraStreams {
  const spec = (token: string): StreamSpec => {
    const prof = p.profiles.find((x) => x.token === token)!;
    const s: StreamSpec = { url: prof.streamUri, profileToken: prof.token, width: prof.width, height: prof.height };
    if (prof.fps !== null) s.fps = prof.fps;
    if (prof.encoding) s.codec = prof.encoding.toLowerCase();
    return s;
  };
  const detect = spec(p.defaults.detect);
  return p.defaults.record === p.defaults.detect ? { detect } : { detect, record: spec(p.defaults.record) };
}

function validateSettings(value: Record<string, unknown>): Record<string, unknown> {
  const r = cameraSettingsSchema.safeParse(value);
  if (r.success) return r.data as Record<string, unknown>;
  const first = r.error.issues[0]!;
  const field = ['body', 'settings', ...first.path.map(String), ...(first.code === 'unrecognized_keys' ? [first.keys[0] ?? ''] : [])].join('.');
  throw new AppError('validation', `${field}: ${first.message}`, 400, { field, params: { reason: first.message, issues: r.error.issues } });
}
