import type { Logger } from '../shared/log.js';
import type { CameraRepository } from '../store/camera.repository.js';
import type { DiscoveredDevice, DiscoveryOptions, DiscoveryReport, OnvifDiscovery } from './onvif.discovery.js';
import type { ProbeOptions, ProbeResult } from './onvif.probe.js';
import { hostPortOf, parseProbeTarget, type ProbeTarget } from './onvif.target.js';

/**
 * The technician's first two steps: find cameras (discovery, marked registered or not) and
 * read one (probe). Both are read-only; registering is CameraService's job.
 */
export interface OnboardingDeps {
  /** Only to mark discovered devices that are already registered. */
  store: { cameras: Pick<CameraRepository, 'list'> };
  discovery: Pick<OnvifDiscovery, 'discover'>;
  probe: (target: ProbeTarget, opts?: ProbeOptions) => Promise<ProbeResult>;
  log: Logger;
  /** config.discoveryInterfaces: used when a request names none. */
  discoveryInterfaces?: string[];
  probeOptions?: ProbeOptions;
}

export interface DiscoveredCamera extends DiscoveredDevice {
  registered: boolean;
  cameraId: number | null;
}

export interface ProbeRequest {
  /** IP, host:port or device service URL. */
  target: string;
  username?: string;
  password?: string;
}

export class CameraOnboarding {
  constructor(private readonly d: OnboardingDeps) {}

  async discover(opts: DiscoveryOptions = {}): Promise<Omit<DiscoveryReport, 'devices'> & { devices: DiscoveredCamera[] }> {
    const interfaces = opts.interfaces ?? (opts.targets?.length ? undefined : this.d.discoveryInterfaces);
    const report = await this.d.discovery.discover({ ...opts, interfaces });
    const registered = await this.registeredCameras();
    const devices = report.devices.map((dev) => {
      const keys = [...dev.xaddrs.map(hostPortOf), ...dev.xaddrs.map((x) => rehost(x, dev.address))];
      const cameraId =
        keys.map((k) => (k ? registered.byOnvif.get(k) : undefined)).find((id) => id !== undefined) ?? registered.byStreamHost.get(dev.address) ?? null;
      return { ...dev, registered: cameraId !== null, cameraId };
    });
    return { ...report, devices };
  }

  async probe(req: ProbeRequest): Promise<ProbeResult> {
    const target = parseProbeTarget(req.target, 'body.target');
    const username = req.username ?? target.username;
    const password = req.password ?? target.password;
    const result = await this.d.probe({ url: target.url, username, password }, this.d.probeOptions);
    this.d.log.info('camera probed', {
      where: target.url.host,
      manufacturer: result.manufacturer,
      model: result.model,
      profiles: result.profiles.length,
      clockOffsetMs: result.clockOffsetMs,
    });
    return result;
  }

  /**
   * Registered cameras by ONVIF host:port, and — for cameras registered with a plain RTSP URL —
   * by the host of their stream (an ONVIF camera registered that way is still "registered").
   */
  private async registeredCameras(): Promise<{ byOnvif: Map<string, number>; byStreamHost: Map<string, number> }> {
    const byOnvif = new Map<string, number>();
    const byStreamHost = new Map<string, number>();
    for (const c of await this.d.store.cameras.list()) {
      const key = c.onvifUrl ? hostPortOf(c.onvifUrl) : null;
      if (key) byOnvif.set(key, c.id);
      const host = hostOf(c.streams.detect.url);
      if (!c.onvifUrl && host && !byStreamHost.has(host)) byStreamHost.set(host, c.id);
    }
    return { byOnvif, byStreamHost };
  }
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase() || null;
  } catch {
    return null;
  }
}

/** host:port of an XAddr as seen on the answering address (the camera may advertise an internal IP). */
function rehost(xaddr: string, address: string): string | null {
  try {
    const u = new URL(xaddr);
    u.hostname = address.includes(':') ? `[${address}]` : address;
    return hostPortOf(u.href);
  } catch {
    return null;
  }
}
