import { NS } from './onvif.auth.js';
import type { OnvifClient } from './onvif.soap.js';
import type { ProbeWarnings } from './onvif.warnings.js';

/**
 * The services onboarding does not need but a technician wants to know work: events, PTZ and
 * imaging. Each is asked one cheap question; a refusal or a bad reply is a warning only.
 */
export async function readExtras(client: OnvifClient, w: ProbeWarnings, at: { events?: URL; ptz?: URL; imaging?: URL }): Promise<void> {
  const ask = (url: URL | undefined, ns: string, action: string) =>
    url ? w.optional(action, client.call({ url, ns, action, authenticate: true })) : Promise.resolve(undefined);
  await ask(at.events, NS.events, 'GetEventProperties');
  await ask(at.ptz, NS.ptz, 'GetNodes');
  await ask(at.imaging, NS.imaging, 'GetServiceCapabilities');
}
