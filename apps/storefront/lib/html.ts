/** Escapes text for HTML element content and double-quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Only same-site paths and http(s) URLs may become links. */
export function safeHref(value: unknown): string {
  const s = String(value ?? '');
  return /^(\/(?!\/)|https?:\/\/)/.test(s) ? esc(s) : '#';
}

/** Decodes a path segment once; a value that is not valid percent-encoding is returned as it is. */
export function decodeSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
