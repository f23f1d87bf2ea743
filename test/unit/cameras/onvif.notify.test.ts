import { describe, expect, it } from 'vitest';
import { NotifyInbox } from '../../../server/cameras/camera.notify.js';
import { parseNotify, pullPointUnsupported } from '../../../server/cameras/onvif.notify.js';
import { SoapFault } from '../../../server/cameras/onvif.soap.js';
import { Bus, type BusEvents } from '../../../server/shared/bus.js';
import { silentLogger } from '../../../server/shared/log.js';

const NOTIFY = (prefix: string) =>
  `<?xml version="1.0"?><${prefix}Envelope><${prefix}Body><wsnt:Notify><wsnt:NotificationMessage>` +
  `<wsnt:Topic Dialect="x">tns1:RuleEngine/FieldDetector/ObjectsInside</wsnt:Topic><wsnt:Message><tt:Message UtcTime="2026-12-07T01:02:03Z">` +
  `<tt:Source><tt:SimpleItem Name="Rule" Value="Zone1"/></tt:Source><tt:Data><tt:SimpleItem Name="IsInside" Value="true"/></tt:Data>` +
  `</tt:Message></wsnt:Message></wsnt:NotificationMessage></wsnt:Notify></${prefix}Body></${prefix}Envelope>`;

describe('parseNotify', () => {
  it('reads a Notify with undeclared prefixes (sloppy firmware) into the PullPoint event shape', () => {
    expect(parseNotify(NOTIFY('s:'))).toEqual({
      ok: true,
      events: [{ topic: 'tns1:RuleEngine/FieldDetector/ObjectsInside', time: '2026-12-07T01:02:03Z', source: { Rule: 'Zone1' }, data: { IsInside: 'true' } }],
    });
  });

  it('refuses a body that is no Notify, or has a DTD', () => {
    expect(parseNotify('<Envelope><Body><Other/></Body></Envelope>')).toMatchObject({ ok: false, reason: expect.stringMatching(/no Notify/) });
    expect(parseNotify('<!DOCTYPE a [<!ENTITY x "y">]><Notify/>')).toMatchObject({ ok: false, reason: expect.stringMatching(/^dtd_forbidden/) });
  });
});

describe('pullPointUnsupported', () => {
  it('is true for ActionNotSupported-like faults only', () => {
    expect(pullPointUnsupported(new SoapFault('CreatePullPointSubscription', 'ter:ActionNotSupported', ''))).toBe(true);
    expect(pullPointUnsupported(new SoapFault('CreatePullPointSubscription', null, 'Method not supported'))).toBe(true);
    expect(pullPointUnsupported(new SoapFault('CreatePullPointSubscription', 'ter:InvalidArgVal', 'bad time'))).toBe(false);
    expect(pullPointUnsupported(new Error('ECONNRESET'))).toBe(false);
  });
});

describe('NotifyInbox', () => {
  it('knows only open tokens, and forgets a closed one', () => {
    const bus = new Bus();
    const seen: BusEvents['camera.event'][] = [];
    bus.on('camera.event', (e) => seen.push(e));
    const inbox = new NotifyInbox({ bus, log: silentLogger });
    const box = inbox.open(7);
    expect(inbox.receive('x'.repeat(43), NOTIFY(''))).toEqual({ status: 'unknown' });
    expect(inbox.receive(box.token, NOTIFY(''))).toEqual({ status: 'ok', events: 1 });
    expect(seen.map((e) => [e.cameraId, e.topic])).toEqual([[7, 'tns1:RuleEngine/FieldDetector/ObjectsInside']]);
    box.close();
    expect(inbox.receive(box.token, NOTIFY(''))).toEqual({ status: 'unknown' });
  });
});
