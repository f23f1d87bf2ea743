/**
 * A deliberately small, hostile-input XML parser for device replies (SOAP, WS-Discovery).
 *
 * Why not xml2js/sax: cameras are untrusted. This parser refuses any DTD (`<!DOCTYPE`, so no
 * entity declarations: no "billion laughs", no external entity ever resolved), knows only the
 * five predefined entities and character references, bounds input size, depth and node count,
 * and resolves namespaces so a reply in the wrong namespace is noticed instead of silently
 * accepted. It runs in linear time (indexOf scans, no backtracking regexes on the input).
 */

export type XmlErrorReason = 'dtd_forbidden' | 'malformed' | 'too_large' | 'too_deep' | 'too_many_nodes';

export class XmlError extends Error {
  constructor(
    readonly reason: XmlErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'XmlError';
  }
}

export interface XmlElement {
  /** Local name, without prefix. */
  name: string;
  /** Namespace URI ('' when none, or when the prefix was never declared: see `unresolved`). */
  ns: string;
  /** The element's prefix was not declared (sloppy firmware): only its local name can be trusted. */
  unresolved?: true;
  /** Attributes by their name as written (prefix included). */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
}

export interface XmlLimits {
  maxChars: number;
  maxDepth: number;
  maxNodes: number;
  maxAttributes: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxChars: 2_000_000, maxDepth: 64, maxNodes: 50_000, maxAttributes: 64 };

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const NAME = /[A-Za-z_][\w.\-:]*/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

interface OpenElement {
  qname: string;
  el: XmlElement;
  scope: Map<string, string>;
}

/** Parses a whole document and returns its root element, or throws XmlError. */
export function parseXml(input: string, limits: Partial<XmlLimits> = {}): XmlElement {
  const lim = { ...DEFAULT_XML_LIMITS, ...limits };
  if (input.length > lim.maxChars) throw new XmlError('too_large', `document of ${input.length} characters exceeds ${lim.maxChars}`);
  return new Parser(input.charCodeAt(0) === 0xfeff ? input.slice(1) : input, lim).run();
}

class Parser {
  private pos = 0;
  private nodes = 0;
  private readonly stack: OpenElement[] = [];
  private root: XmlElement | undefined;

  constructor(
    private readonly s: string,
    private readonly lim: XmlLimits,
  ) {}

  run(): XmlElement {
    const s = this.s;
    while (this.pos < s.length) {
      const lt = s.indexOf('<', this.pos);
      const textEnd = lt === -1 ? s.length : lt;
      if (textEnd > this.pos) this.text(s.slice(this.pos, textEnd));
      if (lt === -1) break;
      this.pos = lt;
      this.markup();
    }
    if (this.stack.length) throw new XmlError('malformed', `unclosed element <${this.stack[this.stack.length - 1]!.qname}>`);
    if (!this.root) throw new XmlError('malformed', 'no root element');
    return this.root;
  }

  private markup(): void {
    const s = this.s;
    if (s.startsWith('<?', this.pos)) return this.skipTo('?>', 'processing instruction');
    if (s.startsWith('<!--', this.pos)) return this.skipTo('-->', 'comment');
    if (s.startsWith('<![CDATA[', this.pos)) {
      if (!this.stack.length) throw new XmlError('malformed', 'CDATA outside the root element');
      const end = s.indexOf(']]>', this.pos + 9);
      if (end === -1) throw new XmlError('malformed', 'unterminated CDATA section');
      this.top().el.text += s.slice(this.pos + 9, end);
      this.pos = end + 3;
      return;
    }
    if (s.startsWith('<!', this.pos)) throw new XmlError('dtd_forbidden', 'document type declarations and entity definitions are refused');
    if (s.startsWith('</', this.pos)) return this.endTag();
    this.startTag();
  }

  private skipTo(end: string, what: string): void {
    const i = this.s.indexOf(end, this.pos + 2);
    if (i === -1) throw new XmlError('malformed', `unterminated ${what}`);
    this.pos = i + end.length;
  }

  private top(): OpenElement {
    return this.stack[this.stack.length - 1]!;
  }

  private text(raw: string): void {
    if (!this.stack.length) {
      if (raw.trim()) throw new XmlError('malformed', 'text outside the root element');
      return;
    }
    this.top().el.text += decodeEntities(raw);
  }

  private readName(): string {
    NAME.lastIndex = this.pos;
    const m = NAME.exec(this.s);
    if (!m) throw new XmlError('malformed', `expected a name at offset ${this.pos}`);
    this.pos += m[0].length;
    return m[0];
  }

  private skipSpace(): void {
    while (this.pos < this.s.length && ' \t\r\n'.includes(this.s[this.pos]!)) this.pos++;
  }

  private startTag(): void {
    if (this.root && !this.stack.length) throw new XmlError('malformed', 'content after the root element');
    this.pos++;
    const qname = this.readName();
    const attrs = this.attributes();
    const selfClosing = this.s.startsWith('/>', this.pos);
    if (!selfClosing && this.s[this.pos] !== '>') throw new XmlError('malformed', `bad start tag <${qname}>`);
    this.pos += selfClosing ? 2 : 1;
    if (++this.nodes > this.lim.maxNodes) throw new XmlError('too_many_nodes', `more than ${this.lim.maxNodes} elements`);
    if (this.stack.length >= this.lim.maxDepth) throw new XmlError('too_deep', `nesting deeper than ${this.lim.maxDepth}`);
    const parentScope = this.stack.length ? this.top().scope : new Map([['xml', XML_NS]]);
    const scope = namespaceScope(parentScope, attrs);
    const ns = resolvePrefix(scope, qname);
    const el: XmlElement = { name: localName(qname), ns: ns ?? '', attrs, children: [], text: '' };
    if (ns === null) el.unresolved = true;
    if (this.stack.length) this.top().el.children.push(el);
    else this.root = el;
    if (!selfClosing) this.stack.push({ qname, el, scope });
  }

