import { NS, xmlEscape } from './onvif.auth.js';
import { readMediaUri, readProfiles, type MediaProfile, type ServiceAddresses } from './onvif.parse.js';
import type { OnvifClient } from './onvif.soap.js';
import { attrLocal, child, children, intAt, path, textAt, type XmlElement } from './onvif.xml.js';

/**
 * The media service a probe reads profiles and URIs from: Media (ver10) when the camera has
 * it, Media2 (ver20, ONVIF Profile T) when that is all it offers — H.265-only cameras often are.
 */
export interface MediaService {
  version: 1 | 2;
  profiles(): Promise<{ usable: MediaProfile[]; skipped: string[] }>;
  streamUri(token: string): Promise<string | null>;
  snapshotUri(token: string): Promise<string | null>;
}

export function mediaService(client: OnvifClient, services: ServiceAddresses, at: (xaddr: string | undefined) => URL): MediaService {
  if (services.media2 && !services.media) return media2(client, at(services.media2));
  const url = at(services.media);
  const call = (action: string, inner = '') => client.call({ url, ns: NS.media, action, inner, authenticate: true });
  const token = (t: string) => `<trt:ProfileToken>${xmlEscape(t)}</trt:ProfileToken>`;
  const setup = '<trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>';
  return {
    version: 1,
    profiles: async () => readProfiles(await call('GetProfiles')),
    streamUri: async (t) => readMediaUri(await call('GetStreamUri', setup + token(t))),
    snapshotUri: async (t) => readMediaUri(await call('GetSnapshotUri', token(t))),
  };
}

function media2(client: OnvifClient, url: URL): MediaService {
  const call = (action: string, inner = '') => client.call({ url, ns: NS.media2, action, inner, authenticate: true });
  const token = (t: string) => `<tr2:ProfileToken>${xmlEscape(t)}</tr2:ProfileToken>`;
  return {
    version: 2,
    profiles: async () => readProfiles2(await call('GetProfiles', '<tr2:Type>All</tr2:Type>')),
    streamUri: async (t) => textAt(await call('GetStreamUri', `<tr2:Protocol>RTSP</tr2:Protocol>${token(t)}`), 'Uri'),
    snapshotUri: async (t) => textAt(await call('GetSnapshotUri', token(t)), 'Uri'),
  };
}

/** Media2 GetProfilesResponse: the encoder is under Configurations/VideoEncoder. */
export function readProfiles2(el: XmlElement): { usable: MediaProfile[]; skipped: string[] } {
  const usable: MediaProfile[] = [];
  const skipped: string[] = [];
  for (const p of children(el, 'Profiles')) {
    const tokenAttr = attrLocal(p, 'token');
    const name = attrLocal(p, 'Name') ?? textAt(p, 'Name') ?? tokenAttr ?? '';
    const vec = path(p, 'Configurations', 'VideoEncoder');
    const width = intAt(vec, 'Resolution', 'Width');
    const height = intAt(vec, 'Resolution', 'Height');
    if (!tokenAttr) skipped.push(`"${name}" has no token`);
    else if (!vec || !width || !height || width <= 0 || height <= 0) skipped.push(`"${name}" has no video encoder resolution`);
    else {
      const fps = intAt(vec, 'RateControl', 'FrameRateLimit');
      const bitrate = intAt(vec, 'RateControl', 'BitrateLimit');
      usable.push({
        token: tokenAttr,
        name,
        width,
        height,
        encoding: textAt(vec, 'Encoding'),
        fps: fps && fps > 0 ? fps : null,
        bitrate: bitrate && bitrate > 0 ? bitrate : null,
        ptz: child(child(p, 'Configurations'), 'PTZ') !== undefined,
      });
    }
  }
  return { usable, skipped };
}
