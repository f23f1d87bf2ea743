import type { AppError } from '../shared/errors.js';
import { notOnvif, unreachable, wrongCredentials, type NotOnvifReason } from './camera.errors.js';
import { digestAuthorization, envelope, NS, pickChallenge, SERVICE_PREFIX, usernameToken, type DigestChallenge } from './onvif.auth.js';
import type { TargetGuard } from './network.guard.js';
import { httpPost, TransportError, type HttpPost, type HttpReply } from './onvif.http.js';
import { child, parseXml, textAt, XmlError, type XmlElement, type XmlErrorReason } from './onvif.xml.js';

/**
 * A bounded ONVIF SOAP client: every call has a per-call time limit inside one overall
 * deadline, a reply-size bound and a hardened parse, and every failure comes out as one of the
 * classified onboarding errors (camera.errors.ts). It authenticates with WS-UsernameToken on
 * the camera's clock and falls back to HTTP digest when the camera asks for it.
 */
export interface OnvifClientOptions {
  username?: string;
  password?: string;
  callTimeoutMs: number;
  deadlineMs: number;
  maxReplyBytes: number;
  post?: HttpPost;
  /** Every call's host is checked against the camera address ranges (the server's probes). */
  guard?: TargetGuard;
  now?: () => number;
}

export type AuthMethod = 'none' | 'ws-security' | 'digest';

export interface SoapRequest {
  url: URL;
  /** Namespace of the service (device, media …): the reply element must be in it. */
  ns: string;
  action: string;
  /** Inner XML of the request element, already escaped. */
  inner?: string;
  /** False for the pre-authentication calls (GetSystemDateAndTime, GetCapabilities, GetServices). */
  authenticate: boolean;
  /** WS-Addressing header blocks (Action, To) that event subscriptions need, already escaped. */
  addressing?: string;
}

/** A SOAP fault that is not about authentication (e.g. ActionNotSupported). */
export class SoapFault extends Error {
  constructor(
    readonly action: string,
    readonly subcode: string | null,
    readonly reason: string,
  ) {
    super(`${action}: ${subcode ?? 'fault'} ${reason}`.trim());
    this.name = 'SoapFault';
  }
}

const AUTH_SUBCODES = /NotAuthorized|FailedAuthentication|InvalidSecurity|FailedCheck|SecurityTokenUnavailable|InvalidSecurityToken/i;
const AUTH_REASON = /not\s*authori[sz]ed|unauthori[sz]ed|authenticat|password|security token|sender not/i;
const XML_REASON: Record<XmlErrorReason, NotOnvifReason> = {
  dtd_forbidden: 'dtd_forbidden',
  malformed: 'malformed_xml',
  too_large: 'too_large',
  too_deep: 'too_complex',
  too_many_nodes: 'too_complex',
};

interface ParsedReply {
  body: XmlElement;
  fault?: { subcode: string | null; reason: string };
}

export class OnvifClient {
  /** Camera clock minus server clock, once GetSystemDateAndTime has answered. */
  clockOffsetMs: number | null = null;
  auth: AuthMethod;
  /** Whether the device has sent one sound ONVIF reply yet (changes what a later failure means). */
  answered = false;
  /** An authenticated call has succeeded with the current login method. */
  loggedIn = false;
  readonly where: string;
  private deadlineAt: number;
  private readonly post: HttpPost;
  private readonly now: () => number;
  private challenge: DigestChallenge | undefined;
  private nc = 0;

  constructor(
    readonly deviceUrl: URL,
    private readonly o: OnvifClientOptions,
  ) {
    this.now = o.now ?? Date.now;
    this.post = o.post ?? httpPost;
    this.deadlineAt = this.now() + o.deadlineMs;
    this.where = deviceUrl.host;
    this.auth = o.username ? 'ws-security' : 'none';
  }

