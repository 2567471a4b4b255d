/**
 * Minimal, careful XML text handling for the Google Merchant feed: everything that goes into element content or an
 * attribute value passes through xmlText(), which normalises to Unicode NFC (Vietnamese precomposed letters), drops
 * the characters XML 1.0 cannot carry (C0 controls other than tab/newline/CR, lone surrogates, U+FFFE/U+FFFF) and
 * escapes the five markup characters.
 */

// XML 1.0 Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Drops what XML 1.0 cannot carry; iterating a string by code point yields lone surrogates as themselves (dropped). */
function onlyXmlChars(text: string): string {
  let out = '';
  for (const ch of text) if (isXmlChar(ch.codePointAt(0) ?? 0)) out += ch;
  return out;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text safe for XML element content and (double- or single-quoted) attribute values. */
export function xmlText(value: string | number): string {
  return onlyXmlChars(String(value).normalize('NFC')).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Cuts text to at most `max` characters (Unicode code points) on a word boundary when one is near, adding an ellipsis. */
export function truncate(value: string, max: number): string {
  const chars = [...value.normalize('NFC')];
  if (chars.length <= max) return value.normalize('NFC');
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.8 ? cut.slice(0, space) : cut}…`;
}

/** One `<name>text</name>` element; the name is ours (never user input), the text is escaped. */
export function element(name: string, text: string | number): string {
  return `<${name}>${xmlText(text)}</${name}>`;
}
