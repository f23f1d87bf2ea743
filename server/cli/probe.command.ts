import { describeOffsetFromHere, isProbeError } from '../cameras/camera.errors.js';
import { probeOnvif, PROBE_DEFAULTS, type ProbeResult } from '../cameras/onvif.probe.js';
import { parseProbeTarget } from '../cameras/onvif.target.js';
import { AppError } from '../shared/errors.js';
import type { Command } from './cli.commands.js';

/**
 * `binhyen probe <host[:port]|url> --user U --password P [--json]`: a technician's everyday
 * tool. Reads one camera over ONVIF and prints what registering it needs. The exit status
 * says what failed, so scripts can act on it.
 */
const USAGE = [
  'binhyen probe <host[:port]|device-service-url> [--user U] [--password P | --password-stdin] [--timeout S] [--skip-rtsp-check] [--json]',
  '  exit status: 0 ok, 2 bad input, 3 unreachable, 4 not ONVIF, 5 wrong credentials, 6 no media profiles, 7 RTSP unreachable',
  '  (--password shows in the process list; prefer --password-stdin on shared machines)',
].join('\n');

export const EXIT: Record<string, number> = { validation: 2, unreachable: 3, not_onvif: 4, wrong_credentials: 5, no_media_profiles: 6, rtsp_unreachable: 7 };

interface Values {
  user?: string;
  password?: string;
  'password-stdin'?: boolean;
  timeout?: string;
  'skip-rtsp-check'?: boolean;
  json?: boolean;
}

/** The JSON the issue specifies, plus the clock offset, the default profiles and the warnings ({code, call, detail}). */
export function probeJson(r: ProbeResult) {
  return {
    manufacturer: r.manufacturer,
    model: r.model,
    firmware: r.firmware,
    serial: r.serial,
    hardwareId: r.hardwareId,
    profiles: r.profiles.map((p) => ({
      token: p.token,
      name: p.name,
      encoding: p.encoding,
      width: p.width,
      height: p.height,
      fps: p.fps,
      streamUri: p.streamUri,
    })),
    snapshotUri: r.snapshotUri,
    ptz: r.ptz,
    events: r.events,
    clockOffsetMs: r.clockOffsetMs,
    defaults: r.defaults,
    warnings: r.warnings,
  };
}

function probeText(r: ProbeResult): string {
  const role = (t: string) => [t === r.defaults.detect ? 'detect' : '', t === r.defaults.record ? 'record' : ''].filter(Boolean).join('+');
  const lines = [
    `${r.manufacturer ?? '?'} ${r.model ?? '?'}  firmware ${r.firmware ?? '?'}  serial ${r.serial ?? '?'}  hardware ${r.hardwareId ?? '?'}`,
    `Device service: ${r.deviceServiceUrl}  (login: ${r.auth})`,
    r.clockOffsetMs === null ? 'Camera clock: unknown' : `Camera clock: ${describeOffsetFromHere(r.clockOffsetMs)} (events are stamped with server time)`,
    'Profiles:',
    ...r.profiles.map(
      (p) =>
        `  ${role(p.token) ? '*' : ' '} ${p.token}  ${p.name}  ${p.encoding ?? '?'} ${p.width}x${p.height} ${p.fps ?? '?'} fps ${p.bitrate ?? '?'} kbit/s  ${p.streamUri}${role(p.token) ? `  [${role(p.token)}]` : ''}`,
    ),
    `Snapshot: ${r.snapshotUri ?? 'none'}`,
    `PTZ: ${r.ptz ? 'yes' : 'no'}  Events: ${r.events ? 'yes' : 'no'}`,
    ...r.warnings.map((w) => `Warning [${w.code}] ${w.call}: ${w.detail}`),
  ];
  return lines.join('\n');
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** The camera login options `probe`, `events` and `ptz` share (with --json). */
export const CAMERA_LOGIN_OPTIONS: Command['options'] = {
  user: { type: 'string', short: 'u' },
  password: { type: 'string', short: 'p' },
  'password-stdin': { type: 'boolean' },
  json: { type: 'boolean' },
};

export const probeCommand: Command = {
  summary: 'Read an ONVIF camera: device info, profiles, stream and snapshot URIs, clock offset',
  usage: USAGE,
  allowPositionals: true,
  options: { ...CAMERA_LOGIN_OPTIONS, timeout: { type: 'string' }, 'skip-rtsp-check': { type: 'boolean' } },
  async run({ values, positionals }) {
    const v = values as Values;
    const fail = (err: AppError) => {
      if (v.json) process.stdout.write(JSON.stringify({ error: { code: err.code, message: err.message } }) + '\n');
      else process.stderr.write(`probe failed [${err.code}]: ${err.message}\n`);
      return EXIT[err.code] ?? 1;
    };
    try {
      if (positionals.length !== 1) throw new AppError('validation', `give exactly one camera address\nUsage: ${USAGE}`);
      const seconds = v.timeout === undefined ? PROBE_DEFAULTS.deadlineMs / 1000 : Number(v.timeout);
      if (!Number.isFinite(seconds) || seconds < 1 || seconds > 300)
        throw new AppError('validation', '--timeout must be a number of seconds between 1 and 300');
      const target = parseProbeTarget(positionals[0]!, 'address');
      const password = v['password-stdin'] ? await readStdin() : (v.password ?? target.password);
      const result = await probeOnvif(
        { url: target.url, username: v.user ?? target.username, password },
        { deadlineMs: seconds * 1000, callTimeoutMs: Math.min(PROBE_DEFAULTS.callTimeoutMs, seconds * 1000), checkRtsp: !v['skip-rtsp-check'] },
      );
      process.stdout.write((v.json ? JSON.stringify(probeJson(result)) : probeText(result)) + '\n');
      return 0;
    } catch (err) {
      if (err instanceof AppError && (err.code === 'validation' || isProbeError(err))) return fail(err);
      throw err;
    }
  },
};