  /** Sends one request and returns the `<action>Response` element. */
  async call(req: SoapRequest): Promise<XmlElement> {
    const before = { auth: this.auth, challenge: this.challenge, nc: this.nc };
    let digestTries = 0;
    let askedForChallenge = false;
    for (;;) {
      const reply = await this.send(req);
      // A 401 is about credentials whatever its body says; anything else must be a sound SOAP reply.
      const parsed = reply.status === 401 ? undefined : this.parse(reply, req.action);
      const authFailed = reply.status === 401 || (parsed?.fault !== undefined && isAuthFault(parsed.fault));
      if (!authFailed) {
        const el = this.responseElement(req, reply, parsed!);
        if (req.authenticate) this.loggedIn = true;
        return el;
      }
      if (!this.o.username) throw wrongCredentials(this.where, undefined, this.clockOffsetMs, 'no credentials given');
      const offered = pickChallenge(reply.wwwAuthenticate);
      const fresh = offered && (this.auth !== 'digest' || offered.nonce !== this.challenge?.nonce);
      if (offered && fresh && digestTries < 2) {
        this.auth = 'digest';
        this.challenge = offered;
        this.nc = 0;
        digestTries++;
        continue;
      }
      if (this.auth === 'ws-security' && !askedForChallenge) {
        // WS-UsernameToken refused: ask again without it, in case the camera wants digest.
        askedForChallenge = true;
        this.auth = 'digest';
        this.challenge = undefined;
        continue;
      }
      const method = this.auth === 'digest' && this.challenge ? 'HTTP digest' : 'WS-UsernameToken';
      // A login that worked for earlier calls stays: this refusal is about this call (a permission), not the password.
      if (this.loggedIn) Object.assign(this, before);
      throw wrongCredentials(this.where, this.o.username, this.clockOffsetMs, method);
    }
  }

  /** A long-lived client (an event subscription) starts a new overall deadline for each exchange. */
  renewDeadline(): void {
    this.deadlineAt = this.now() + this.o.deadlineMs;
  }

  /** Camera time now, on the server clock plus the measured offset. */
  cameraNow(): number {
    return this.now() + (this.clockOffsetMs ?? 0);
  }

  private async send(req: SoapRequest): Promise<HttpReply> {
    const remaining = this.deadlineAt - this.now();
    if (remaining <= 0) throw unreachable(this.where, 'deadline', req.action, Math.round(this.o.deadlineMs / 1000));
    const header =
      req.authenticate && this.auth === 'ws-security' && this.o.username ? usernameToken(this.o.username, this.o.password ?? '', this.cameraNow()) : '';
    const headers: Record<string, string> = { 'Content-Type': `application/soap+xml; charset=utf-8; action="${req.ns}/${req.action}"` };
    if (this.auth === 'digest' && this.challenge && this.o.username) {
      headers.Authorization = digestAuthorization(this.challenge, this.o.username, this.o.password ?? '', 'POST', req.url.pathname + req.url.search, ++this.nc);
    }
    const body = envelope(`<${prefixOf(req.ns)}:${req.action}>${req.inner ?? ''}</${prefixOf(req.ns)}:${req.action}>`, header + (req.addressing ?? ''));
    const timeoutMs = Math.min(this.o.callTimeoutMs, remaining);
    try {
      return await this.post(req.url, {
        headers,
        body,
        timeoutMs,
        deadlineBound: remaining < this.o.callTimeoutMs,
        maxBytes: this.o.maxReplyBytes,
        guard: this.o.guard,
      });
    } catch (err) {
      throw this.transportError(err, req.action);
    }
  }

  private transportError(err: unknown, stage: string): AppError {
    if (!(err instanceof TransportError)) throw err;
    if (err.reason === 'too_large') return this.bad('too_large', stage, `${Math.round(this.o.maxReplyBytes / 1024)} KB`);
    const seconds = err.reason === 'deadline' ? this.o.deadlineMs : this.o.callTimeoutMs;
    return unreachable(this.where, err.reason, stage, Math.round(seconds / 100) / 10);
  }

