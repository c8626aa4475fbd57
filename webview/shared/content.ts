// Classifies the content blocks of a tool result into what the invoker may show, deciding here (pure,
// unit-tested) what is safe: media only as data: URLs of an allowed image/audio MIME type with clean base64,
// everything else as text. Resource URIs are only ever handed to the host, never navigated to.

export type ContentBlock =
  | { kind: 'text'; text: string }
  | { kind: 'json'; text: string }
  | { kind: 'image'; src: string; mimeType: string; bytes: number }
  | { kind: 'audio'; src: string; mimeType: string; bytes: number }
  | { kind: 'resource'; uri: string; mimeType?: string; text?: string; json?: boolean; image?: string; bytes?: number }
  | { kind: 'link'; uri: string; name: string; description?: string; mimeType?: string }
  | { kind: 'invalid'; reason: string; raw: string };

// SVG is left out on purpose: it is a document that can carry script.
const IMAGE_MIME = /^image\/(png|jpeg|gif|webp|bmp|avif)$/;
const AUDIO_MIME = /^audio\/(wav|x-wav|wave|mpeg|mp3|ogg|webm|flac|x-flac|aac|mp4)$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function base64Bytes(data: string): number {
  return Math.floor((data.length * 3) / 4) - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
}

/** A data: URL for base64 media of an allowed MIME type, or undefined when the type or the data is not acceptable. */
export function mediaDataUrl(kind: 'image' | 'audio', mimeType: unknown, data: unknown): string | undefined {
  if (typeof mimeType !== 'string' || typeof data !== 'string') return undefined;
  const mime = mimeType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!(kind === 'image' ? IMAGE_MIME : AUDIO_MIME).test(mime)) return undefined;
  const clean = data.replace(/\s+/g, '');
  if (clean.length === 0 || clean.length % 4 !== 0 || !BASE64.test(clean)) return undefined;
  return `data:${mime};base64,${clean}`;
}

/** Pretty JSON text when `text` is a JSON object or array, else undefined. */
export function prettyJsonText(text: string): string | undefined {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return undefined;
  }
}

function raw(item: unknown): string {
  try {
    const text = JSON.stringify(item, null, 2) ?? String(item);
    return text.length > 4000 ? `${text.slice(0, 4000)}…` : text;
  } catch {
    return String(item);
  }
}

export function classifyContent(item: unknown): ContentBlock {
  if (typeof item !== 'object' || item === null) return { kind: 'invalid', reason: 'not a content object', raw: raw(item) };
  const c = item as Record<string, unknown>;
  switch (c.type) {
    case 'text': {
      const text = str(c.text);
      if (text === undefined) return { kind: 'invalid', reason: 'text content without text', raw: raw(item) };
      const json = prettyJsonText(text);
      return json === undefined ? { kind: 'text', text } : { kind: 'json', text: json };
    }
    case 'image':
    case 'audio': {
      const src = mediaDataUrl(c.type, c.mimeType, c.data);
      if (!src) return { kind: 'invalid', reason: `${c.type} with an unsupported MIME type (${str(c.mimeType) ?? 'none'}) or data that is not base64`, raw: raw({ ...c, data: `(${String(str(c.data)?.length ?? 0)} characters)` }) };
      return { kind: c.type, src, mimeType: src.slice(5, src.indexOf(';')), bytes: base64Bytes(src.slice(src.indexOf(',') + 1)) };
    }
    case 'resource': {
      const r = c.resource;
      if (typeof r !== 'object' || r === null || typeof (r as { uri?: unknown }).uri !== 'string') return { kind: 'invalid', reason: 'embedded resource without a uri', raw: raw(item) };
      const res = r as Record<string, unknown>;
      const block: Extract<ContentBlock, { kind: 'resource' }> = { kind: 'resource', uri: res.uri as string };
      const mimeType = str(res.mimeType);
      if (mimeType) block.mimeType = mimeType;
      const text = str(res.text);
      const blob = str(res.blob);
      if (text !== undefined) {
        const json = prettyJsonText(text);
        block.text = json ?? text;
        if (json !== undefined) block.json = true;
      } else if (blob !== undefined) {
        block.bytes = base64Bytes(blob.replace(/\s+/g, ''));
        const image = mediaDataUrl('image', mimeType, blob);
        if (image) block.image = image;
      }
      return block;
    }
    case 'resource_link': {
      const uri = str(c.uri);
      if (uri === undefined) return { kind: 'invalid', reason: 'resource link without a uri', raw: raw(item) };
      const block: Extract<ContentBlock, { kind: 'link' }> = { kind: 'link', uri, name: str(c.title) ?? str(c.name) ?? uri };
      const description = str(c.description);
      const mimeType = str(c.mimeType);
      if (description) block.description = description;
      if (mimeType) block.mimeType = mimeType;
      return block;
    }
    default:
      return { kind: 'invalid', reason: `unknown content type ${JSON.stringify(c.type) ?? 'undefined'}`, raw: raw(item) };
  }
}
