import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';

const SKIP = new Set(['script', 'style', 'noscript', 'iframe', 'object', 'embed', 'svg', 'form', 'button', 'select', 'template']);
const BLOCK = new Set([
  'p', 'div', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'tr', 'td', 'th',
  'thead', 'tbody', 'blockquote', 'pre', 'section', 'article', 'header', 'footer', 'aside', 'nav', 'center', 'hr',
]);

/**
 * Remove what is never lyrics before reading text: navigation tables (cells that are mostly
 * links, like a script index), footnote markers (`<sup>3</sup>`).
 */
export function stripNonText($: CheerioAPI, root: ReturnType<CheerioAPI>): void {
  root.find('table').each((_, table) => {
    const t = $(table);
    const all = t.text().replace(/\s+/g, '').length;
    const links = t.find('a').text().replace(/\s+/g, '').length;
    if (all > 0 && links / all >= 0.6) t.remove();
  });
  root.find('sup').each((_, sup) => {
    const s = $(sup);
    if (/^[\s\d*†‡,]*$/.test(s.text())) s.remove();
  });
}

/**
 * A large-font inline label (`<span style="font-size:180%;">C1</span> lyric…`): the Blogger posts set
 * section labels this way, on the same line as the lyric, so the label only stands apart in the
 * markup. Short text (a label, not a sentence) in a font of 150% or more, or `<font size="5">`+.
 */
function isLargeLabel(el: Element): boolean {
  const name = el.name.toLowerCase();
  if (name !== 'span' && name !== 'font' && name !== 'big') return false;
  const style = el.attribs?.style ?? '';
  const pct = /font-size\s*:\s*(\d+(?:\.\d+)?)%/i.exec(style);
  const large =
    (pct?.[1] !== undefined && Number(pct[1]) >= 150) ||
    /font-size\s*:\s*(?:x-large|xx-large|large)\b/i.test(style) ||
    (name === 'font' && Number(el.attribs?.size ?? 0) >= 5);
  if (!large) return false;
  // Its text, through inline children (`<b>C1</b>`); a line break inside means it is not a label.
  let text = '';
  const collect = (n: AnyNode): boolean => {
    if (n.type === 'text') {
      text += (n as unknown as { data: string }).data;
      return true;
    }
    if (n.type !== 'tag') return true;
    const tag = (n as Element).name.toLowerCase();
    if (tag === 'br' || BLOCK.has(tag)) return false;
    return (n as Element).children.every(collect);
  };
  if (!el.children.every(collect)) return false;
  const t = text.trim();
  return t.length > 0 && t.length <= 24;
}

/**
 * Visible text of `node` as trimmed, non-empty lines (`<br>`, block elements and large-font labels
 * break lines).
 */
export function textLines(nodes: readonly AnyNode[]): string[] {
  const parts: string[] = [];
  const walk = (node: AnyNode): void => {
    if (node.type === 'text') {
      parts.push((node as unknown as { data: string }).data);
      return;
    }
    if (node.type !== 'tag' && node.type !== 'script' && node.type !== 'style') return;
    const el = node as Element;
    const name = el.name.toLowerCase();
    if (SKIP.has(name)) return;
    if (name === 'br') {
      parts.push('\n');
      return;
    }
    const block = BLOCK.has(name) || isLargeLabel(el);
    if (block) parts.push('\n');
    for (const child of el.children) walk(child);
    if (block) parts.push('\n');
  };
  for (const n of nodes) walk(n);
  return parts
    .join('')
    .replace(/[\u00a0\u2002-\u200b\u202f\ufeff]/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.replace(/[ \t]+/g, ' ').trim())
    .filter((l) => l.length > 0);
}
