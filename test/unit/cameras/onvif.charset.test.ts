import { describe, expect, it } from 'vitest';
import { decodeReply } from '../../../server/cameras/onvif.charset.js';

const xml = (enc: string) => `<?xml version="1.0" encoding="${enc}"?><a>Caméra</a>`;

describe('decodeReply reads the bytes cameras send', () => {
  it('UTF-8 with and without BOM, trailing NULs dropped', () => {
    expect(decodeReply(Buffer.from(xml('UTF-8')), '')).toBe(xml('UTF-8'));
    expect(decodeReply(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<a>é</a>'), Buffer.from([0, 0])]), 'text/xml')).toBe('<a>é</a>');
  });
  it('UTF-16 little and big endian with a BOM', () => {
    expect(decodeReply(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a>é</a>', 'utf16le')]), '')).toBe('<a>é</a>');
    const be = Buffer.from('<a>é</a>', 'utf16le').swap16();
    expect(decodeReply(Buffer.concat([Buffer.from([0xfe, 0xff]), be]), '')).toBe('<a>é</a>');
  });
  it('ISO-8859-1 declared in the XML declaration, in Content-Type, or not at all', () => {
    expect(decodeReply(Buffer.from(xml('ISO-8859-1'), 'latin1'), 'application/soap+xml')).toContain('Caméra');
    expect(decodeReply(Buffer.from('<a>Caméra</a>', 'latin1'), 'text/xml; charset=iso-8859-1')).toBe('<a>Caméra</a>');
    expect(decodeReply(Buffer.from('<a>Caméra</a>', 'latin1'), '')).toBe('<a>Caméra</a>');
  });
  it('Vietnamese UTF-8 stays UTF-8 even when Content-Type is silent', () => {
    expect(decodeReply(Buffer.from('<a>Cổng trước nhà</a>'), '')).toBe('<a>Cổng trước nhà</a>');
  });
});
