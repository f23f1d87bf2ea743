import { AppError } from '../shared/errors.js';

/**
 * Classified onboarding failures. Each code has one message a technician can act on in the
 * field; `params.reason` says which variant happened (for the UI's translation and for tests).
 */
export const PROBE_ERROR_CODES = ['unreachable', 'not_onvif', 'wrong_credentials', 'no_media_profiles', 'rtsp_unreachable'] as const;
export type ProbeErrorCode = (typeof PROBE_ERROR_CODES)[number];

export type TransportReason = 'refused' | 'timeout' | 'dns' | 'no_route' | 'reset' | 'tls' | 'too_large' | 'deadline';
export type NotOnvifReason =
  'http_status' | 'not_xml' | 'malformed_xml' | 'dtd_forbidden' | 'too_large' | 'too_complex' | 'wrong_namespace' | 'missing_field' | 'soap_fault';

/**
 * A camera refusing its password is 422, never 401: the browser reads a 401 from BinhYen's own
 * API as "your session expired" and would send the technician to the login page.
 */
const STATUS: Record<ProbeErrorCode, number> = {
  unreachable: 504,
  not_onvif: 502,
  wrong_credentials: 422,
  no_media_profiles: 422,
  rtsp_unreachable: 502,
};

export function probeError(code: ProbeErrorCode, message: string, params: Record<string, unknown>): AppError {
  return new AppError(code, message, STATUS[code], { params });
}

export const isProbeError = (err: unknown): err is AppError => err instanceof AppError && (PROBE_ERROR_CODES as readonly string[]).includes(err.code);

const PORT_HINT = 'ONVIF usually listens on port 80, 8000, 8080, 8899 or 2020';

export function unreachable(where: string, reason: TransportReason, stage: string, seconds: number): AppError {
  const what: Record<TransportReason, string> = {
    refused: `refused the connection: nothing listens on that port (${PORT_HINT})`,
    timeout:
      stage === 'GetSystemDateAndTime'
        ? `did not answer within ${seconds} s: check the camera is powered and on this network, and the address`
        : `stopped answering during ${stage} (no complete reply within ${seconds} s); the camera may be overloaded or the link poor — retry, or reboot the camera`,
    deadline: `did not finish answering within the ${seconds} s limit (during ${stage}); the camera or the link is too slow — retry closer to the camera`,
    dns: "is a host name that does not resolve: type the camera's IP address instead",
    no_route: "cannot be reached from this computer (no route to host): check you are on the camera's network or VPN",
    reset: `closed the connection during ${stage}: check the port (${PORT_HINT}) and that ONVIF is enabled`,
    tls: "failed the HTTPS handshake: try http:// and the camera's ONVIF port",
    too_large: `sent a reply to ${stage} larger than allowed`,
  };
  return probeError('unreachable', `Camera ${where} ${what[reason]}.`, { reason, where, stage });
}

/**
 * `afterOnvif`: the device already answered ONVIF earlier in the probe, so the port is right and
 * the firmware sent one unusable reply — a different thing to fix than a wrong port.
 */
export function notOnvif(where: string, reason: NotOnvifReason, stage: string, detail: string, afterOnvif = false): AppError {
  const why: Record<NotOnvifReason, string> = {
    http_status: `answered HTTP ${detail} instead of an ONVIF reply`,
    not_xml: 'answered something that is not XML',
    malformed_xml: `sent malformed XML (${detail})`,
    dtd_forbidden: 'sent XML with a document type declaration (entity definitions), which is refused',
    too_large: `sent a reply larger than ${detail}, which is refused`,
    too_complex: `sent XML nested too deeply or with too many elements (${detail})`,
    wrong_namespace: `answered in the wrong XML namespace (${detail})`,
    missing_field: `sent a reply without ${detail}`,
    soap_fault: `refused the request with a SOAP fault (${detail})`,
  };
  const message = afterOnvif
    ? `Camera ${where} answers ONVIF, but to ${stage} it ${why[reason]}. Its firmware is faulty or incompatible: update the firmware, or register the camera with its RTSP URL instead.`
    : `${where} is not answering as an ONVIF camera: during ${stage} it ${why[reason]}. Check the port (${PORT_HINT}) and that ONVIF is enabled in the camera's settings.`;
  return probeError('not_onvif', message, { reason, where, stage, detail, afterOnvif });
}

/** Human "3 years 12 days behind" / "2 h 5 min ahead" for a clock offset, rounded to its last unit. */
export function describeOffset(ms: number): string {
  const abs = Math.abs(ms);
  const dir = ms > 0 ? 'ahead' : 'behind';
  const [day, hour, min] = [86_400_000, 3_600_000, 60_000];
  if (abs >= 365 * day) {
    const days = Math.round(abs / day);
    return `${Math.floor(days / 365)} years ${days % 365} days ${dir}`;
  }
  if (abs >= day) {
    const hours = Math.round(abs / hour);
    return `${Math.floor(hours / 24)} days ${hours % 24} h ${dir}`;
  }
  if (abs >= hour) {
    const mins = Math.round(abs / min);
    return `${Math.floor(mins / 60)} h ${mins % 60} min ${dir}`;
  }
  return `${Math.round(abs / 1000)} s ${dir}`;
}

/** "3 years 5 days behind this computer's clock" / "2 h ahead of this computer's clock". */
export const describeOffsetFromHere = (ms: number) => `${describeOffset(ms).replace(/ahead$/, 'ahead of')} this computer's clock`;

/** Beyond this the clock is worth mentioning: WS-UsernameToken replay windows are usually ±5 minutes. */
export const CLOCK_WARN_MS = 5 * 60_000;

export function wrongCredentials(where: string, username: string | undefined, clockOffsetMs: number | null, method: string): AppError {
  const who = username ? `user "${username}" with this password` : 'a request without user name and password';
  let message = `Camera ${where} refused ${who} (${method}). Check the user name and password; on many brands (Hikvision, Dahua, KBVision) ONVIF users are a separate list in the camera's settings and ONVIF login must be enabled there.`;
  if (clockOffsetMs !== null && Math.abs(clockOffsetMs) > CLOCK_WARN_MS) {
    message += ` The camera's clock is ${describeOffsetFromHere(clockOffsetMs)}; BinhYen compensates, but some firmware still rejects logins when its clock is wrong: set the camera's date and time (or NTP) and retry.`;
  }
  return probeError('wrong_credentials', message, { where, username: username ?? null, clockOffsetMs, method });
}

export function noMediaProfiles(where: string, detail: string): AppError {
  return probeError(
    'no_media_profiles',
    `Camera ${where} answers ONVIF but offers no usable video stream (${detail}). Enable or create a stream profile in the camera's web page, or register it with its RTSP URL instead.`,
    { where, detail },
  );
}

export function rtspUnreachable(streamUri: string, reason: string, advertised: string | null): AppError {
  const nat =
    advertised && advertised !== streamUri ? ` (the camera advertises ${advertised}; it is behind NAT, so its RTSP port must be forwarded as well)` : '';
  return probeError(
    'rtsp_unreachable',
    `ONVIF works, but the video stream ${streamUri} does not answer (${reason})${nat}. Check that RTSP is enabled on the camera and its RTSP port (often 554) is open or forwarded.`,
    { streamUri, reason, advertised },
  );
}
