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
import { createLibraryMulticastProber, createUnicastProber } from './onvif.discovery.adapters.js';
import { OnvifDiscovery } from './onvif.discovery.js';
import { probeOnvif, type ProbeOptions } from './onvif.probe.js';

/**
 * Builds the cameras part for the composition root (server/main.ts): the credential cipher
 * (key file created on first start), discovery, probe, onboarding and the camera service.
 */
export interface CameraKit {
  cipher: CredentialCipher;
  service: CameraService;
  onboarding: CameraOnboarding;
  discovery: OnvifDiscovery;
}

export interface CameraKitDeps {
  config: Pick<ResolvedConfig, 'secretKeyFile' | 'discoveryInterfaces' | 'ingest'>;
  /** The one ffmpeg port (ingest's): test-connection uses the binary ingest resolved. */
  ffmpeg: FfmpegAdapter;
  store: Store;
  bus: Bus;
  log: Logger;
  runner: CameraRunner;
  grabber?: FrameGrabber;
  probeOptions?: ProbeOptions;
}

/** Discovery and probing over the cameras already registered: the server's and `binhyen discover`'s. */
export function createOnboarding(d: { store: CameraOnboardingDeps['store']; log: Logger; discoveryInterfaces?: string[]; probeOptions?: ProbeOptions }) {
  const discovery = new OnvifDiscovery({
    networkInterfaces: () => os.networkInterfaces(),
    multicast: createLibraryMulticastProber(d.log),
    unicast: createUnicastProber(d.log),
    log: d.log,
  });
  const probe: typeof probeOnvif = (target, opts) => probeOnvif(target, { ...d.probeOptions, ...opts });
  const onboarding = new CameraOnboarding({ store: d.store, discovery, probe, log: d.log, discoveryInterfaces: d.discoveryInterfaces });
  return { discovery, probe, onboarding };
}

export function createCameraKit(d: CameraKitDeps): CameraKit {
  const log = d.log.child('cameras');
  const cipher = new CredentialCipher(loadOrCreateKey(d.config.secretKeyFile, log));
  const { discovery, probe, onboarding } = createOnboarding({
    store: d.store,
    log,
    discoveryInterfaces: d.config.discoveryInterfaces,
    probeOptions: d.probeOptions,
  });
  const service = new CameraService({
    store: d.store,
    cipher,
    runtime: d.runner,
    bus: d.bus,
    log,
    probe,
    grabber: d.grabber ?? new FfmpegFrameGrabber(d.ffmpeg),
    rtspTransport: d.config.ingest.rtspTransport,
  });
  return { cipher, service, onboarding, discovery };
}
