import { AppError } from '../shared/errors.js';
import { NS, xmlEscape } from './onvif.auth.js';
import { mediaService } from './onvif.media.js';
import { readSystemDateAndTime } from './onvif.parse.js';
import { readServiceAddresses, serviceUrl } from './onvif.probe.js';
import type { OnvifClient } from './onvif.soap.js';
import { attrLocal, children, textAt } from './onvif.xml.js';
import { ProbeWarnings } from './onvif.warnings.js';

/**
 * PTZ over ONVIF (PTZ WSDL ver20): continuous pan/tilt/zoom with a safety timeout (the camera
 * stops by itself if the stop is lost on a poor link), stop, presets and home. Velocities are
 * in the generic space, -1..1.
 */
export interface PtzVelocity {
  pan: number;
  tilt: number;
  zoom: number;
}
export interface PtzPreset {
  token: string;
  name: string;
}

const clamp = (v: number) => Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0));
const num = (v: number) => String(Math.round(clamp(v) * 1000) / 1000);

export class OnvifPtz {
  private constructor(
    private readonly client: OnvifClient,
    readonly url: URL,
    readonly profileToken: string,
  ) {}

  /** Finds the PTZ service and a profile that has PTZ (the one given, if any); no PTZ → `no_ptz` (422). */
  static async connect(client: OnvifClient, profileToken?: string | null, preserveAddress = true): Promise<OnvifPtz> {
    const device = client.deviceUrl;
    const sent = Date.now();
    const clock = readSystemDateAndTime(await client.call({ url: device, ns: NS.device, action: 'GetSystemDateAndTime', authenticate: false }));
    if (clock) client.clockOffsetMs = Math.round(clock.at + 500 - (sent + Date.now()) / 2);
    const services = await readServiceAddresses(client, device, new ProbeWarnings(client));
    if (!services.ptz) throw new AppError('no_ptz', `camera ${client.where} has no PTZ service`, 422, { params: { where: client.where } });
    const profiles = await mediaService(client, services, (x) => serviceUrl(x, device, preserveAddress)).profiles();
    const withPtz = profiles.usable.filter((p) => p.ptz);
    const token =
      (profileToken && profiles.usable.some((p) => p.token === profileToken) ? profileToken : null) ?? withPtz[0]?.token ?? profiles.usable[0]?.token;
    if (!token) throw new AppError('no_ptz', `camera ${client.where} lists no profile to move`, 422, { params: { where: client.where } });
    return new OnvifPtz(client, serviceUrl(services.ptz, device, preserveAddress), token);
  }

  private call(action: string, inner = '') {
    this.client.renewDeadline();
    return this.client.call({
      url: this.url,
      ns: NS.ptz,
      action,
      inner: `<tptz:ProfileToken>${xmlEscape(this.profileToken)}</tptz:ProfileToken>${inner}`,
      authenticate: true,
    });
  }

  async move(v: PtzVelocity, timeoutSeconds = 10): Promise<void> {
    const zoom = v.zoom ? `<tt:Zoom x="${num(v.zoom)}"/>` : '';
    await this.call(
      'ContinuousMove',
      `<tptz:Velocity><tt:PanTilt x="${num(v.pan)}" y="${num(v.tilt)}"/>${zoom}</tptz:Velocity><tptz:Timeout>PT${timeoutSeconds}S</tptz:Timeout>`,
    );
  }

  async stop(): Promise<void> {
    await this.call('Stop', '<tptz:PanTilt>true</tptz:PanTilt><tptz:Zoom>true</tptz:Zoom>');
  }

  async presets(): Promise<PtzPreset[]> {
    const el = await this.call('GetPresets');
    return children(el, 'Preset').flatMap((p) => {
      const token = attrLocal(p, 'token');
      return token ? [{ token, name: textAt(p, 'Name') ?? token }] : [];
    });
  }

  async gotoPreset(token: string): Promise<void> {
    await this.call('GotoPreset', `<tptz:PresetToken>${xmlEscape(token)}</tptz:PresetToken>`);
  }

  /** Saves the current position under a name; returns the camera's token for it. */
  async setPreset(name: string): Promise<string> {
    const el = await this.call('SetPreset', `<tptz:PresetName>${xmlEscape(name)}</tptz:PresetName>`);
    return textAt(el, 'PresetToken') ?? '';
  }

  async home(): Promise<void> {
    await this.call('GotoHomePosition');
  }
}
