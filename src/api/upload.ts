/**
 * Reading a manifest upload: a `text/csv` body streamed straight into the manifest parser, or a
 * multipart form whose `file` field holds it. Content-Encoding (gzip, deflate, br) is undone
 * first, so the size limit applies to the decoded bytes and a small compressed bomb is refused
 * as soon as it grows past the limit.
 */
import { Readable, pipeline } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { ManifestSource } from '../manifest/parse';
import { Problem } from './problems';

/** Room for the multipart boundaries and headers around the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

export interface Upload {
  source: ManifestSource;
  /** From the multipart `name` field or the file name, cleaned; undefined when neither was sent. */
  name?: string;
}

function decoded(req: Request): AsyncIterable<Uint8Array> {
  if (!req.body) return (async function* () {})();
  const encoding = (req.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  const raw = Readable.fromWeb(req.body as never);
  let stream: Readable;
  if (encoding === 'identity' || encoding === '') stream = raw;
  else if (encoding === 'gzip' || encoding === 'x-gzip') stream = createGunzip();
  else if (encoding === 'deflate') stream = createInflate();
  else if (encoding === 'br') stream = createBrotliDecompress();
  else throw new Problem(415, `Content-Encoding ${JSON.stringify(encoding.slice(0, 40))} is not supported (gzip, deflate, br)`);
  // pipeline() owns the errors of both streams: a body that is not valid gzip fails the decoder,
  // whose error then surfaces through the iterator below — even when it happens before anyone
  // reads (an unheard 'error' event would crash the process).
  if (stream !== raw) pipeline(raw, stream as NodeJS.WritableStream & Readable, () => undefined);
  return (async function* () {
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
    } catch (err) {
      if (err instanceof Problem) throw err;
      const code = (err as { code?: string }).code ?? '';
      if (code.startsWith('Z_') || code.startsWith('ERR_BROTLI') || code === 'ERR__ERROR_FORMAT_PADDING_1')
        throw new Problem(400, `the body could not be decoded as ${encoding}`);
      throw new Problem(400, 'the upload was interrupted');
    } finally {
      raw.destroy();
    }
  })();
}

/** Counts decoded bytes and stops at `max`. */
async function* capped(src: AsyncIterable<Uint8Array>, max: number): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const chunk of src) {
    n += chunk.byteLength;
    if (n > max) throw new Problem(413, `the manifest is larger than the limit of ${max} bytes (after decoding)`);
    yield chunk;
  }
}

/** A user-supplied name: no control characters, no path, at most 200 characters. */
export function cleanName(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  const base = raw.split(/[\\/]/).pop() ?? '';
  const s = base.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '').trim().slice(0, 200);
  return s || undefined;
}

export async function readUpload(req: Request, maxBytes: number): Promise<Upload> {
  const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const identity = !req.headers.get('content-encoding') || req.headers.get('content-encoding')?.trim().toLowerCase() === 'identity';
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (type === 'text/csv') {
    if (identity && declared > maxBytes)
      throw new Problem(413, `the manifest is larger than the limit of ${maxBytes} bytes`);
    return { source: capped(decoded(req), maxBytes) };
  }
  if (type === 'multipart/form-data') {
    const limit = maxBytes + MULTIPART_OVERHEAD;
    if (identity && declared > limit) throw new Problem(413, `the upload is larger than the limit of ${maxBytes} bytes`);
    const parts: Uint8Array[] = [];
    for await (const chunk of capped(decoded(req), limit)) parts.push(chunk);
    let form: FormData;
    try {
      form = await new Response(Buffer.concat(parts), { headers: { 'content-type': req.headers.get('content-type')! } }).formData();
    } catch {
      throw new Problem(400, 'the multipart body could not be parsed');
    }
    const file = form.get('file');
    if (!file || typeof file === 'string')
      throw new Problem(400, 'the multipart form needs the manifest as a file in the field "file"');
    if (file.size > maxBytes) throw new Problem(413, `the manifest is larger than the limit of ${maxBytes} bytes`);
    const nameField = form.get('name');
    return {
      source: new Uint8Array(await file.arrayBuffer()),
      name: cleanName(typeof nameField === 'string' ? nameField : undefined) ?? cleanName(file.name),
    };
  }
  throw new Problem(415, `send the manifest as text/csv or multipart/form-data (got ${JSON.stringify(type.slice(0, 60) || 'none')})`);
}
