import { AppError } from '../shared/errors.js';

/**
 * The manual path: what a technician types (an IP, host:port or a device-service URL) becomes
 * the device-service URL to probe. Credentials typed inside a URL are split off so they never
 * travel further as part of it.
 */
export const DEFAULT_DEVICE_PATH = '/onvif/device_service';

export interface ProbeTarget {
  url: URL;
  username?: string;
  password?: string;
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?$/;

export function parseProbeTarget(input: string, field = 'target'): ProbeTarget {
  const raw = input.trim();
  const bad = (why: string) =>
    new AppError(
      'validation',
      `${field}: ${why}; type an IP address (192.168.1.64), host:port (192.168.1.64:8000) or a device service URL (http://192.168.1.64/onvif/device_service)`,
      400,
      { field, params: { reason: why } },
    );
  if (!raw) throw bad('empty');
  if (raw.length > 500) throw bad('too long');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return fromUrl(raw, bad);
  const m = HOST_PORT.exec(raw);
  if (!m) throw bad(`"${raw.slice(0, 60)}" is not an address`);
  const port = m[2] ? Number(m[2]) : 80;
  if (port < 1 || port > 65535) throw bad(`port ${port} is out of range`);
  return { url: new URL(`http://${m[1]}${port === 80 ? '' : `:${port}`}${DEFAULT_DEVICE_PATH}`) };
}

function fromUrl(raw: string, bad: (why: string) => AppError): ProbeTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(`scheme ${url.protocol} is not http: or https:`);
  if (!url.hostname) throw bad('no host');
  const out: ProbeTarget = { url };
  if (url.username) out.username = decodeURIComponent(url.username);
  if (url.password) out.password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  if (url.pathname === '/' || url.pathname === '') url.pathname = DEFAULT_DEVICE_PATH;
  url.hash = '';
  return out;
}

/** host:port as a camera is registered and discovered, for "already registered" checks. */
export function hostPortOf(url: string): string | null {
  try {
    const u = new URL(url);
    return `${u.hostname.toLowerCase()}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return null;
  }
}