  private bad(reason: NotOnvifReason, stage: string, detail: string): AppError {
    return notOnvif(this.where, reason, stage, detail, this.answered);
  }

  private parse(reply: HttpReply, stage: string): ParsedReply {
    const text = reply.body.trim();
    // The body decides, not Content-Type: firmware labels SOAP as text/html, text/plain or nothing.
    if (/^<(!doctype\s+html|html)/i.test(text)) {
      throw this.bad('http_status', stage, `${reply.status} with a web page (probably the camera's web interface port)`);
    }
    if (!looksLikeXml(text)) {
      throw this.bad(reply.status >= 200 && reply.status < 300 ? 'not_xml' : 'http_status', stage, String(reply.status));
    }
    let root: XmlElement;
    try {
      root = parseXml(text, { maxChars: this.o.maxReplyBytes });
    } catch (err) {
      if (err instanceof XmlError) throw this.bad(XML_REASON[err.reason], stage, err.message);
      throw err;
    }
    if (root.name !== 'Envelope') throw this.bad('missing_field', stage, `a SOAP envelope (got <${root.name}>)`);
    if (root.ns !== NS.soap12 && root.ns !== NS.soap11 && !root.unresolved) throw this.bad('wrong_namespace', stage, `envelope in "${root.ns}"`);
    const body = child(root, 'Body');
    if (!body) throw this.bad('missing_field', stage, 'a SOAP body');
    const fault = child(body, 'Fault');
    return fault ? { body, fault: faultInfo(fault) } : { body };
  }

  private responseElement(req: SoapRequest, reply: HttpReply, parsed: ParsedReply): XmlElement {
    if (parsed.fault) throw new SoapFault(req.action, parsed.fault.subcode, parsed.fault.reason);
    if (reply.status < 200 || reply.status >= 300) throw this.bad('http_status', req.action, String(reply.status));
    const el = parsed.body.children.find((c) => c.name !== 'Header');
    const expected = `${req.action}Response`;
    if (!el || el.name !== expected) throw this.bad('missing_field', req.action, `a ${expected} element`);
    if (!namespaceAccepted(el, req.ns)) throw this.bad('wrong_namespace', req.action, `${expected} in "${el.ns}" instead of "${req.ns}"`);
    this.answered = true;
    return el;
  }
}

const looksLikeXml = (s: string) => s.trimStart().startsWith('<');

/**
 * The response element's namespace: exact, or undeclared (matched by local name), or an ONVIF
 * namespace misdeclared by the firmware (trailing slash, ver10/ver20, another service's). A
 * namespace from elsewhere still means the reply is not what was asked for.
 */
function namespaceAccepted(el: XmlElement, expected: string): boolean {
  if (el.ns === expected || el.unresolved) return true;
  return /^https?:\/\/www\.onvif\.org\//i.test(el.ns);
}

function prefixOf(ns: string): string {
  const p = SERVICE_PREFIX[ns];
  if (!p) throw new Error(`no prefix for namespace ${ns}`);
  return p;
}

function faultInfo(fault: XmlElement): { subcode: string | null; reason: string } {
  // SOAP 1.2: Code/Subcode/Value and Reason/Text; SOAP 1.1: faultcode and faultstring.
  const subcode = textAt(fault, 'Code', 'Subcode', 'Value') ?? textAt(fault, 'Code', 'Value') ?? textAt(fault, 'faultcode');
  const reason = textAt(fault, 'Reason', 'Text') ?? textAt(fault, 'faultstring') ?? '';
  return { subcode, reason: reason.slice(0, 200) };
}

function isAuthFault(f: { subcode: string | null; reason: string }): boolean {
  return (f.subcode !== null && AUTH_SUBCODES.test(f.subcode)) || AUTH_REASON.test(f.reason);
}
