import { existsSync } from 'node:fs';
import type { CameraOnboarding, DiscoveredCamera } from '../cameras/camera.onboarding.js';
import { loadConfig } from '../config/config.load.js';
import { AppError } from '../shared/errors.js';
import { createLogger, type Logger } from '../shared/log.js';
import type { CameraRecord } from '../store/camera.repository.js';
import { openDb } from '../store/db.js';
import { createStore } from '../store/store.js';
import type { Command } from './cli.commands.js';

/**
 * `binhyen discover [--timeout S] [--interface IF]… [--target HOST[:PORT]]… [--json]`:
 * WS-Discovery on the chosen interfaces (default: config.discoveryInterfaces, else every
 * IPv4 interface), marking cameras that are already registered in this server's database.
 * With --target only, directed probes are sent and nothing is multicast.
 */
const USAGE = 'binhyen discover [--timeout S] [--interface IF]... [--target HOST[:PORT]]... [--repeat N] [--json]';

interface Values {
  timeout?: string;
  interface?: string[];
  target?: string[];
  repeat?: string;
  json?: boolean;
}

function text(devices: DiscoveredCamera[], interfaces: string[]): string {
  if (!devices.length) return `No ONVIF camera answered on ${interfaces.join(', ') || 'the given targets'}.`;
  return devices
    .map((d) =>
      [
        `${d.address}  ${d.scopes.name ?? '(no name)'}  ${d.scopes.hardware ?? ''}${d.registered ? `  [registered as camera ${d.cameraId}]` : ''}`,
        `    ${d.deviceServiceUrl ?? '(no device service address)'}${d.scopes.location ? `  location: ${d.scopes.location}` : ''}`,
        `    endpoint ${d.endpoint}`,
      ].join('\n'),
    )
    .join('\n');
}

/** Registered cameras from this server's database when there is one; discovery works without it. */
function registeredCameras(databaseUrl: string, log: Logger): { list(): Promise<CameraRecord[]>; close(): Promise<void> } {
  const file = databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : null;
  if (file !== null && (file === ':memory:' || !existsSync(file))) return { list: async () => [], close: async () => undefined };
  const db = openDb({ url: databaseUrl });
  return {
    list: async () => {
      try {
        return await createStore(db).cameras.list();
      } catch (err) {
        log.warn('cannot read registered cameras; none are marked as registered', { err });
        return [];
      }
    },
    close: () => db.destroy(),
  };
}

export const discoverCommand: Command = {
  summary: 'Find ONVIF cameras on the local network (WS-Discovery)',
  usage: USAGE,
  options: {
    timeout: { type: 'string' },
    interface: { type: 'string', multiple: true },
    target: { type: 'string', multiple: true },
    repeat: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values }) {
    const v = values as Values;
    const config = loadConfig();
    const log = createLogger(config.logLevel === 'debug' ? 'debug' : 'warn');
    const seconds = v.timeout === undefined ? 3 : Number(v.timeout);
    const repeats = v.repeat === undefined ? 3 : Number(v.repeat);
    if (!Number.isFinite(seconds) || seconds < 0.5 || seconds > 60) return usageError('--timeout must be a number of seconds between 0.5 and 60');
    if (!Number.isInteger(repeats) || repeats < 1 || repeats > 10) return usageError('--repeat must be a whole number between 1 and 10');
    const cameras = registeredCameras(config.databaseUrl, log);
    try {
      const onboarding = await buildOnboarding(cameras, log, config.discoveryInterfaces);
      const report = await onboarding.discover({ interfaces: v.interface, targets: v.target, timeoutMs: Math.round(seconds * 1000), repeats });
      process.stdout.write((v.json ? JSON.stringify(report) : text(report.devices, report.interfaces)) + '\n');
      return 0;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (v.json) process.stdout.write(JSON.stringify({ error: { code: err.code, message: err.message } }) + '\n');
      else process.stderr.write(`discover failed [${err.code}]: ${err.message}\n`);
      return 2;
    } finally {
      await cameras.close();
    }
  },
};

function usageError(message: string): number {
  process.stderr.write(`${message}\nUsage: ${USAGE}\n`);
  return 2;
}

/** Loaded lazily: the `onvif` library is only needed when discovering. */
async function buildOnboarding(
  cameras: { list(): Promise<CameraRecord[]> },
  log: Logger,
  discoveryInterfaces: string[] | undefined,
): Promise<CameraOnboarding> {
  const { createOnboarding } = await import('../cameras/camera.module.js');
  return createOnboarding({ store: { cameras }, log, discoveryInterfaces }).onboarding;
}
