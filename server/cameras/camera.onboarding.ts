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
  /** The first registered camera of this device (its only one, unless it is an NVR). */
  cameraId: number | null;
  /** Every registered channel of this device: an NVR serves several on one address. */
  channels: { cameraId: number; channel: string | null }[];
  /** A camera registered by a plain stream URL on the same IP: maybe this device, maybe not (shown, not marked). */
  sameHostCameraId: number | null;
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
    const devices = report.devices.map((dev): DiscoveredCamera => {
      const keys = [...dev.xaddrs.map(hostPortOf), ...dev.xaddrs.map((x) => rehost(x, dev.address))];
      const byEndpoint = registered.byEndpoint.get(endpointKey(dev.endpoint)) ?? [];
      const legacy = keys.map((k) => (k ? registered.byOnvif.get(k) : undefined)).find((c) => c !== undefined) ?? [];
      const channels = byEndpoint.length ? byEndpoint : legacy;
      return {
        ...dev,
        registered: channels.length > 0,
        cameraId: channels[0]?.cameraId ?? null,
        channels,
        sameHostCameraId: channels.length ? null : (registered.byStreamHost.get(dev.address) ?? null),
      };
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
   * Registered cameras by device endpoint reference (with their channel); those registered
   * before endpoints were stored, by ONVIF host:port; plain-URL cameras by stream host, which
   * is only a hint since one IP may serve several devices' channels.
   */
  private async registeredCameras() {
    type Channel = { cameraId: number; channel: string | null };
    const byEndpoint = new Map<string, Channel[]>();
    const byOnvif = new Map<string, Channel[]>();
    const byStreamHost = new Map<string, number>();
    const add = (m: Map<string, Channel[]>, k: string, c: Channel) => m.set(k, [...(m.get(k) ?? []), c]);
    for (const c of await this.d.store.cameras.list()) {
      const channel = { cameraId: c.id, channel: c.streams.detect.profileToken ?? null };
      const key = c.onvifUrl ? hostPortOf(c.onvifUrl) : null;
      if (c.onvifEndpoint) add(byEndpoint, endpointKey(c.onvifEndpoint), channel);
      else if (key) add(byOnvif, key, channel);
      const host = hostOf(c.streams.detect.url);
      if (!c.onvifUrl && host && !byStreamHost.has(host)) byStreamHost.set(host, c.id);
    }
    return { byEndpoint, byOnvif, byStreamHost };
  }
}

/** urn:uuid:ABC and uuid:abc name the same device (firmware differs in prefix and case). */
const endpointKey = (e: string) =>
  e
    .trim()
    .toLowerCase()
    .replace(/^urn:/, '')
    .replace(/^uuid:/, '');

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
