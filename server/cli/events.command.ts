import { isProbeError } from '../cameras/camera.errors.js';
import { PULLPOINT_DEFAULTS, PullPointSubscription, type CameraEvent } from '../cameras/onvif.events.js';
import { OnvifClient } from '../cameras/onvif.soap.js';
import { parseProbeTarget } from '../cameras/onvif.target.js';
import { AppError } from '../shared/errors.js';
import type { Command } from './cli.commands.js';
import { CAMERA_LOGIN_OPTIONS, EXIT, readStdin } from './probe.command.js';

/**
 * `binhyen events <host[:port]|url> --user U --password P [--seconds N] [--json]`: watch a
 * camera's own events (motion, tamper, line crossing, I/O) through an ONVIF PullPoint
 * subscription, to check in the field that they arrive before relying on them as triggers.
 */
const USAGE = [
  'binhyen events <host[:port]|device-service-url> [--user U] [--password P | --password-stdin] [--seconds N] [--json]',
  '  prints one event per line (--json: one JSON object per line with topic, time, source, data) until N seconds or Ctrl-C',
  '  exit status as binhyen probe: 0 ok, 2 bad input, 3 unreachable, 4 not ONVIF (or no event service), 5 wrong credentials',
  '  PullPoint only: a camera without PullPoint (base notification) refuses here; the server still receives its events',
  '  (it subscribes with its own address, onvif.notifyBaseUrl)',
].join('\n');

interface Values {
  user?: string;
  password?: string;
  'password-stdin'?: boolean;
  seconds?: string;
  json?: boolean;
}

export const eventLine = (e: CameraEvent, json: boolean | undefined) =>
  json ? JSON.stringify({ topic: e.topic, time: e.time, source: e.source, data: e.data }) : `${e.time ?? '?'}  ${e.topic}  ${fmt(e.source)}  ${fmt(e.data)}`;
const fmt = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

export const eventsCommand: Command = {
  summary: "Watch a camera's ONVIF events (PullPoint subscription)",
  usage: USAGE,
  allowPositionals: true,
  options: { ...CAMERA_LOGIN_OPTIONS, seconds: { type: 'string' } },
  async run({ values, positionals }) {
    const v = values as Values;
    try {
      if (positionals.length !== 1) throw new AppError('validation', `give exactly one camera address\nUsage: ${USAGE}`);
      const seconds = v.seconds === undefined ? Infinity : Number(v.seconds);
      if (Number.isNaN(seconds) || seconds < 1) throw new AppError('validation', '--seconds must be a number of seconds, at least 1');
      const target = parseProbeTarget(positionals[0]!, 'address');
      const password = v['password-stdin'] ? await readStdin() : (v.password ?? target.password);
      const pullSeconds = Math.min(PULLPOINT_DEFAULTS.pullSeconds, Math.ceil(seconds));
      const client = new OnvifClient(target.url, {
        username: v.user ?? target.username,
        password,
        callTimeoutMs: (pullSeconds + 5) * 1000,
        deadlineMs: (pullSeconds + 10) * 1000,
        maxReplyBytes: 2 * 1024 * 1024,
      });
      const sub = await PullPointSubscription.create(client, { ...PULLPOINT_DEFAULTS, pullSeconds });
      await watch(sub, seconds, v.json);
      return 0;
    } catch (err) {
      if (err instanceof AppError && (err.code === 'validation' || isProbeError(err))) {
        process.stderr.write(`events failed [${err.code}]: ${err.message}\n`);
        return EXIT[err.code] ?? 1;
      }
      throw err;
    }
  },
};

/** Pulls until the time is up or Ctrl-C, then unsubscribes (the camera would otherwise keep it until it expires). */
async function watch(sub: PullPointSubscription, seconds: number, json: boolean | undefined): Promise<void> {
  const endAt = Date.now() + seconds * 1000;
  let stop = false;
  const onSignal = () => (stop = true);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    while (!stop && Date.now() < endAt) {
      for (const e of await sub.pull()) process.stdout.write(eventLine(e, json) + '\n');
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await sub.unsubscribe();
  }
}
