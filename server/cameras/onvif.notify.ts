import { NS, xmlEscape } from './onvif.auth.js';
import { addressing, readNotifications, renewSubscription, unsubscribe, WSA, type CameraEvent } from './onvif.events.js';
import { serviceUrl } from './onvif.probe.js';
import { SoapFault, type OnvifClient } from './onvif.soap.js';
import { attrLocal, child, parseXml, textAt, XmlError } from './onvif.xml.js';

/**
 * WS-BaseNotification (OASIS wsn/b-2, ONVIF Core §9.2) for cameras without a PullPoint: we
 * Subscribe with a ConsumerReference that is BinhYen's own inbound URL, the camera POSTs
 * Notify messages there, and we Renew before the termination time and Unsubscribe on stop.
 */
export interface BaseNotificationOptions {
  /** Termination time asked for; renewed at half of it. */
  lifetimeSeconds: number;
  preserveAddress: boolean;
}

const SUBSCRIBE_ACTION = 'http://docs.oasis-open.org/wsn/bw-2/NotificationProducer/SubscribeRequest';

export class BaseNotificationSubscription {
  private constructor(
    private readonly client: OnvifClient,
    private readonly o: BaseNotificationOptions,
    /** The subscription manager address the camera gave. */
    readonly address: URL,
  ) {}

  /** How long to wait before the next Renew. */
  get renewEveryMs(): number {
    return (this.o.lifetimeSeconds * 1000) / 2;
  }

  static async create(client: OnvifClient, eventsUrl: URL, consumer: URL, o: BaseNotificationOptions): Promise<BaseNotificationSubscription> {
    client.renewDeadline();
    const reply = await client.call({
      url: eventsUrl,
      ns: NS.notification,
      action: 'Subscribe',
      inner:
        `<wsnt:ConsumerReference><wsa:Address xmlns:wsa="${WSA}">${xmlEscape(consumer.href)}</wsa:Address></wsnt:ConsumerReference>` +
        `<wsnt:InitialTerminationTime>PT${o.lifetimeSeconds}S</wsnt:InitialTerminationTime>`,
      authenticate: true,
      addressing: addressing(SUBSCRIBE_ACTION, eventsUrl),
    });
    const advertised = textAt(reply, 'SubscriptionReference', 'Address');
    return new BaseNotificationSubscription(client, o, advertised ? serviceUrl(advertised, client.deviceUrl, o.preserveAddress) : eventsUrl);
  }

  renew(): Promise<void> {
    return renewSubscription(this.client, this.address, this.o.lifetimeSeconds);
  }

  /** Best effort: a camera that cannot be told lets the subscription expire (its posts then get 404). */
  unsubscribe(): Promise<void> {
    return unsubscribe(this.client, this.address);
  }
}

/** A fault that means "this camera has no PullPoint" (not a passing failure worth retrying the same way). */
export function pullPointUnsupported(err: unknown): boolean {
  if (!(err instanceof SoapFault)) return false;
  return /ActionNotSupported|NotSupported|InvalidAction|NoPullPoint/i.test(err.subcode ?? '') || /not\s*(be\s*)?supported|unsupported/i.test(err.reason);
}

/**
 * The events service's own word (GetServiceCapabilities, WSPullPointSupport): false only when
 * the camera says so; a camera that cannot answer is tried with PullPoint first.
 */
export async function pullPointOffered(client: OnvifClient, eventsUrl: URL): Promise<boolean> {
  try {
    const reply = await client.call({ url: eventsUrl, ns: NS.events, action: 'GetServiceCapabilities', authenticate: true });
    const said = attrLocal(child(reply, 'Capabilities'), 'WSPullPointSupport');
    return said === null || !/^(false|0)$/i.test(said.trim());
  } catch {
    return true;
  }
}

/** Bounds of a camera's Notify post: smaller than a SOAP reply, there is no reason for more. */
export const NOTIFY_LIMITS = { maxBytes: 256 * 1024, maxDepth: 32, maxNodes: 10_000, maxEvents: 64 };

export type NotifyParse = { ok: true; events: CameraEvent[] } | { ok: false; reason: string };

/**
 * A Notify POST → camera events, through the same hardened parser as the replies (no DTD or
 * entities, size/depth/node bounds, local-name matching for sloppy namespaces).
 */
export function parseNotify(body: string): NotifyParse {
  let root;
  try {
    root = parseXml(body.trim(), { maxChars: NOTIFY_LIMITS.maxBytes, maxDepth: NOTIFY_LIMITS.maxDepth, maxNodes: NOTIFY_LIMITS.maxNodes });
  } catch (err) {
    if (err instanceof XmlError) return { ok: false, reason: `${err.reason}: ${err.message.slice(0, 120)}` };
    throw err;
  }
  const notify = root.name === 'Notify' ? root : root.name === 'Envelope' ? child(child(root, 'Body'), 'Notify') : undefined;
  if (!notify) return { ok: false, reason: `no Notify element (got <${root.name}>)` };
  return { ok: true, events: readNotifications(notify).slice(0, NOTIFY_LIMITS.maxEvents) };
}
