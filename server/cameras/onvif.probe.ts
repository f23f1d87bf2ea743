import { noMediaProfiles, rtspUnreachable } from './camera.errors.js';
import { checkUrlAllowed, isTargetNotAllowed, type TargetGuard } from './network.guard.js';
import { NS } from './onvif.auth.js';
import type { HttpPost } from './onvif.http.js';
import {
  readCapabilities,
  readDeviceInformation,
  readServices,
  readSystemDateAndTime,
  type DeviceInfo,
  type MediaProfile,
  type ServiceAddresses,
} from './onvif.parse.js';
import { OnvifClient, SoapFault, type AuthMethod } from './onvif.soap.js';
import { mediaService, type MediaService } from './onvif.media.js';
import { readExtras } from './onvif.probe.extras.js';
import { ProbeWarnings, type ProbeWarning } from './onvif.warnings.js';
import type { ProbeTarget } from './onvif.target.js';
import { checkStream, type StreamCheck } from './stream.check.js';

/**
 * Probe: what a technician needs to register an ONVIF camera, read within one deadline —
 * device information, clock offset, profiles with their stream URIs (host rewritten to the
 * address the camera was reached at, for NAT), snapshot URI, PTZ/events capabilities, and the
 * default detect/record profiles. Every failure is one classified AppError (camera.errors.ts).
 */
export interface ProbeOptions {
  /** Limit for one SOAP call, connect to last byte. */
  callTimeoutMs?: number;
  /** Limit for the whole probe. */
  deadlineMs?: number;
  maxReplyBytes?: number;
  /** Talk to the address typed, not the service addresses the camera advertises (NAT). Default true. */
  preserveAddress?: boolean;
  /** Check the default streams answer RTSP (else rtsp_unreachable). Default true. */
  checkRtsp?: boolean;
  maxProfiles?: number;
  post?: HttpPost;
  streamCheck?: StreamCheck;
  /**
   * The camera address ranges (the server's probes; the command line has none): the device,
   * the services and streams the camera names, and its snapshot URI are all checked.
   */
  guard?: TargetGuard;
  now?: () => number;
}

export interface ProbeProfile extends MediaProfile {
  /** Without credentials; host rewritten for NAT when preserveAddress. */
  streamUri: string;
  /** What the camera said, when it differs from streamUri. */
  advertisedStreamUri: string | null;
}

export interface ProbeResult extends DeviceInfo {
  deviceServiceUrl: string;
  clockOffsetMs: number | null;
  clockSource: 'utc' | 'local' | null;
  auth: AuthMethod;
  profiles: ProbeProfile[];
  snapshotUri: string | null;
  ptz: boolean;
  events: boolean;
  defaults: { detect: string; record: string };
  warnings: ProbeWarning[];
}

export const PROBE_DEFAULTS = { callTimeoutMs: 5_000, deadlineMs: 20_000, maxReplyBytes: 2 * 1024 * 1024, maxProfiles: 16 };

