/** A multipart/form-data body as a browser's form sends it: text fields, then files under `fileField`. */
export function form(
  fields: Record<string, string>,
  photos: { data: Buffer; type: string; name: string }[] = [],
  fileField = 'photos',
): { body: Buffer; type: string } {
  const b = `----binhyen${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const p of photos)
    parts.push(
      Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${fileField}"; filename="${p.name}"\r\nContent-Type: ${p.type}\r\n\r\n`),
      p.data,
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${b}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${b}` };
}
