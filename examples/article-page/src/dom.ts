// Small DOM helpers: every text goes in as text, never as markup, so
// nothing the API returns can inject into the page. The one exception is a
// comment's `body.html`, which Dateline sanitizes before it leaves.

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** Only web links are followed; anything else is shown as text. */
export function safeHref(href: string | null | undefined): string | null {
  if (!href) return null;
  try {
    const u = new URL(href, location.href);
    return u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'mailto:' ? u.href : null;
  } catch {
    return null;
  }
}

const ordinal = new Intl.PluralRules('en-US', { type: 'ordinal' });
const suffix: Record<string, string> = { one: 'st', two: 'nd', few: 'rd', other: 'th' };
const monthYear = new Intl.DateTimeFormat('en-US', { month: 'long', timeZone: 'UTC' });

/** "September 26th, 2022", as news sidebars print dates. */
export function longDate(iso: string): string {
  const d = new Date(iso);
  const day = d.getUTCDate();
  return `${monthYear.format(d)} ${day}${suffix[ordinal.select(day)] ?? 'th'}, ${d.getUTCFullYear()}`;
}

/** "MAY 05", as a dateline prints the day. */
export function datelineDay(iso: string): string {
  const d = new Date(iso);
  const month = new Intl.DateTimeFormat('en-US', { month: 'short', timeZone: 'UTC' }).format(d).toUpperCase();
  return `${month} ${String(d.getUTCDate()).padStart(2, '0')}`;
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "3 minutes ago", for comments. */
export function ago(iso: string, now = Date.now()): string {
  const s = Math.round((new Date(iso).getTime() - now) / 1000);
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ['second', 60],
    ['minute', 60],
    ['hour', 24],
    ['day', 30],
    ['month', 12],
  ];
  let v = s;
  for (const [unit, size] of steps) {
    if (Math.abs(v) < size) return relative.format(v, unit);
    v = Math.round(v / size);
  }
  return relative.format(v, 'year');
}

/** "6:52" from seconds. */
export function duration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}
