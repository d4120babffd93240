// The discussion under the story: top-level comments a page at a time,
// replies a page at a time, a sort switch, reactions, a comment box that
// posts and replies, and comments arriving live over the subscription.

import { ApiError, type Client } from './api.js';
import { ago, h } from './dom.js';
import {
  CommentAddedDocument,
  MoreCommentsDocument,
  MoreRepliesDocument,
  PostCommentDocument,
  ReactDocument,
  type CommentOrder,
  type CommentPartsFragment,
  type ReplyPageFragment,
  type ThreadPageFragment,
  type ThreadPartsFragment,
  type ViewerPartsFragment,
} from './gql/graphql.js';
import { subscribe } from './live.js';

export const PAGE = 10;
export const REPLIES = 3;

export interface Thread {
  slug: string;
  articleId: string;
  open: boolean;
  count: number;
  order: CommentOrder;
  page: ThreadPageFragment;
}

export interface Session {
  viewer: ViewerPartsFragment | null;
  token(): string | null;
  /** Shows the sign-in form, e.g. when an anonymous reader reacts. */
  askToSignIn(why: string): void;
}

const ORDERS: [CommentOrder, string][] = [
  ['NEWEST', 'Newest first'],
  ['OLDEST', 'Oldest first'],
  ['MOST_REPLIES', 'Most replies'],
  ['MOST_REACTIONS', 'Most reactions'],
];

/** What a reader should read for an API error. */
export function explain(e: unknown): string {
  if (!(e instanceof ApiError)) return 'Dateline could not be reached. Check your connection and try again.';
  switch (e.code) {
    case 'RATE_LIMITED':
      return e.retryAfterSeconds
        ? `You are going too fast. Try again in ${e.retryAfterSeconds} second${e.retryAfterSeconds === 1 ? '' : 's'}.`
        : 'You are going too fast. Try again in a moment.';
    case 'UNAUTHENTICATED':
      return 'Please sign in again.';
    default:
      return e.message.charAt(0).toUpperCase() + e.message.slice(1) + (e.message.endsWith('.') ? '' : '.');
  }
}

/** A like button's content: the count as seen, and what it counts for screen readers. */
function likes(n: number): Node[] {
  return [document.createTextNode(`♥ ${n}`), h('span', { class: 'sr-only' }, n === 1 ? ' like' : ' likes')];
}

export class Discussion {
  readonly root: HTMLElement;
  private list: HTMLOListElement;
  private more: HTMLButtonElement;
  private notice: HTMLElement;
  private heading: HTMLElement;
  private live: HTMLElement;
  private stop: (() => void) | null = null;
  private shown = new Map<string, HTMLLIElement>();
  private cursor: string | null | undefined;

  constructor(
    private client: Client,
    private thread: Thread,
    private session: Session,
    authPanel: HTMLElement,
  ) {
    this.heading = h('h2', { id: 'comments-h' });
    this.notice = h('p', { class: 'notice', role: 'status', 'aria-live': 'polite' });
    this.live = h('span', { class: 'live', 'aria-live': 'off' });
    this.list = h('ol', { class: 'thread', 'aria-label': 'Comments' });
    this.more = h('button', { type: 'button', class: 'more', onclick: () => void this.loadMore() }, 'Load more comments');
    const sort = h(
      'select',
      { id: 'comment-order', onchange: (e: Event) => void this.reorder((e.target as HTMLSelectElement).value as CommentOrder) },
      ...ORDERS.map(([value, label]) => h('option', { value, selected: value === thread.order }, label)),
    );
    this.root = h(
      'section',
      { class: 'comments', id: 'comments', 'aria-labelledby': 'comments-h' },
      h('div', { class: 'comments-head' }, this.heading, this.live),
      authPanel,
      this.composer(null),
      this.notice,
      h('div', { class: 'sort' }, h('label', { for: 'comment-order' }, 'Sort comments'), sort),
      this.list,
      this.more,
    );
    this.showCount();
    this.fill(thread.page, false);
  }

  /** Listens for new comments until `close`. */
  listen(): void {
    this.stop?.();
    this.stop = subscribe(
      this.client.at.ws,
      CommentAddedDocument,
      { articleId: this.thread.articleId, replies: REPLIES },
      this.session.token(),
      {
        next: (d) => this.arrived(d.commentAdded, d.commentAdded.parent?.id ?? null),
        error: (e) => this.say(explain(e)),
        state: (s) => {
          this.live.textContent = s === 'live' ? '● Live' : s === 'retrying' ? 'Reconnecting…' : '';
          this.live.className = `live ${s}`;
        },
      },
    );
  }

  close(): void {
    this.stop?.();
    this.stop = null;
  }

