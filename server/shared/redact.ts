/**
 * Masks credentials wherever ffmpeg, the onvif library or an error message could echo them:
 * `user:pass@` in URLs, secret-looking query parameters and Authorization headers.
 */
// Userinfo may hold RFC 3986 sub-delimiters raw, the apostrophe among them ("rtsp://u:'@h"):
// stopping at it, as this once did, left short passwords with a ' unmasked. A double quote is
// never raw in a URL, so it still ends a match (JSON log fields).
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@"]*@/gi;
const QUERY_SECRET = /([?&;](?:user(?:name)?|pass(?:word)?|pwd|token|key|auth|secret|sig(?:nature)?|apikey|api_key|access_token)=)[^&\s'"]*/gi;
const AUTH_HEADER = /(authorization:\s*(?:basic|digest|bearer)?\s*)[^\r\n]*/gi;

export function redact(text: string): string {
  return text.replace(USERINFO, '$1***:***@').replace(QUERY_SECRET, '$1***').replace(AUTH_HEADER, '$1***');
}

/** Percent-encodes everything but RFC 3986 unreserved characters (encodeURIComponent leaves !'()* raw). */
export function encodeUserinfo(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Also masks literal secrets we know (a password that appears without URL syntax), raw and
 * percent-encoded. Secrets shorter than 3 characters are masked only inside URLs (above):
 * replacing every "a" or "'" of a line would leave nothing readable.
 */
export function redactWith(text: string, secrets: readonly (string | undefined)[]): string {
  let out = redact(text);
  for (const s of secrets) {
    if (!s || s.length < 3) continue;
    for (const form of new Set([s, encodeURIComponent(s), encodeUserinfo(s)])) out = out.split(form).join('***');
  }
  return out;
}
