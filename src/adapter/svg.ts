/**
 * Text an on-chain SVG (`image_data`) shows: the contents of <text>, <tspan>, <textPath> and <title>
 * elements, entities decoded. No rendering and no network: metadata is untrusted input.
 */
export function svgText(svg: string): string {
  const parts: string[] = [];
  const re = /<(text|tspan|textPath|title|desc)\b[^>]*>([\s\S]*?)<\/\1>/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(svg)) !== null) {
    const inner = m[2].replace(/<[^>]+>/g, ' ');
    const t = decodeEntities(inner).replace(/\s+/g, ' ').trim();
    if (t) parts.push(t);
  }
  return parts.join('\n');
}

function decodeEntities(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => safeCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => safeCodePoint(parseInt(d, 10)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function safeCodePoint(n: number): string {
  return Number.isInteger(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '';
}

/** `data:image/svg+xml;base64,...` or `data:image/svg+xml;utf8,<svg...>` → the SVG source. */
export function svgFromDataUri(uri: string): string | null {
  const m = /^data:image\/svg\+xml(;[^,]*)?,(.*)$/is.exec(uri.trim());
  if (!m) return null;
  const isB64 = /;base64/i.test(m[1] ?? '');
  try {
    return isB64 ? Buffer.from(m[2], 'base64').toString('utf8') : decodeURIComponent(m[2]);
  } catch {
    return null;
  }
}