  private attributes(): Record<string, string> {
    const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
    let count = 0;
    for (;;) {
      const before = this.pos;
      this.skipSpace();
      const c = this.s[this.pos];
      if (c === '>' || c === '/' || c === undefined) return attrs;
      if (this.pos === before) throw new XmlError('malformed', `expected whitespace before attribute at offset ${this.pos}`);
      const name = this.readName();
      this.skipSpace();
      if (this.s[this.pos] !== '=') throw new XmlError('malformed', `attribute ${name} without value`);
      this.pos++;
      this.skipSpace();
      const quote = this.s[this.pos];
      if (quote !== '"' && quote !== "'") throw new XmlError('malformed', `attribute ${name} value not quoted`);
      const end = this.s.indexOf(quote, this.pos + 1);
      if (end === -1) throw new XmlError('malformed', `unterminated attribute ${name}`);
      const raw = this.s.slice(this.pos + 1, end);
      if (raw.includes('<')) throw new XmlError('malformed', `"<" in attribute ${name}`);
      if (name in attrs) throw new XmlError('malformed', `duplicate attribute ${name}`);
      if (++count > this.lim.maxAttributes) throw new XmlError('too_many_nodes', `more than ${this.lim.maxAttributes} attributes`);
      attrs[name] = decodeEntities(raw);
      this.pos = end + 1;
    }
  }

  private endTag(): void {
    this.pos += 2;
    const qname = this.readName();
    this.skipSpace();
    if (this.s[this.pos] !== '>') throw new XmlError('malformed', `bad end tag </${qname}>`);
    this.pos++;
    const open = this.stack.pop();
    if (!open || open.qname !== qname) {
      throw new XmlError('malformed', `</${qname}> does not close ${open ? `<${open.qname}>` : 'any element'}`);
    }
  }
}

function namespaceScope(parent: Map<string, string>, attrs: Record<string, string>): Map<string, string> {
  let scope = parent;
  for (const [k, v] of Object.entries(attrs)) {
    if (k !== 'xmlns' && !k.startsWith('xmlns:')) continue;
    if (scope === parent) scope = new Map(parent);
    scope.set(k === 'xmlns' ? '' : k.slice(6), v);
  }
  return scope;
}

/**
 * The element's namespace, or null for a prefix never declared: real firmware (cheap NVRs,
 * some Dahua OEMs) writes `tt:` or `tds:` without declaring them, and the caller then matches
 * by local name instead of refusing the reply.
 */
function resolvePrefix(scope: Map<string, string>, qname: string): string | null {
  const i = qname.indexOf(':');
  const prefix = i === -1 ? '' : qname.slice(0, i);
  const uri = scope.get(prefix);
  if (uri === undefined && prefix) return null;
  return uri ?? '';
}

const localName = (qname: string) => qname.slice(qname.indexOf(':') + 1);

/** The five predefined entities and character references; anything else is an error (there is no DTD to define it). */
export function decodeEntities(raw: string): string {
  if (!raw.includes('&')) return raw;
  let out = '';
  let pos = 0;
  for (;;) {
    const amp = raw.indexOf('&', pos);
    if (amp === -1) return out + raw.slice(pos);
    const semi = raw.indexOf(';', amp);
    if (semi === -1 || semi - amp > 12) throw new XmlError('malformed', 'bare "&" in text');
    out += raw.slice(pos, amp) + decodeEntity(raw.slice(amp + 1, semi));
    pos = semi + 1;
  }
}

function decodeEntity(name: string): string {
  const predefined = PREDEFINED[name];
  if (predefined !== undefined) return predefined;
  const code = /^#x[0-9a-fA-F]+$/.test(name) ? parseInt(name.slice(2), 16) : /^#[0-9]+$/.test(name) ? parseInt(name.slice(1), 10) : NaN;
  if (Number.isNaN(code)) throw new XmlError('malformed', `undefined entity &${name};`);
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new XmlError('malformed', `invalid character reference &${name};`);
  return String.fromCodePoint(code);
}

/* ---------- navigation helpers (namespace-agnostic below the checked envelope) ---------- */

/** First direct child with this local name. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

export function children(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** Follows a path of local names; undefined when any step is missing. */
export function path(el: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let cur = el;
  for (const n of names) cur = child(cur, n);
  return cur;
}

/** Trimmed text at a path, or null when the element is missing or empty. */
export function textAt(el: XmlElement | undefined, ...names: string[]): string | null {
  const t = path(el, ...names)?.text.trim();
  return t ? t : null;
}

/** Integer at a path, or null when missing or not a number. */
export function intAt(el: XmlElement | undefined, ...names: string[]): number | null {
  const t = textAt(el, ...names);
  if (t === null || !/^-?\d+(\.\d+)?$/.test(t)) return null;
  return Math.round(Number(t));
}

/** An attribute by local name, whatever its prefix (`token`, `tt:token`). */
export function attrLocal(el: XmlElement | undefined, name: string): string | null {
  if (!el) return null;
  for (const [k, v] of Object.entries(el.attrs)) if (k === name || k.endsWith(`:${name}`)) return v.trim() || null;
  return null;
}