export async function probeOnvif(target: ProbeTarget, options: ProbeOptions = {}): Promise<ProbeResult> {
  const o = { ...PROBE_DEFAULTS, preserveAddress: true, checkRtsp: true, ...options };
  const now = o.now ?? Date.now;
  const client = new OnvifClient(target.url, {
    username: target.username,
    password: target.password,
    callTimeoutMs: o.callTimeoutMs,
    deadlineMs: o.deadlineMs,
    maxReplyBytes: o.maxReplyBytes,
    post: o.post,
    guard: o.guard,
    now,
  });
  const w = new ProbeWarnings(client);
  const device = (action: string, inner = '') =>
    client.call({ url: target.url, ns: NS.device, action, inner, authenticate: action !== 'GetSystemDateAndTime' });

  const sent = now();
  const sdt = await w.optional('GetSystemDateAndTime', device('GetSystemDateAndTime'));
  const clock = sdt ? readSystemDateAndTime(sdt) : null;
  // The camera reports whole seconds (truncated): half a second is its expected fraction.
  if (clock) client.clockOffsetMs = Math.round(clock.at + 500 - (sent + now()) / 2);
  else if (sdt) w.add('no_clock', 'GetSystemDateAndTime', 'the camera did not report its date and time; its clock offset is unknown');
  // Device information or a working media service is enough: the first failing is only a warning once profiles are read.
  const infoFailure = await device('GetDeviceInformation').then(
    (el) => ((w.authOk = true), readDeviceInformation(el)),
    (err: unknown) => deviceInfoFailure(err, w),
  );

  const services = await readServiceAddresses(client, target.url, w);
  const at = (xaddr: string | undefined) => serviceUrl(xaddr, target.url, o.preserveAddress);
  const media = mediaService(client, services, at);

  const profiles = await readStreamProfiles(client, media, target.url, o, w);
  const info = 'failure' in infoFailure ? (w.add(infoFailure.failure.code, 'GetDeviceInformation', infoFailure.failure.detail), NO_INFO) : infoFailure;
  const defaults = pickDefaults(profiles);
  const snapshotUri = await w
    .optional('GetSnapshotUri', media.snapshotUri(defaults.detect))
    .then((uri) => (uri ? rewriteUri(uri, target.url, o.preserveAddress, 'http') : null))
    .then((uri) => (uri && o.guard ? allowedOrDropped(uri, o.guard, w) : uri));
  const where = (xaddr: string | undefined) => (xaddr ? at(xaddr) : undefined);
  await readExtras(client, w, { events: where(services.events), ptz: where(services.ptz), imaging: where(services.imaging) });

  const streamCheck = o.streamCheck ?? ((uri: string, ms: number) => checkStream(uri, ms, o.guard));
  if (o.checkRtsp) await checkDefaultStreams(profiles, defaults, streamCheck, Math.min(o.callTimeoutMs, 5_000));
  return {
    ...info,
    deviceServiceUrl: target.url.href,
    clockOffsetMs: client.clockOffsetMs,
    clockSource: clock?.source ?? null,
    auth: client.auth,
    profiles,
    snapshotUri: snapshotUri?.uri ?? null,
    ptz: services.ptz !== undefined || profiles.some((p) => p.ptz),
    events: services.events !== undefined,
    defaults,
    warnings: w.list,
  };
}

const NO_INFO: DeviceInfo = { manufacturer: null, model: null, firmware: null, serial: null, hardwareId: null };

/** GetDeviceInformation failed: kept for a warning if media answers; a failure that stops everything is thrown. */
function deviceInfoFailure(err: unknown, w: ProbeWarnings): { failure: Omit<ProbeWarning, 'call'> } {
  const failure = w.downgrade(err);
  if (!failure || failure.code === 'not_allowed') throw err;
  return { failure };
}

export async function readServiceAddresses(client: OnvifClient, url: URL, w: ProbeWarnings): Promise<ServiceAddresses> {
  const caps = await w.optional(
    'GetCapabilities',
    client.call({ url, ns: NS.device, action: 'GetCapabilities', inner: '<tds:Category>All</tds:Category>', authenticate: true }),
  );
  const fromCaps = caps ? readCapabilities(caps) : {};
  // GetServices is the newer call; older firmware only has GetCapabilities, newer may lack PTZ there.
  const svc = await w.optional(
    'GetServices',
    client.call({ url, ns: NS.device, action: 'GetServices', inner: '<tds:IncludeCapability>false</tds:IncludeCapability>', authenticate: true }),
  );
  return { ...(svc ? readServices(svc) : {}), ...fromCaps };
}

