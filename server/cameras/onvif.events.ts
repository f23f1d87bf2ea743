import { NS, xmlEscape } from './onvif.auth.js';
import { readSystemDateAndTime } from './onvif.parse.js';
import { readServiceAddresses, serviceUrl } from './onvif.probe.js';
import type { OnvifClient } from './onvif.soap.js';
import { attrLocal, child, children, path, textAt, type XmlElement } from './onvif.xml.js';
import { ProbeWarnings } from './onvif.warnings.js';

/**
 * ONVIF events through a PullPoint subscription (ONVIF Core §9.1, events WSDL ver10): create
 * the subscription, long-poll PullMessages, renew it well before it terminates, and make a new
 * one when the camera forgot it (reboot, expiry). Each notification becomes one CameraEvent.
 */
export interface CameraEvent {
  /** As the camera writes it, e.g. tns1:RuleEngine/CellMotionDetector/Motion. */
  topic: string;
  /** The camera's UtcTime (its clock), ISO 8601, or null when it gave none. */
  time: string | null;
  source: Record<string, string>;
  data: Record<string, string>;
}

export interface PullPointOptions {
  /** PullMessages long-poll time (the call limit must exceed it). */
  pullSeconds: number;
  /** Termination time asked for; renewed at half of it. */
  lifetimeSeconds: number;
  /** Keep talking to the address typed, not the one the camera advertises (NAT). */
  preserveAddress: boolean;
}

export const PULLPOINT_DEFAULTS: PullPointOptions = { pullSeconds: 10, lifetimeSeconds: 60, preserveAddress: true };

export const WSA = 'http://www.w3.org/2005/08/addressing';
const ACTION = {
  pull: 'http://www.onvif.org/ver10/events/wsdl/PullPointSubscription/PullMessagesRequest',
  renew: 'http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/RenewRequest',
  unsubscribe: 'http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/UnsubscribeRequest',
};
/** The WS-Addressing headers an events call carries (cameras route on them). */
export const addressing = (action: string, to: URL) =>
  `<wsa:Action xmlns:wsa="${WSA}">${xmlEscape(action)}</wsa:Action><wsa:To xmlns:wsa="${WSA}">${xmlEscape(to.href)}</wsa:To>`;

/** WS-BaseNotification Renew at a subscription manager: PullPoint and base-notification subscriptions alike. */
export async function renewSubscription(client: OnvifClient, address: URL, lifetimeSeconds: number): Promise<void> {
  client.renewDeadline();
  await client.call({
    url: address,
    ns: NS.notification,
    action: 'Renew',
    inner: `<wsnt:TerminationTime>PT${lifetimeSeconds}S</wsnt:TerminationTime>`,
    authenticate: true,
    addressing: addressing(ACTION.renew, address),
  });
}

/** Best effort: a camera that cannot be told simply lets the subscription expire. */
export async function unsubscribe(client: OnvifClient, address: URL): Promise<void> {
  client.renewDeadline();
  await client
    .call({ url: address, ns: NS.notification, action: 'Unsubscribe', authenticate: true, addressing: addressing(ACTION.unsubscribe, address) })
    .catch(() => undefined);
}

export class PullPointSubscription {
  private renewAt = 0;

  private constructor(
    private readonly client: OnvifClient,
    private readonly o: PullPointOptions,
    /** The subscription manager / pull point address. */
    readonly address: URL,
    private readonly now: () => number,
  ) {
    this.renewAt = now() + (o.lifetimeSeconds * 1000) / 2;
  }

  /** Reads the clock and the events address, then subscribes. Throws the classified errors of onvif.soap.ts. */
  static async create(client: OnvifClient, o: PullPointOptions = PULLPOINT_DEFAULTS, now = Date.now): Promise<PullPointSubscription> {
    return PullPointSubscription.at(client, await openEventService(client, o.preserveAddress, now), o, now);
  }

  /** Subscribes at an events service address already read (openEventService). */
  static async at(client: OnvifClient, eventsUrl: URL, o: PullPointOptions = PULLPOINT_DEFAULTS, now = Date.now): Promise<PullPointSubscription> {
    const reply = await client.call({
      url: eventsUrl,
      ns: NS.events,
      action: 'CreatePullPointSubscription',
      inner: `<tev:InitialTerminationTime>PT${o.lifetimeSeconds}S</tev:InitialTerminationTime>`,
      authenticate: true,
    });
    const advertised = textAt(reply, 'SubscriptionReference', 'Address');
    const address = advertised ? serviceUrl(advertised, client.deviceUrl, o.preserveAddress) : eventsUrl;
    return new PullPointSubscription(client, o, address, now);
  }

  /** One long poll (renewing first when due): the events that arrived, possibly none. */
  async pull(): Promise<CameraEvent[]> {
    if (this.now() >= this.renewAt) await this.renew();
    this.client.renewDeadline();
    const reply = await this.client.call({
      url: this.address,
      ns: NS.events,
      action: 'PullMessages',
      inner: `<tev:Timeout>PT${this.o.pullSeconds}S</tev:Timeout><tev:MessageLimit>64</tev:MessageLimit>`,
      authenticate: true,
      addressing: addressing(ACTION.pull, this.address),
    });
    return readNotifications(reply);
  }

  async renew(): Promise<void> {
    await renewSubscription(this.client, this.address, this.o.lifetimeSeconds);
    this.renewAt = this.now() + (this.o.lifetimeSeconds * 1000) / 2;
  }

  unsubscribe(): Promise<void> {
    return unsubscribe(this.client, this.address);
  }
}

/**
 * Measures the camera clock (WS-UsernameToken needs it) and finds the events service address.
 */
export async function openEventService(client: OnvifClient, preserveAddress: boolean, now = Date.now): Promise<URL> {
  const device = client.deviceUrl;
  const sent = now();
  const clock = readSystemDateAndTime(await client.call({ url: device, ns: NS.device, action: 'GetSystemDateAndTime', authenticate: false }));
  if (clock) client.clockOffsetMs = Math.round(clock.at + 500 - (sent + now()) / 2);
  const services = await readServiceAddresses(client, device, new ProbeWarnings(client));
  return serviceUrl(services.events, device, preserveAddress);
}

/** PullMessagesResponse (or a Notify body) → events; notifications without a topic are skipped. */
export function readNotifications(el: XmlElement): CameraEvent[] {
  const out: CameraEvent[] = [];
  for (const n of children(el, 'NotificationMessage')) {
    const topic = textAt(n, 'Topic');
    if (!topic) continue;
    const msg = path(n, 'Message', 'Message');
    out.push({ topic, time: attrLocal(msg, 'UtcTime'), source: simpleItems(child(msg, 'Source')), data: simpleItems(child(msg, 'Data')) });
  }
  return out;
}

function simpleItems(el: XmlElement | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of children(el, 'SimpleItem')) {
    const name = attrLocal(item, 'Name');
    if (name) out[name] = item.attrs.Value ?? attrLocal(item, 'Value') ?? '';
  }
  return out;
}