  private showCount(): void {
    const n = this.thread.count;
    this.heading.textContent = n === 0 ? 'Comments' : `Comments (${n})`;
  }

  private say(text: string, alert = false): void {
    this.notice.textContent = text;
    this.notice.setAttribute('role', alert ? 'alert' : 'status');
    this.notice.classList.toggle('error', alert);
  }

  private fill(page: ThreadPageFragment, keep: boolean): void {
    if (!keep) {
      this.list.replaceChildren();
      this.shown.clear();
    }
    for (const c of page.nodes) {
      if (!this.shown.has(c.id)) this.list.append(this.item(c));
    }
    this.cursor = page.pageInfo.endCursor;
    this.more.hidden = !page.pageInfo.hasNextPage;
    if (!this.list.children.length) {
      this.list.append(h('li', { class: 'empty' }, this.thread.open ? 'No comments yet. Be the first.' : 'No comments.'));
    }
  }

  private async loadMore(): Promise<void> {
    this.more.disabled = true;
    try {
      const d = await this.client.query(MoreCommentsDocument, {
        slug: this.thread.slug,
        first: PAGE,
        after: this.cursor ?? null,
        replies: REPLIES,
        order: this.thread.order,
      });
      if (d.article) this.fill(d.article.comments, true);
    } catch (e) {
      this.say(explain(e), true);
    } finally {
      this.more.disabled = false;
    }
  }

  private async reorder(order: CommentOrder): Promise<void> {
    this.thread.order = order;
    try {
      const d = await this.client.query(MoreCommentsDocument, {
        slug: this.thread.slug,
        first: PAGE,
        after: null,
        replies: REPLIES,
        order,
      });
      if (d.article) this.fill(d.article.comments, false);
    } catch (e) {
      this.say(explain(e), true);
    }
  }

  /** A comment from the subscription or from our own post. */
  private arrived(c: ThreadPartsFragment, parentId: string | null): void {
    const existing = this.shown.get(c.id);
    if (existing) {
      // Our own held comment, now approved: show it as everyone sees it.
      // Any other echo of a comment shown already (our own post, coming back
      // over the subscription) leaves it alone: replacing it would drop a
      // reply the reader has started under it.
      if (existing.dataset['status'] === 'PENDING' && c.status === 'APPROVED') existing.replaceWith(this.item(c));
      return;
    }
    if (c.status === 'APPROVED') {
      this.thread.count += 1;
      this.showCount();
    }
    if (parentId === null) {
      this.list.querySelector(':scope > li.empty')?.remove();
      const el = this.item(c);
      if (this.thread.order === 'NEWEST') this.list.prepend(el);
      else this.list.append(el);
      return;
    }
    const parent = this.shown.get(parentId);
    if (!parent) return;
    parent.querySelector<HTMLOListElement>(':scope > .replies')?.append(this.item(c));
    const count = parent.querySelector(':scope > article .reply-count');
    if (count && c.status === 'APPROVED') {
      const n = Number(count.getAttribute('data-n') ?? '0') + 1;
      count.setAttribute('data-n', String(n));
      count.textContent = n === 1 ? '1 reply' : `${n} replies`;
    }
  }

  private item(c: CommentPartsFragment & { replies?: ReplyPageFragment }): HTMLLIElement {
    const body = h('div', { class: 'comment-body' });
    // Dateline sanitizes comment HTML before it leaves the API.
    body.innerHTML = c.body.html;
    const react = h(
      'button',
      {
        type: 'button',
        class: 'react',
        title: 'Like',
        'aria-pressed': String(c.viewerHasReacted),
        onclick: () => void this.react(c.id, react),
      },
      ...likes(c.reactionCount),
    );
    const replies = h('ol', { class: 'replies', 'aria-label': `Replies to ${c.author.displayName}` });
    const li = h(
      'li',
      { id: `comment-${c.id}`, class: `comment depth-${Math.min(c.depth, 4)}`, 'data-status': c.status },
      h(
        'article',
        { 'aria-label': `Comment by ${c.author.displayName}` },
        h(
          'header',
          {},
          h('span', { class: 'author' }, c.author.displayName),
          c.author.isStaff ? h('span', { class: 'badge' }, 'Staff') : null,
          ' ',
          h('time', { datetime: c.createdAt, title: new Date(c.createdAt).toLocaleString() }, ago(c.createdAt)),
          c.editedAt ? h('span', { class: 'edited' }, ' (edited)') : null,
          c.status === 'PENDING' ? h('span', { class: 'badge pending' }, 'Awaiting moderation') : null,
        ),
        body,
        h(
          'footer',
          {},
          react,
          this.thread.open && c.status === 'APPROVED'
            ? h('button', { type: 'button', class: 'reply', onclick: () => this.openReply(c, li) }, 'Reply')
            : null,
          c.replyCount
            ? h('span', { class: 'reply-count', 'data-n': c.replyCount }, c.replyCount === 1 ? '1 reply' : `${c.replyCount} replies`)
            : h('span', { class: 'reply-count', 'data-n': 0 }),
        ),
      ),
      replies,
    );
    this.shown.set(c.id, li);
    const page = c.replies;
    for (const r of page?.nodes ?? []) replies.append(this.item(r));
    const loaded = page?.nodes.length ?? 0;
    if (page ? page.pageInfo.hasNextPage : c.replyCount > 0) {
      this.moreReplies(c, li, replies, page?.pageInfo.endCursor ?? null, c.replyCount - loaded);
    }
    return li;
  }