async function readStreamProfiles(
  client: OnvifClient,
  media: MediaService,
  reached: URL,
  o: Required<Pick<ProbeOptions, 'preserveAddress' | 'maxProfiles'>>,
  w: ProbeWarnings,
): Promise<ProbeProfile[]> {
  let listed;
  try {
    listed = await media.profiles();
  } catch (err) {
    if (err instanceof SoapFault) throw noMediaProfiles(client.where, `GetProfiles refused: ${err.reason || err.subcode}`);
    throw err;
  }
  w.authOk = true;
  for (const s of listed.skipped) w.add('profile_unusable', 'GetProfiles', `profile ${s}`);
  if (!listed.usable.length) throw noMediaProfiles(client.where, listed.skipped.length ? listed.skipped.join('; ') : 'the camera lists no media profiles');
  const out: ProbeProfile[] = [];
  for (const p of listed.usable.slice(0, o.maxProfiles)) {
    const raw = (await w.optional('GetStreamUri', media.streamUri(p.token))) ?? null;
    const uri = raw ? rewriteUri(raw, reached, o.preserveAddress, 'rtsp') : null;
    if (!uri) {
      w.add('no_stream_uri', 'GetStreamUri', `profile "${p.name}" (${p.token}) has no usable stream URI`);
      continue;
    }
    out.push({ ...p, streamUri: uri.uri, advertisedStreamUri: uri.advertised });
    // Browsers cannot play H.265: the technician picks an H.264 profile for live viewing where there is one.
    if (p.encoding && /265|hevc/i.test(p.encoding)) w.add('h265_profile', 'GetProfiles', `"${p.name}" (${p.token})`);
  }
  if (!out.length) throw noMediaProfiles(client.where, 'no profile returned a stream URI');
  return out;
}

/** Detect: the smallest profile at least 640 px wide (else the largest); record: the largest. */
export function pickDefaults(profiles: Pick<ProbeProfile, 'token' | 'width' | 'height'>[]): { detect: string; record: string } {
  const area = (p: { width: number; height: number }) => p.width * p.height;
  const bySize = [...profiles].sort((a, b) => area(a) - area(b));
  const largest = bySize[bySize.length - 1]!;
  const detect = bySize.find((p) => p.width >= 640) ?? largest;
  return { detect: detect.token, record: largest.token };
}

async function checkDefaultStreams(profiles: ProbeProfile[], d: { detect: string; record: string }, check: StreamCheck, timeoutMs: number) {
  for (const token of new Set([d.detect, d.record])) {
    const p = profiles.find((x) => x.token === token)!;
    const r = await check(p.streamUri, timeoutMs);
    if (!r.ok) throw rtspUnreachable(p.streamUri, r.reason, p.advertisedStreamUri);
  }
}

/** A snapshot URI the camera names at a refused address is left out (nothing fetches it then). */
async function allowedOrDropped<T extends { uri: string }>(snapshot: T, guard: TargetGuard, w: ProbeWarnings): Promise<T | null> {
  try {
    await checkUrlAllowed(guard, snapshot.uri);
    return snapshot;
  } catch (err) {
    if (!isTargetNotAllowed(err)) throw err;
    w.add('snapshot_address_refused', 'GetSnapshotUri', 'the snapshot URI the camera gave is at an address cameras may not use; it was left out');
    return null;
  }
}

/** The service at its advertised path but on the host and port the camera was reached at (NAT). */
export function serviceUrl(xaddr: string | undefined, reached: URL, preserve: boolean): URL {
  if (!xaddr) return reached;
  let u: URL;
  try {
    u = new URL(xaddr.trim().split(/\s+/)[0]!);
  } catch {
    return reached;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return reached;
  return preserve ? new URL(u.pathname + u.search, reached.origin) : u;
}

/**
 * Stream and snapshot URIs: credentials removed (they are added only when ffmpeg is spawned),
 * host rewritten to the address the camera was reached at, port and path kept.
 */
export function rewriteUri(raw: string, reached: URL, preserve: boolean, kind: 'rtsp' | 'http'): { uri: string; advertised: string | null } | null {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return null;
  }
  const okScheme = kind === 'rtsp' ? /^(rtsps?|https?):$/ : /^https?:$/;
  if (!okScheme.test(u.protocol) || !u.hostname) return null;
  u.username = '';
  u.password = '';
  const advertised = u.href;
  if (preserve && u.hostname !== reached.hostname) u.hostname = reached.hostname;
  return { uri: u.href, advertised: advertised === u.href ? null : advertised };
}
