import { isProbeError } from './camera.errors.js';
import { SoapFault, type OnvifClient } from './onvif.soap.js';

/**
 * What a probe learned was wrong without failing: a call the camera refused or answered badly,
 * or a field it left out. Structured (`code`, `call`, `detail`) so the panel can say it in
 * Vietnamese; `detail` is the camera's own words or the parser's, for the technician's report.
 */
export const PROBE_WARNING_CODES = [
  'refused',
  'bad_reply',
  'no_answer',
  'not_allowed',
  'no_clock',
  'profile_unusable',
  'no_stream_uri',
  'snapshot_address_refused',
  'h265_profile',
] as const;
export type ProbeWarningCode = (typeof PROBE_WARNING_CODES)[number];

export interface ProbeWarning {
  code: ProbeWarningCode;
  /** The ONVIF call concerned (GetSnapshotUri, GetEventProperties …). */
  call: string;
  detail: string;
}

/** Reasons that, before the device has answered ONVIF once, mean "wrong port": they stop the probe. */
const WRONG_PORT = new Set(['http_status', 'not_xml']);
/** Transport failures that, once the device has answered, concern that one call only. */
const ONE_CALL = new Set(['timeout', 'reset', 'too_large']);

export class ProbeWarnings {
  readonly list: ProbeWarning[] = [];
  /** An authenticated call has succeeded: a later credentials refusal is a permission, not a wrong password. */
  authOk = false;

  constructor(private readonly client: OnvifClient) {}

  add(code: ProbeWarningCode, call: string, detail: string): void {
    this.list.push({ code, call, detail: detail.slice(0, 300) });
  }

  /** Runs an optional call: its failure becomes a warning unless it says the whole probe cannot work. */
  async optional<T>(call: string, p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (err) {
      const w = this.downgrade(err);
      if (!w) throw err;
      this.add(w.code, call, w.detail);
      return undefined;
    }
  }

  /** The warning an optional call's failure becomes, or null when it must stop the probe. */
  downgrade(err: unknown): Omit<ProbeWarning, 'call'> | null {
    if (err instanceof SoapFault) return { code: 'refused', detail: `${err.subcode ?? ''} ${err.reason}`.trim() };
    if (!isProbeError(err)) return null;
    const params = (err.details.params ?? {}) as Record<string, unknown>;
    const reason = String(params.reason ?? '');
    const answered = this.client.answered;
    if (err.code === 'not_onvif' && (answered || !WRONG_PORT.has(reason))) return { code: 'bad_reply', detail: `${reason}: ${String(params.detail ?? '')}` };
    if (err.code === 'unreachable' && answered && ONE_CALL.has(reason)) return { code: 'no_answer', detail: reason };
    if (err.code === 'wrong_credentials' && this.authOk) return { code: 'not_allowed', detail: String(params.method ?? '') };
    return null;
  }
}