  private moreReplies(c: CommentPartsFragment, li: HTMLLIElement, into: HTMLOListElement, after: string | null, left: number): void {
    const button = h(
      'button',
      { type: 'button', class: 'more-replies' },
      left > 0 ? `Show ${left} more ${left === 1 ? 'reply' : 'replies'}` : 'Show more replies',
    );
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const d = await this.client.query(MoreRepliesDocument, { id: c.id, first: PAGE, after });
        button.remove();
        const page = d.comment?.replies;
        if (!page) return;
        for (const r of page.nodes) if (!this.shown.has(r.id)) into.append(this.item(r));
        if (page.pageInfo.hasNextPage) {
          this.moreReplies(c, li, into, page.pageInfo.endCursor ?? null, left - page.nodes.length);
        }
      } catch (e) {
        button.disabled = false;
        this.say(explain(e), true);
      }
    });
    li.append(button);
  }

  private async react(id: string, button: HTMLButtonElement): Promise<void> {
    if (!this.session.viewer) {
      this.session.askToSignIn('Sign in to react to comments.');
      return;
    }
    button.disabled = true;
    try {
      const d = await this.client.mutate(ReactDocument, { id });
      const c = d.reactToComment.comment;
      button.replaceChildren(...likes(c.reactionCount));
      button.setAttribute('aria-pressed', String(c.viewerHasReacted));
    } catch (e) {
      this.say(explain(e), true);
    } finally {
      button.disabled = false;
    }
  }

  private openReply(c: CommentPartsFragment, li: HTMLLIElement): void {
    if (!this.session.viewer) {
      this.session.askToSignIn('Sign in to reply.');
      return;
    }
    const open = li.querySelector<HTMLTextAreaElement>(':scope > form textarea');
    if (open) {
      open.focus();
      return;
    }
    const form = this.composer(c);
    li.querySelector(':scope > .replies')?.before(form);
    form.querySelector('textarea')?.focus();
  }

  /** The comment box: top-level when `parent` is null, else a reply. */
  private composer(parent: CommentPartsFragment | null): HTMLElement {
    if (!this.thread.open) {
      return parent ? h('p', {}) : h('p', { class: 'closed' }, 'Comments on this story are closed.');
    }
    if (!this.session.viewer) return h('div', { hidden: true });
    const id = parent ? `reply-${parent.id}` : 'new-comment';
    const text = h('textarea', { id, name: 'body', rows: parent ? 3 : 4, maxlength: 5000, required: true });
    const error = h('p', { class: 'form-error', role: 'alert' });
    const submit = h('button', { type: 'submit' }, parent ? 'Post reply' : 'Post comment');
    const form = h(
      'form',
      { class: parent ? 'composer reply-form' : 'composer' },
      h('label', { for: id }, parent ? `Reply to ${parent.author.displayName}` : 'Join the discussion! Leave a comment.'),
      text,
      error,
      h(
        'div',
        { class: 'actions' },
        submit,
        parent ? h('button', { type: 'button', onclick: () => form.remove() }, 'Cancel') : null,
      ),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const value = text.value.trim();
      if (!value) return;
      submit.disabled = true;
      error.textContent = '';
      try {
        const d = await this.client.mutate(PostCommentDocument, {
          input: { articleId: this.thread.articleId, parentId: parent?.id ?? null, body: value },
          replies: REPLIES,
        });
        const c = d.postComment.comment;
        text.value = '';
        this.arrived(c, parent?.id ?? null);
        if (c.status === 'PENDING') {
          this.say('Your comment is held for moderation. Others will see it once a moderator approves it.');
        } else {
          this.say(parent ? 'Your reply is posted.' : 'Your comment is posted.');
        }
        if (parent) form.remove();
      } catch (err) {
        error.textContent = explain(err);
        if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') this.session.askToSignIn('Your session ended.');
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }
}
