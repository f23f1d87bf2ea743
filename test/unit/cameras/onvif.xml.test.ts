import { describe, expect, it } from 'vitest';
import { attrLocal, child, decodeEntities, intAt, parseXml, textAt, XmlError } from '../../../server/cameras/onvif.xml.js';

const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(XmlError);
    return (err as XmlError).reason;
  }
  throw new Error('expected an XmlError');
};

describe('hardened XML parser', () => {
  it('parses elements, attributes, text, CDATA and resolves namespaces', () => {
    const root = parseXml(
      `<?xml version="1.0" encoding="UTF-8"?>\n<!-- hi --><s:Envelope xmlns:s="urn:soap" xmlns="urn:default"><s:Body><Profiles tt:token="P1" xmlns:tt="urn:tt"><Name>Main &amp; sub &#x26;&#38;</Name><Raw><![CDATA[<not markup>]]></Raw><W>640</W></Profiles></s:Body></s:Envelope>`,
    );
    expect([root.name, root.ns]).toEqual(['Envelope', 'urn:soap']);
    const p = child(child(root, 'Body'), 'Profiles')!;
    expect(p.ns).toBe('urn:default');
    expect(attrLocal(p, 'token')).toBe('P1');
    expect(textAt(p, 'Name')).toBe('Main & sub &&');
    expect(textAt(p, 'Raw')).toBe('<not markup>');
    expect(intAt(p, 'W')).toBe(640);
  });

  it('refuses any DTD: entity expansion and external entities never happen', () => {
    expect(reason(() => parseXml('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>'))).toBe('dtd_forbidden');
    expect(reason(() => parseXml('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'))).toBe('dtd_forbidden');
    expect(reason(() => parseXml('<a><!ENTITY x "y"></a>'))).toBe('dtd_forbidden');
    expect(reason(() => parseXml('<a>&undefined;</a>'))).toBe('malformed');
  });

  it('classifies malformed documents', () => {
    for (const doc of ['', 'plain text', '<a><b></a>', '<a>', '<a x=1/>', '<a x="1" x="2"/>', '<a/><b/>', '<a>&#0;</a>', '<a>& b</a>', '<a x="<"/>']) {
      expect(
        reason(() => parseXml(doc)),
        doc,
      ).toBe('malformed');
    }
  });

  it('bounds size, depth and element count', () => {
    expect(reason(() => parseXml('<a>' + 'x'.repeat(100) + '</a>', { maxChars: 50 }))).toBe('too_large');
    expect(reason(() => parseXml('<a>'.repeat(100) + '</a>'.repeat(100)))).toBe('too_deep');
    expect(reason(() => parseXml('<a>' + '<b/>'.repeat(60_000) + '</a>'))).toBe('too_many_nodes');
  });

  it('parses a large attribute within the size limit', () => {
    const doc = '<a>' + '<b x="' + 'y'.repeat(1_000_000) + '"/>' + '</a>';
    expect(parseXml(doc).children[0]!.attrs.x).toHaveLength(1_000_000);
  });

  it('decodes only predefined entities and character references', () => {
    expect(decodeEntities('&lt;&gt;&amp;&quot;&apos;&#233;&#x1F600;')).toBe(`<>&"'é😀`);
  });
  it('keeps elements whose prefix was never declared, marked unresolved, matched by local name', () => {
    const root = parseXml('<env:Envelope xmlns:env="urn:soap"><env:Body><tds:R><tt:Name>x</tt:Name></tds:R></env:Body></env:Envelope>');
    const r = child(child(root, 'Body'), 'R')!;
    expect([r.ns, r.unresolved, root.unresolved]).toEqual(['', true, undefined]);
    expect(textAt(r, 'Name')).toBe('x');
  });
});
