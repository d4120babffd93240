// The story itself: dateline, headline, dek, byline, hero photo, audio,
// body blocks, corrections; and the related sidebar. Rendered from the
// typed blocks (not from `body.html`), as a native app would.

import { datelineDay, duration, h, longDate, safeHref } from './dom.js';
import type { ArticlePageQuery } from './gql/graphql.js';

export type Article = NonNullable<ArticlePageQuery['article']>;
type Block = Article['body']['blocks'][number];
type Span = Extract<Block, { __typename: 'ParagraphBlock' }>['spans'][number];

function spans(list: readonly Span[]): Node[] {
  return list.map((s) => {
    let node: Node = document.createTextNode(s.text);
    for (const mark of s.marks) {
      const tag = ({ BOLD: 'strong', ITALIC: 'em', CODE: 'code', STRIKETHROUGH: 's' } as const)[mark];
      node = h(tag, {}, node);
    }
    const href = safeHref(s.href);
    return href ? h('a', { href, rel: 'noopener' }, node) : node;
  });
}

function block(b: Block): Node | null {
  switch (b.__typename) {
    case 'ParagraphBlock':
      return h('p', {}, ...spans(b.spans));
    case 'HeadingBlock': {
      // The story's headline is the page's h1; body headings start at h2.
      const level = Math.min(6, Math.max(2, b.level + 1)) as 2 | 3 | 4 | 5 | 6;
      return h(`h${level}`, {}, ...spans(b.spans));
    }
    case 'QuoteBlock':
      return h(
        'blockquote',
        {},
        h('p', {}, ...spans(b.spans)),
        b.attribution ? h('footer', {}, `— ${b.attribution}`) : null,
      );
    case 'ListBlock':
      return h(b.ordered ? 'ol' : 'ul', {}, ...b.items.map((i) => h('li', {}, ...spans(i.spans))));
    case 'ImageBlock': {
      const src = safeHref(b.url);
      return h(
        'figure',
        { class: 'inline-figure' },
        src ? h('img', { src, alt: b.alt ?? '', loading: 'lazy' }) : null,
        b.caption || b.credit
          ? h('figcaption', {}, b.caption ?? '', b.credit ? h('span', { class: 'credit' }, ` ${b.credit}`) : null)
          : null,
      );
    }
    case 'EmbedBlock': {
      const href = safeHref(b.url);
      return h(
        'p',
        { class: 'embed' },
        href ? h('a', { href, rel: 'noopener' }, b.title ?? b.url) : b.title ?? b.url,
        b.provider ? ` (${b.provider})` : null,
      );
    }
    default:
      return null;
  }
}

function hero(a: Article): Node | null {
  const img = a.heroImage;
  if (!img) return null;
  const src = safeHref(img.url);
  if (!src) return null;
  const srcset = img.renditions
    .map((r) => (safeHref(r.url) ? `${r.url} ${r.width}w` : null))
    .filter((s): s is string => s !== null)
    .join(', ');
  const photo = h('img', {
    src,
    srcset: srcset || null,
    sizes: srcset ? '(min-width: 64rem) 44rem, 100vw' : null,
    alt: img.alt ?? '',
    width: img.width ?? null,
    height: img.height ?? null,
    fetchpriority: 'high',
  });
  // A photo that cannot load keeps its place and shows its alt text.
  photo.addEventListener('error', () => photo.classList.add('missing'), { once: true });
  const credit = img.credit.text ?? [img.credit.photographer, img.credit.agency].filter(Boolean).join('/');
  return h(
    'figure',
    { class: 'hero' },
    photo,
    h('figcaption', {}, img.caption ?? '', credit ? h('span', { class: 'credit' }, ` ${credit}`) : null),
  );
}

function audio(a: Article): Node | null {
  const src = safeHref(a.audio?.url);
  if (!a.audio || !src) return null;
  const length = a.audio.durationSeconds ? duration(a.audio.durationSeconds) : null;
  return h(
    'section',
    { class: 'audio', 'aria-labelledby': 'listen-h' },
    h('h2', { id: 'listen-h', class: 'label' }, 'Listen to this story', length ? h('span', { class: 'length' }, ` (${length})`) : null),
    h(
      'audio',
      { controls: true, preload: 'none', src, 'aria-describedby': 'listen-h' },
      h('a', { href: src }, 'Download the audio'),
    ),
  );
}

function corrections(a: Article): Node | null {
  if (!a.corrections.length) return null;
  return h(
    'section',
    { class: 'corrections', 'aria-labelledby': 'corrections-h' },
    h('h2', { id: 'corrections-h' }, a.corrections.length === 1 ? 'Correction' : 'Corrections'),
    h(
      'ul',
      {},
      ...a.corrections.map((c) =>
        h('li', {}, h('time', { datetime: c.publishedAt }, longDate(c.publishedAt)), ': ', c.text),
      ),
    ),
  );
}

export function renderArticle(a: Article): HTMLElement {
  const byline = a.authors.map((x) => x.name).join(' and ');
  return h(
    'article',
    { class: 'story', 'aria-labelledby': 'headline' },
    h(
      'header',
      {},
      a.section ? h('p', { class: 'kicker' }, a.section.name) : null,
      a.dateline || a.publishedAt
        ? h(
            'p',
            { class: 'dateline' },
            [a.dateline, a.publishedAt ? datelineDay(a.publishedAt) : null].filter(Boolean).join(' - '),
          )
        : null,
      hero(a),
      h('h1', { id: 'headline' }, a.headline),
      a.dek ? h('p', { class: 'dek' }, a.dek) : null,
      h(
        'p',
        { class: 'byline' },
        byline ? `By ${byline}` : null,
        a.publishedAt ? h('time', { datetime: a.publishedAt }, ` · ${longDate(a.publishedAt)}`) : null,
        ` · ${a.readingTimeMinutes} min read`,
      ),
    ),
    audio(a),
    h('div', { class: 'body' }, ...a.body.blocks.map(block)),
    corrections(a),
    a.tags.length
      ? h('p', { class: 'tags' }, 'Tags: ', a.tags.map((t) => t.name).join(', '))
      : null,
  );
}

export function renderRelated(a: Article, hrefFor: (slug: string) => string): HTMLElement | null {
  if (!a.related.length) return null;
  return h(
    'aside',
    { class: 'related', 'aria-labelledby': 'related-h' },
    h('h2', { id: 'related-h' }, 'Related'),
    h(
      'ul',
      {},
      ...a.related.map((r) =>
        h(
          'li',
          {},
          h('a', { href: hrefFor(r.article.slug) }, r.article.headline),
          r.article.publishedAt
            ? h('time', { datetime: r.article.publishedAt }, longDate(r.article.publishedAt))
            : null,
        ),
      ),
    ),
  );
}
