/**
 * Turns a camera's reply bytes into text whatever the firmware claims. Real devices send UTF-8
 * with or without a BOM, UTF-16 with a BOM, ISO-8859-1 declared only in the XML declaration or
 * only in Content-Type (or in neither), and trailing NUL bytes from C string buffers.
 */
const LATIN1 = /^(iso[-_]?8859[-_]?1|latin-?1|l1|us-ascii|ascii|windows-1252|cp1252)$/i;

export function decodeReply(bytes: Buffer, contentType: string): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le').replace(/\0+$/, '');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return swap16(bytes.subarray(2)).toString('utf16le').replace(/\0+$/, '');
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  const b = bytes.subarray(0, end);
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8');
  const declared = declaredEncoding(b) ?? /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1] ?? null;
  if (declared && LATIN1.test(declared)) return b.toString('latin1');
  // Undeclared and not valid UTF-8: an ISO-8859-1 body read as UTF-8 would turn "é" into U+FFFD.
  const utf8 = b.toString('utf8');
  return utf8.includes('\ufffd') && !declared ? b.toString('latin1') : utf8;
}

/** encoding="…" of an XML declaration at the start of the body (ASCII-compatible bytes only). */
function declaredEncoding(b: Buffer): string | null {
  const head = b.subarray(0, 200).toString('latin1').trimStart();
  if (!head.startsWith('<?xml')) return null;
  const end = head.indexOf('?>');
  return /encoding\s*=\s*["']([\w.:-]+)["']/.exec(end === -1 ? head : head.slice(0, end))?.[1] ?? null;
}

function swap16(b: Buffer): Buffer {
  const out = Buffer.from(b.subarray(0, b.length - (b.length % 2)));
  return out.swap16();
}
