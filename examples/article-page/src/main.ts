// The reference article page, built from Dateline's API alone: one GraphQL
// request (a persisted query sent by GET) renders the whole page, story,
// sidebar and the first page of the discussion; everything after it is the
// reader's doing.

import { accountPanel, forget, token } from './account.js';
import { Client, endpoint } from './api.js';
import { renderArticle, renderRelated } from './article.js';
import { Discussion, explain, PAGE, REPLIES } from './comments.js';
import { h } from './dom.js';
import { ArticlePageDocument } from './gql/graphql.js';

const main = document.getElementById('main') as HTMLElement;
const sidebar = document.getElementById('sidebar') as HTMLElement;
const client = new Client(endpoint(location), token);
let discussion: Discussion | null = null;

function slugOf(): string {
  const given = new URLSearchParams(location.search).get('slug');
  return given || main.dataset['defaultSlug'] || '';
}

function hrefFor(slug: string): string {
  const u = new URL(location.href);
  u.searchParams.set('slug', slug);
  u.hash = '';
  return `${u.pathname}${u.search}`;
}

function problem(text: string): void {
  main.setAttribute('aria-busy', 'false');
  main.replaceChildren(h('div', { class: 'problem', role: 'alert' }, h('h1', {}, 'This story cannot be shown'), h('p', {}, text)));
}

async function render(): Promise<void> {
  discussion?.close();
  main.setAttribute('aria-busy', 'true');
  const slug = slugOf();
  let data;
  try {
    data = await client.query(ArticlePageDocument, {
      slug,
      comments: PAGE,
      replies: REPLIES,
      order: 'NEWEST',
    });
  } catch (e) {
    // A stale session must not lock the reader out of the story.
    if (token() && e instanceof Error && 'code' in e && e.code === 'UNAUTHENTICATED') {
      forget();
      return render();
    }
    problem(explain(e));
    return;
  }
  const a = data.article;
  if (!a) {
    problem(`There is no published story "${slug}".`);
    return;
  }
  document.title = `${a.headline} · Dateline`;
  const parts: Node[] = [renderArticle(a)];
  if (a.commentsStatus !== 'DISABLED') {
    const account = accountPanel(client, data.me ?? null, () => void render());
    discussion = new Discussion(
      client,
      {
        slug: a.slug,
        articleId: a.id,
        open: a.commentsOpen,
        count: a.commentCount,
        order: 'NEWEST',
        page: a.comments,
      },
      { viewer: data.me ?? null, token, askToSignIn: account.ask },
      account.panel,
    );
    parts.push(discussion.root);
  }
  main.replaceChildren(...parts);
  const related = renderRelated(a, hrefFor);
  sidebar.replaceChildren(...(related ? [related] : []));
  main.setAttribute('aria-busy', 'false');
  discussion?.listen();
}

void render();
