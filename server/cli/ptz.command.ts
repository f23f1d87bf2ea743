import { isProbeError } from '../cameras/camera.errors.js';
import { OnvifPtz } from '../cameras/onvif.ptz.js';
import { OnvifClient, SoapFault } from '../cameras/onvif.soap.js';
import { parseProbeTarget } from '../cameras/onvif.target.js';
import { AppError } from '../shared/errors.js';
import type { Command } from './cli.commands.js';
import { CAMERA_LOGIN_OPTIONS, EXIT, readStdin } from './probe.command.js';

/**
 * `binhyen ptz <host[:port]|url> --user U --password P <command>`: move a PTZ camera from the
 * field, to check its PTZ works before the police rely on it from the camera page.
 */
const USAGE = [
  'binhyen ptz <host[:port]|device-service-url> [--user U] [--password P | --password-stdin] [--profile TOKEN] [--json] <command>',
  '  commands: move <pan> <tilt> [zoom] [--seconds N]   (speeds -1..1; stops after N seconds, default 1)',
  '            stop | presets | goto <preset-token> | set <name> | home',
  '  negative speeds: put the command after --, e.g. binhyen ptz 192.168.1.64 --user admin -- move -0.5 0',
  '  exit status as binhyen probe; 8 the camera refused the command or has no PTZ',
].join('\n');

interface Values {
  user?: string;
  password?: string;
  'password-stdin'?: boolean;
  profile?: string;
  seconds?: string;
  json?: boolean;
}

const speed = (s: string | undefined, name: string) => {
  const n = Number(s ?? 0);
  if (!Number.isFinite(n) || n < -1 || n > 1) throw new AppError('validation', `${name} must be a speed between -1 and 1`);
  return n;
};

async function runCommand(ptz: OnvifPtz, args: string[], v: Values): Promise<unknown> {
  const [cmd, ...rest] = args;
  switch (cmd) {
    case 'move': {
      const seconds = v.seconds === undefined ? 1 : Number(v.seconds);
      if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 60) throw new AppError('validation', '--seconds must be between 0 and 60');
      await ptz.move({ pan: speed(rest[0], 'pan'), tilt: speed(rest[1], 'tilt'), zoom: speed(rest[2], 'zoom') }, Math.ceil(seconds) + 1);
      await new Promise((r) => setTimeout(r, seconds * 1000));
      await ptz.stop();
      return { moved: true, seconds };
    }
    case 'stop':
      await ptz.stop();
      return { stopped: true };
    case 'presets':
      return { presets: await ptz.presets() };
    case 'goto':
      if (!rest[0]) throw new AppError('validation', 'goto needs a preset token (see `presets`)');
      await ptz.gotoPreset(rest[0]);
      return { preset: rest[0] };
    case 'set':
      if (!rest[0]) throw new AppError('validation', 'set needs a name for the preset');
      return { presetToken: await ptz.setPreset(rest.join(' ')) };
    case 'home':
      await ptz.home();
      return { home: true };
    default:
      throw new AppError('validation', `unknown PTZ command "${cmd ?? ''}"\nUsage: ${USAGE}`);
  }
}

export const ptzCommand: Command = {
  summary: 'Move a PTZ camera over ONVIF: move, stop, presets, goto, set, home',
  usage: USAGE,
  allowPositionals: true,
  options: { ...CAMERA_LOGIN_OPTIONS, profile: { type: 'string' }, seconds: { type: 'string' } },
  async run({ values, positionals }) {
    const v = values as Values;
    try {
      if (positionals.length < 2) throw new AppError('validation', `give a camera address and a command\nUsage: ${USAGE}`);
      const target = parseProbeTarget(positionals[0]!, 'address');
      const password = v['password-stdin'] ? await readStdin() : (v.password ?? target.password);
      const client = new OnvifClient(target.url, {
        username: v.user ?? target.username,
        password,
        callTimeoutMs: 5000,
        deadlineMs: 15_000,
        maxReplyBytes: 1 << 20,
      });
      const ptz = await OnvifPtz.connect(client, v.profile);
      const out = await runCommand(ptz, positionals.slice(1), v);
      const presets = (out as { presets?: { token: string; name: string }[] }).presets;
      process.stdout.write((v.json ? JSON.stringify(out) : presets ? presets.map((p) => `${p.token}  ${p.name}`).join('\n') : 'ok') + '\n');
      return 0;
    } catch (err) {
      const e = err instanceof SoapFault ? new AppError('ptz_refused', err.message, 422) : err;
      if (e instanceof AppError && (e.code === 'validation' || e.code === 'no_ptz' || e.code === 'ptz_refused' || isProbeError(e))) {
        process.stderr.write(`ptz failed [${e.code}]: ${e.message}\n`);
        return EXIT[e.code] ?? 8;
      }
      throw err;
    }
  },
};
