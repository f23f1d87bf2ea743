/**
 * Masks credentials wherever ffmpeg, the onvif library or an error message could echo them:
 * `user:pass@` in URLs, secret-looking query parameters and Authorization headers.
 */
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"]*@/gi;
const QUERY_SECRET = /([?&;](?:user(?:name)?|pass(?:word)?|pwd|token|key|auth|secret|sig(?:nature)?|apikey|api_key|access_token)=)[^&\s'"]*/gi;
const AUTH_HEADER = /(authorization:\s*(?:basic|digest|bearer)?\s*)[^\r\n]*/gi;

export function redact(text: string): string {
  return text.replace(USERINFO, '$1***:***@').replace(QUERY_SECRET, '$1***').replace(AUTH_HEADER, '$1***');
}

/** Also masks literal secrets we know (a password that appears without URL syntax). */
export function redactWith(text: string, secrets: readonly (string | undefined)[]): string {
  let out = redact(text);
  for (const s of secrets) {
    if (!s || s.length < 3) continue;
    out = out.split(s).join('***');
    const encoded = encodeURIComponent(s);
    if (encoded !== s) out = out.split(encoded).join('***');
  }
  return out;
}
