import { NS } from './onvif.auth.js';
import { attrLocal, child, children, intAt, path, textAt, type XmlElement } from './onvif.xml.js';

/**
 * Readers for the ONVIF replies the probe uses (device WSDL ver10, media WSDL ver10, schema
 * ver10). Fields are matched by local name below the namespace-checked response element, and
 * a missing field gives null rather than an exception: cheap firmware leaves things out.
 */

export interface DeviceInfo {
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  serial: string | null;
  hardwareId: string | null;
}

export function readDeviceInformation(el: XmlElement): DeviceInfo {
  return {
    manufacturer: textAt(el, 'Manufacturer'),
    model: textAt(el, 'Model'),
    firmware: textAt(el, 'FirmwareVersion'),
    serial: textAt(el, 'SerialNumber'),
    hardwareId: textAt(el, 'HardwareId'),
  };
}

/** Camera UTC time in epoch ms from GetSystemDateAndTimeResponse, or null when absent or invalid. */
export function readSystemDateAndTime(el: XmlElement): { at: number; source: 'utc' | 'local' } | null {
  const sdt = child(el, 'SystemDateAndTime');
  const utc = readDateTime(child(sdt, 'UTCDateTime'));
  if (utc !== null) return { at: utc, source: 'utc' };
  // Some firmware fills only LocalDateTime; without a parsable TZ the offset is approximate.
  const local = readDateTime(child(sdt, 'LocalDateTime'));
  return local === null ? null : { at: local, source: 'local' };
}

function readDateTime(dt: XmlElement | undefined): number | null {
  if (!dt) return null;
  const [y, mo, d] = [intAt(dt, 'Date', 'Year'), intAt(dt, 'Date', 'Month'), intAt(dt, 'Date', 'Day')];
  const [h, mi, s] = [intAt(dt, 'Time', 'Hour'), intAt(dt, 'Time', 'Minute'), intAt(dt, 'Time', 'Second')];
  if (y === null || mo === null || d === null || h === null || mi === null || s === null) return null;
  if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  return Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59));
}

export interface ServiceAddresses {
  media?: string;
  events?: string;
  ptz?: string;
  imaging?: string;
  media2?: string;
}

/** GetCapabilitiesResponse → service addresses (Media, Events, PTZ). */
export function readCapabilities(el: XmlElement): ServiceAddresses {
  const caps = child(el, 'Capabilities');
  const out: ServiceAddresses = {};
  const media = textAt(caps, 'Media', 'XAddr');
  const events = textAt(caps, 'Events', 'XAddr');
  const ptz = textAt(caps, 'PTZ', 'XAddr');
  const imaging = textAt(caps, 'Imaging', 'XAddr');
  if (imaging) out.imaging = imaging;
  if (media) out.media = media;
  if (events) out.events = events;
  if (ptz) out.ptz = ptz;
  return out;
}

/** GetServicesResponse → the same addresses, keyed by service namespace. */
export function readServices(el: XmlElement): ServiceAddresses {
  const out: ServiceAddresses = {};
  for (const s of children(el, 'Service')) {
    const ns = textAt(s, 'Namespace');
    const xaddr = textAt(s, 'XAddr');
    if (!ns || !xaddr) continue;
    if (ns === NS.media) out.media = xaddr;
    else if (ns === NS.events) out.events = xaddr;
    else if (ns === NS.ptz) out.ptz = xaddr;
    else if (ns === NS.imaging) out.imaging = xaddr;
    else if (ns === NS.media2) out.media2 = xaddr;
  }
  return out;
}

export interface MediaProfile {
  token: string;
  name: string;
  encoding: string | null;
  width: number;
  height: number;
  fps: number | null;
  /** kbit/s as the camera reports it. */
  bitrate: number | null;
  ptz: boolean;
}

/** GetProfilesResponse → profiles with a video encoder and a resolution; others cannot be streamed. */
export function readProfiles(el: XmlElement): { usable: MediaProfile[]; skipped: string[] } {
  const usable: MediaProfile[] = [];
  const skipped: string[] = [];
  for (const p of children(el, 'Profiles')) {
    const token = attrLocal(p, 'token');
    const name = textAt(p, 'Name') ?? token ?? '';
    const vec = child(p, 'VideoEncoderConfiguration');
    const width = intAt(vec, 'Resolution', 'Width');
    const height = intAt(vec, 'Resolution', 'Height');
    if (!token) {
      skipped.push(`"${name}" has no token`);
      continue;
    }
    if (!vec || !width || !height || width <= 0 || height <= 0) {
      skipped.push(`"${name}" has no video encoder resolution`);
      continue;
    }
    usable.push({
      token,
      name,
      width,
      height,
      encoding: textAt(vec, 'Encoding'),
      fps: positive(intAt(vec, 'RateControl', 'FrameRateLimit')),
      bitrate: positive(intAt(vec, 'RateControl', 'BitrateLimit')),
      ptz: path(p, 'PTZConfiguration') !== undefined,
    });
  }
  return { usable, skipped };
}

const positive = (n: number | null) => (n !== null && n > 0 ? n : null);

/** GetStreamUriResponse / GetSnapshotUriResponse → MediaUri/Uri. */
export function readMediaUri(el: XmlElement): string | null {
  return textAt(el, 'MediaUri', 'Uri');
}
