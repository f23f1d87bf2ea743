import os from 'node:os';
import type { ResolvedConfig } from '../config/config.load.js';
import type { Bus } from '../shared/bus.js';
import type { Logger } from '../shared/log.js';
import type { Store } from '../store/store.js';
import { CameraOnboarding, type OnboardingDeps as CameraOnboardingDeps } from './camera.onboarding.js';
import { CredentialCipher, loadOrCreateKey } from './camera.crypto.js';
import type { FfmpegAdapter } from '../ingest/ffmpeg.adapter.js';
import { FfmpegFrameGrabber, type FrameGrabber } from '../ingest/ffmpeg.grab.js';
import type { CameraRunner } from './camera.runner.js';
import { CameraService } from './camera.service.js';
import { CameraEventWatcher } from './camera.events.js';
import { NotifyInbox } from './camera.notify.js';
import { CameraPtz } from './camera.ptz.js';
import { GuardTours } from './camera.tour.js';
import { createLibraryMulticastProber, createUnicastProber } from './onvif.discovery.adapters.js';
import { OnvifDiscovery } from './onvif.discovery.js';
import { probeOnvif, type ProbeOptions } from './onvif.probe.js';
import { NetworkGuard, type TargetGuard } from './network.guard.js';
import { GuardedRunner } from './network.runner.js';
import { CameraNetworkSettings } from './network.settings.js';

/**
 * Builds the cameras part for the composition root (server/main.ts): the credential cipher
 * (key file created on first start), the camera address ranges and their guard, discovery,
 * probe, onboarding and the camera service. Every connection the server makes for a camera
 * goes through the guard; `network.load()` reads the saved ranges before cameras start.
 */
export interface CameraKit {
  cipher: CredentialCipher;
  service: CameraService;
  onboarding: CameraOnboarding;
  discovery: OnvifDiscovery;
  network: CameraNetworkSettings;
  /** The cameras' own ONVIF events on the bus (start after the cameras, stop before). */
  events: CameraEventWatcher;
  ptz: CameraPtz;
  /** Guard tours of PTZ cameras (stop them before the cameras). */
  tours: GuardTours;
  /** Where cameras on base notification post their events (POST /onvif/notify/:token). */
  inbox: NotifyInbox;
  /** The port the server listens on, once it does: the default consumer address needs it. */
  listening(port: number): void;
}

export interface CameraKitDeps {
  config: Pick<ResolvedConfig, 'secretKeyFile' | 'discoveryInterfaces' | 'ingest' | 'cameraNetwork' | 'host'> & Partial<Pick<ResolvedConfig, 'onvif'>>;
  /** The one ffmpeg port (ingest's): test-connection uses the binary ingest resolved. */
  ffmpeg: FfmpegAdapter;
  store: Store;
  bus: Bus;
  log: Logger;
  runner: CameraRunner;
  /** A cluster node wraps the guarded runner so it runs only the cameras it holds a lease for. */
  wrapRunner?: (guarded: CameraRunner) => CameraRunner;
  /** In a cluster, whether this node runs the camera (its ONVIF events are watched by its owner only). */
  owns?: (cameraId: number) => boolean;
  grabber?: FrameGrabber;
  probeOptions?: ProbeOptions;
}

/**
 * Discovery and probing over the cameras already registered: the server's (with the guard of
 * the camera address ranges) and `binhyen discover`'s (run on this computer: none).
 */
export function createOnboarding(d: {
  store: CameraOnboardingDeps['store'];
  log: Logger;
  discoveryInterfaces?: string[];
  probeOptions?: ProbeOptions;
  guard?: TargetGuard;
}) {
  const discovery = new OnvifDiscovery({
    networkInterfaces: () => os.networkInterfaces(),
    multicast: createLibraryMulticastProber(d.log),
    unicast: createUnicastProber(d.log, d.guard),
    log: d.log,
  });
  const probe: typeof probeOnvif = (target, opts) => probeOnvif(target, { ...d.probeOptions, ...opts, guard: d.guard });
  const onboarding = new CameraOnboarding({ store: d.store, discovery, probe, log: d.log, discoveryInterfaces: d.discoveryInterfaces });
  return { discovery, probe, onboarding };
}

export function createCameraKit(d: CameraKitDeps): CameraKit {
  const log = d.log.child('cameras');
  const cipher = new CredentialCipher(loadOrCreateKey(d.config.secretKeyFile, log));
  const network = new CameraNetworkSettings({ settings: d.store.settings, defaults: d.config.cameraNetwork, log });
  const guard = new NetworkGuard({ policy: () => network.policy() });
  const { discovery, probe, onboarding } = createOnboarding({
    store: d.store,
    log,
    discoveryInterfaces: d.config.discoveryInterfaces,
    probeOptions: d.probeOptions,
    guard,
  });
  const guarded = new GuardedRunner(d.runner, { guard, cameras: d.store.cameras, bus: d.bus, log });
  const service = new CameraService({
    store: d.store,
    cipher,
    runtime: d.wrapRunner?.(guarded) ?? guarded,
    bus: d.bus,
    log,
    probe,
    guard,
    grabber: d.grabber ?? new FfmpegFrameGrabber(d.ffmpeg),
    rtspTransport: d.config.ingest.rtspTransport,
  });
  const inbox = new NotifyInbox({ bus: d.bus, log });
  let port = 0;
  const configured = d.config.onvif?.notifyBaseUrl;
  const consumerBase = () => (configured ? { url: configured, configured: true } : { url: `http://${guessOwnHost(d.config.host)}:${port}`, configured: false });
  const events = new CameraEventWatcher({
    cameras: d.store.cameras,
    credentialsOf: (c) => service.credentialsOfSafely(c),
    bus: d.bus,
    log,
    guard,
    owns: d.owns,
    inbox,
    consumerBase,
  });
  const ptz = new CameraPtz({ cameras: d.store.cameras, credentialsOf: (c) => service.credentialsOfSafely(c), guard });
  const tours = new GuardTours({ cameras: d.store.cameras, ptz, log });
  return { cipher, service, onboarding, discovery, network, events, ptz, tours, inbox, listening: (p) => void (port = p) };
}

/** The listen address, or (listening on every address) the first LAN IPv4 a camera might reach. */
function guessOwnHost(host: string): string {
  if (host !== '0.0.0.0' && host !== '::') return host.includes(':') ? `[${host}]` : host;
  const lan = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal);
  return lan?.address ?? '127.0.0.1';
}
