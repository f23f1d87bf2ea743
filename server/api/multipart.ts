import type { Request } from 'express';
import { AppError } from '../shared/errors.js';

/** One part of a multipart/form-data body: a text field, or a file with its bytes. */
export interface FormPart {
  name: string;
  filename: string | null;
  contentType: string | null;
  data: Buffer;
}

/**
 * Reads a multipart/form-data body whole, up to `maxBytes` (a report is a few photos; holding
 * them in memory keeps the parse simple and the limit exact). A body over the limit is refused
 * with 413 before the rest is read; a malformed one with 400 naming what is wrong.
 */
export async function readMultipart(req: Request, maxBytes: number, maxParts: number): Promise<FormPart[]> {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.headers['content-type'] ?? '');
  const b = boundary?.[1] ?? boundary?.[2];
  if (!b) throw new AppError('multipart_invalid', 'body: multipart/form-data needs a boundary', 400, { field: 'body' });
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const body = await readBounded(req, maxBytes);
  return splitParts(body, b, maxParts);
}

const tooLarge = (max: number) =>
  new AppError('body_too_large', `body: the request is larger than ${Math.round(max / 1024 / 1024)} MB`, 413, { field: 'body', params: { maxBytes: max } });

function readBounded(req: Request, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.off('data', onData);
        req.resume(); // drain the rest so the client reads our answer instead of a reset
        reject(tooLarge(max));
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function splitParts(body: Buffer, boundary: string, maxParts: number): FormPart[] {
  const delim = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) throw malformed('no part starts with the boundary');
  for (;;) {
    pos += delim.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return parts; // closing delimiter
    pos += 2; // CRLF after the delimiter
    const headEnd = body.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) throw malformed('a part has no header end');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headEnd + 4);
    if (next < 0) throw malformed('the body ends without its closing boundary');
    if (parts.length >= maxParts) throw new AppError('multipart_too_many_parts', `body: more than ${maxParts} parts`, 400, { field: 'body' });
    parts.push(partOf(body.subarray(pos, headEnd).toString('utf8'), body.subarray(headEnd + 4, next)));
    pos = next + 2;
  }
}

function partOf(head: string, data: Buffer): FormPart {
  const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(head)?.[1] ?? '';
  const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
  if (!name) throw malformed('a part has no name');
  const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1] ?? null;
  const contentType = /content-type:\s*([^\r\n;]+)/i.exec(head)?.[1]?.trim().toLowerCase() ?? null;
  return { name, filename, contentType, data: Buffer.from(data) };
}

const malformed = (why: string) => new AppError('multipart_invalid', `body: malformed multipart/form-data (${why})`, 400, { field: 'body' });
