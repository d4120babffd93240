/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type CommentOrder =
  | 'MOST_REACTIONS'
  | 'MOST_REPLIES'
  | 'NEWEST'
  | 'OLDEST';

export type CommentStatus =
  | 'APPROVED'
  | 'DELETED'
  | 'PENDING'
  | 'REJECTED'
  | 'SPAM';

export type CommentsStatus =
  | 'CLOSED'
  | 'DISABLED'
  | 'OPEN';

export type PostCommentInput = {
  articleId: string | number;
  /** Plain text with light Markdown; at most 5,000 characters. */
  body: string;
  /** The comment replied to; none for a top-level comment. */
  parentId?: string | number | null | undefined;
};

export type RegisterInput = {
  displayName: string;
  email: string;
  /** At least 10 characters, and not a common or easily guessed password. */
  password: string;
};

export type RelatedReason =
  /** Chosen by an editor. */
  | 'CURATED'
  /** Picked from the same section; no tag in common. */
  | 'SAME_SECTION'
  /** Picked for the tags it shares; rarer tags weigh more. */
  | 'SHARED_TAGS';

export type Role =
  | 'ADMIN'
  | 'EDITOR'
  | 'MODERATOR'
  | 'READER';

export type SignInInput = {
  email: string;
  password: string;
};

export type SpanMark =
  | 'BOLD'
  | 'CODE'
  | 'ITALIC'
  | 'STRIKETHROUGH';

export type SpanPartsFragment = { text: string, marks: Array<SpanMark>, href: string | null };

type BlockParts_EmbedBlock_Fragment = { __typename: 'EmbedBlock', url: string, provider: string | null, title: string | null };

type BlockParts_HeadingBlock_Fragment = { __typename: 'HeadingBlock', level: number, spans: Array<{ text: string, marks: Array<SpanMark>, href: string | null }> };

type BlockParts_ImageBlock_Fragment = { __typename: 'ImageBlock', url: string, alt: string | null, caption: string | null, credit: string | null };

type BlockParts_ListBlock_Fragment = { __typename: 'ListBlock', ordered: boolean, items: Array<{ spans: Array<{ text: string, marks: Array<SpanMark>, href: string | null }> }> };

type BlockParts_ParagraphBlock_Fragment = { __typename: 'ParagraphBlock', spans: Array<{ text: string, marks: Array<SpanMark>, href: string | null }> };

type BlockParts_QuoteBlock_Fragment = { __typename: 'QuoteBlock', attribution: string | null, spans: Array<{ text: string, marks: Array<SpanMark>, href: string | null }> };

export type BlockPartsFragment =
  | BlockParts_EmbedBlock_Fragment
  | BlockParts_HeadingBlock_Fragment
  | BlockParts_ImageBlock_Fragment
  | BlockParts_ListBlock_Fragment
  | BlockParts_ParagraphBlock_Fragment
  | BlockParts_QuoteBlock_Fragment
;

export type CommentPartsFragment = { id: string, depth: number, status: CommentStatus, createdAt: string, editedAt: string | null, replyCount: number, reactionCount: number, viewerHasReacted: boolean, body: { html: string }, author: { displayName: string, isStaff: boolean } };

export type ReplyPageFragment = { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, depth: number, status: CommentStatus, createdAt: string, editedAt: string | null, replyCount: number, reactionCount: number, viewerHasReacted: boolean, body: { html: string }, author: { displayName: string, isStaff: boolean } }> };

export type ThreadPartsFragment = { id: string, depth: number, status: CommentStatus, createdAt: string, editedAt: string | null, replyCount: number, reactionCount: number, viewerHasReacted: boolean, replies: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, depth: number, status: CommentStatus, createdAt: string, editedAt: string | null, replyCount: number, reactionCount: number, viewerHasReacted: boolean, body: { html: string }, author: { displayName: string, isStaff: boolean } }> }, body: { html: string }, author: { displayName: string, isStaff: boolean } };

export type ThreadPageFragment = { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, depth: number, status: CommentStatus, createdAt: string, editedAt: string | null, replyCount: number, reactionCount: number, viewerHasReacted: boolean, replies: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, depth: number, status: CommentStatus, createdAt: string, editedAt: string | null, replyCount: number, reactionCount: number, viewerHasReacted: boolean, body: { html: string }, author: { displayName: string, isStaff: boolean } }> }, body: { html: string }, author: { displayName: string, isStaff: boolean } }> };

export type ViewerPartsFragment = { id: string, displayName: string, role: Role };

export type ArticlePageQueryVariables = Exact<{
  slug: string;
  comments: number;
  replies: number;
  order: CommentOrder;
}>;


export type ArticlePageQuery = { me: { id: string, displayName: string, role: Role } | null, article: { id: string, slug: string, headline: string, dek: string | null, dateline: string | null, publishedAt: string | null, updatedAt: string, readingTimeMinutes: number, commentsStatus: CommentsStatus, commentsOpen: boolean, commentCount: number, section: { name: string, slug: string } | null, authors: Array<{ name: string, slug: string }>, tags: Array<{ name: string, slug: string }>, heroImage: { url: string, alt: string | null, caption: string | null, width: number | null, height: number | null, credit: { text: string | null, photographer: string | null, agency: string | null }, renditions: Array<{ width: number, url: string }> } | null, audio: { url: string, durationSeconds: number | null, mimeType: string | null } | null, body: { blocks: Array<
        | { __typename: 'EmbedBlock', url: string, provider: string | null, title: string | null }
        | { __typename: 'HeadingBlock', level: number, spans: Array<{ text: string, marks: Array<SpanMark>, href: string | null }> }
        | { __typename: 'ImageBlock', url: string, alt: string | null, caption: string | null, credit: string | null }
        | { __typename: 'ListBlock', ordered: boolean, items: Array<{ spans: Array<{ text: string, marks: Array<SpanMark>, href: string | null }> }> }
        | { __typename: 'ParagraphBlock', spans: Array<{ text: string, marks: Array<SpanMark>, href: string | null }> }
        | { __typename: 'QuoteBlock', attribution: string | null, spans: Array<{ text: string, marks: Array<SpanMark>, href: string | null }> }
      > }, corrections: Array<{ text: string, publishedAt: string }>, related: Array<{ reason: RelatedReason, article: { slug: string, headline: string, publishedAt: string | null } }>, comments: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, depth: number, status: CommentStatus, createdAt: string, editedAt: string | null, replyCount: number, reactionCount: number, viewerHasReacted: boolean, replies: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, depth: number, status: CommentStatus, createdAt: string, editedAt: string | null, replyCount: number, reactionCount: number, viewerHasReacted: boolean, body: { html: string }, author: { displayName: string, isStaff: boolean } }> }, body: { html: string }, author: { displayName: string, isStaff: boolean } }> } } | null };

export type MoreCommentsQueryVariables = Exact<{
  slug: string;
  first: number;
  after?: string | null | undefined;
  replies: number;
  order: CommentOrder;
}>;


export type MoreCommentsQuery = { article: { id: string, comments: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, depth: number, status: CommentStatus, createdAt: string, editedAt: string | null, replyCount: number, reactionCount: number, viewerHasReacted: boolean, replies: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, depth: number, status: CommentStatus, createdAt: string, editedAt: string | null, replyCount: number, reactionCount: number, viewerHasReacted: boolean, body: { html: string }, author: { displayName: string, isStaff: boolean } }> }, body: { html: string }, author: { displayName: string, isStaff: boolean } }> } } | null };

export type MoreRepliesQueryVariables = Exact<{
  id: string | number;
  first: number;
  after?: string | null | undefined;
}>;


export type MoreRepliesQuery = { comment: { id: string, replies: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, depth: number, status: CommentStatus, createdAt: string, editedAt: string | null, replyCount: number, reactionCount: number, viewerHasReacted: boolean, body: { html: string }, author: { displayName: string, isStaff: boolean } }> } } | null };

export type RegisterMutationVariables = Exact<{
  input: RegisterInput;
}>;


export type RegisterMutation = { register: { token: string, user: { id: string, displayName: string, role: Role } } };

export type SignInMutationVariables = Exact<{
  input: SignInInput;
}>;


export type SignInMutation = { signIn: { token: string, user: { id: string, displayName: string, role: Role } } };

export type SignOutMutationVariables = Exact<{ [key: string]: never; }>;


export type SignOutMutation = { signOut: { ok: boolean } };

export type PostCommentMutationVariables = Exact<{
  input: PostCommentInput;
  replies: number;
}>;


export type PostCommentMutation = { postComment: { comment: { id: string, depth: number, status: CommentStatus, createdAt: string, editedAt: string | null, replyCount: number, reactionCount: number, viewerHasReacted: boolean, replies: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, depth: number, status: CommentStatus, createdAt: string, editedAt: string | null, replyCount: number, reactionCount: number, viewerHasReacted: boolean, body: { html: string }, author: { displayName: string, isStaff: boolean } }> }, body: { html: string }, author: { displayName: string, isStaff: boolean } } } };

export type ReactMutationVariables = Exact<{
  id: string | number;
}>;


export type ReactMutation = { reactToComment: { comment: { id: string, reactionCount: number, viewerHasReacted: boolean } } };

export type CommentAddedSubscriptionVariables = Exact<{
  articleId: string | number;
  replies: number;
}>;


export type CommentAddedSubscription = { commentAdded: { id: string, depth: number, status: CommentStatus, createdAt: string, editedAt: string | null, replyCount: number, reactionCount: number, viewerHasReacted: boolean, parent: { id: string } | null, replies: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, depth: number, status: CommentStatus, createdAt: string, editedAt: string | null, replyCount: number, reactionCount: number, viewerHasReacted: boolean, body: { html: string }, author: { displayName: string, isStaff: boolean } }> }, body: { html: string }, author: { displayName: string, isStaff: boolean } } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const SpanPartsFragmentDoc = new TypedDocumentString(`
    fragment SpanParts on Span {
  text
  marks
  href
}
    `, {"fragmentName":"SpanParts"}) as unknown as TypedDocumentString<SpanPartsFragment, unknown>;
export const BlockPartsFragmentDoc = new TypedDocumentString(`
    fragment BlockParts on Block {
  __typename
  ... on ParagraphBlock {
    spans {
      ...SpanParts
    }
  }
  ... on HeadingBlock {
    level
    spans {
      ...SpanParts
    }
  }
  ... on QuoteBlock {
    spans {
      ...SpanParts
    }
    attribution
  }
  ... on ListBlock {
    ordered
    items {
      spans {
        ...SpanParts
      }
    }
  }
  ... on ImageBlock {
    url
    alt
    caption
    credit
  }
  ... on EmbedBlock {
    url
    provider
    title
  }
}
    fragment SpanParts on Span {
  text
  marks
  href
}`, {"fragmentName":"BlockParts"}) as unknown as TypedDocumentString<BlockPartsFragment, unknown>;
export const CommentPartsFragmentDoc = new TypedDocumentString(`
    fragment CommentParts on Comment {
  id
  depth
  status
  createdAt
  editedAt
  body {
    html
  }
  author {
    displayName
    isStaff
  }
  replyCount
  reactionCount
  viewerHasReacted
}
    `, {"fragmentName":"CommentParts"}) as unknown as TypedDocumentString<CommentPartsFragment, unknown>;
export const ReplyPageFragmentDoc = new TypedDocumentString(`
    fragment ReplyPage on CommentConnection {
  pageInfo {
    hasNextPage
    endCursor
  }
  nodes {
    ...CommentParts
  }
}
    fragment CommentParts on Comment {
  id
  depth
  status
  createdAt
  editedAt
  body {
    html
  }
  author {
    displayName
    isStaff
  }
  replyCount
  reactionCount
  viewerHasReacted
}`, {"fragmentName":"ReplyPage"}) as unknown as TypedDocumentString<ReplyPageFragment, unknown>;
export const ThreadPartsFragmentDoc = new TypedDocumentString(`
    fragment ThreadParts on Comment {
  ...CommentParts
  replies(first: $replies) {
    ...ReplyPage
  }
}
    fragment CommentParts on Comment {
  id
  depth
  status
  createdAt
  editedAt
  body {
    html
  }
  author {
    displayName
    isStaff
  }
  replyCount
  reactionCount
  viewerHasReacted
}
fragment ReplyPage on CommentConnection {
  pageInfo {
    hasNextPage
    endCursor
  }
  nodes {
    ...CommentParts
  }
}`, {"fragmentName":"ThreadParts"}) as unknown as TypedDocumentString<ThreadPartsFragment, unknown>;
export const ThreadPageFragmentDoc = new TypedDocumentString(`
    fragment ThreadPage on CommentConnection {
  pageInfo {
    hasNextPage
    endCursor
  }
  nodes {
    ...ThreadParts
  }
}
    fragment CommentParts on Comment {
  id
  depth
  status
  createdAt
  editedAt
  body {
    html
  }
  author {
    displayName
    isStaff
  }
  replyCount
  reactionCount
  viewerHasReacted
}
fragment ReplyPage on CommentConnection {
  pageInfo {
    hasNextPage
    endCursor
  }
  nodes {
    ...CommentParts
  }
}
fragment ThreadParts on Comment {
  ...CommentParts
  replies(first: $replies) {
    ...ReplyPage
  }
}`, {"fragmentName":"ThreadPage"}) as unknown as TypedDocumentString<ThreadPageFragment, unknown>;
export const ViewerPartsFragmentDoc = new TypedDocumentString(`
    fragment ViewerParts on User {
  id
  displayName
  role
}
    `, {"fragmentName":"ViewerParts"}) as unknown as TypedDocumentString<ViewerPartsFragment, unknown>;
export const ArticlePageDocument = new TypedDocumentString(`
    query ArticlePage($slug: String!, $comments: Int!, $replies: Int!, $order: CommentOrder!) {
  me {
    ...ViewerParts
  }
  article(slug: $slug) {
    id
    slug
    headline
    dek
    dateline
    publishedAt
    updatedAt
    readingTimeMinutes
    commentsStatus
    commentsOpen
    commentCount
    section {
      name
      slug
    }
    authors {
      name
      slug
    }
    tags {
      name
      slug
    }
    heroImage {
      url
      alt
      caption
      width
      height
      credit {
        text
        photographer
        agency
      }
      renditions {
        width
        url
      }
    }
    audio {
      url
      durationSeconds
      mimeType
    }
    body {
      blocks {
        ...BlockParts
      }
    }
    corrections {
      text
      publishedAt
    }
    related(first: 8) {
      reason
      article {
        slug
        headline
        publishedAt
      }
    }
    comments(first: $comments, orderBy: $order) {
      ...ThreadPage
    }
  }
}
    fragment SpanParts on Span {
  text
  marks
  href
}
fragment BlockParts on Block {
  __typename
  ... on ParagraphBlock {
    spans {
      ...SpanParts
    }
  }
  ... on HeadingBlock {
    level
    spans {
      ...SpanParts
    }
  }
  ... on QuoteBlock {
    spans {
      ...SpanParts
    }
    attribution
  }
  ... on ListBlock {
    ordered
    items {
      spans {
        ...SpanParts
      }
    }
  }
  ... on ImageBlock {
    url
    alt
    caption
    credit
  }
  ... on EmbedBlock {
    url
    provider
    title
  }
}
fragment CommentParts on Comment {
  id
  depth
  status
  createdAt
  editedAt
  body {
    html
  }
  author {
    displayName
    isStaff
  }
  replyCount
  reactionCount
  viewerHasReacted
}
fragment ReplyPage on CommentConnection {
  pageInfo {
    hasNextPage
    endCursor
  }
  nodes {
    ...CommentParts
  }
}
fragment ThreadParts on Comment {
  ...CommentParts
  replies(first: $replies) {
    ...ReplyPage
  }
}
fragment ThreadPage on CommentConnection {
  pageInfo {
    hasNextPage
    endCursor
  }
  nodes {
    ...ThreadParts
  }
}
fragment ViewerParts on User {
  id
  displayName
  role
}`, {"hash":"sha256:1dc70bb45eb19c07483237b465889ffb31c22c9b31b3f1e47501437ff1027efb"}) as unknown as TypedDocumentString<ArticlePageQuery, ArticlePageQueryVariables>;
export const MoreCommentsDocument = new TypedDocumentString(`
    query MoreComments($slug: String!, $first: Int!, $after: String, $replies: Int!, $order: CommentOrder!) {
  article(slug: $slug) {
    id
    comments(first: $first, after: $after, orderBy: $order) {
      ...ThreadPage
    }
  }
}
    fragment CommentParts on Comment {
  id
  depth
  status
  createdAt
  editedAt
  body {
    html
  }
  author {
    displayName
    isStaff
  }
  replyCount
  reactionCount
  viewerHasReacted
}
fragment ReplyPage on CommentConnection {
  pageInfo {
    hasNextPage
    endCursor
  }
  nodes {
    ...CommentParts
  }
}
fragment ThreadParts on Comment {
  ...CommentParts
  replies(first: $replies) {
    ...ReplyPage
  }
}
fragment ThreadPage on CommentConnection {
  pageInfo {
    hasNextPage
    endCursor
  }
  nodes {
    ...ThreadParts
  }
}`, {"hash":"sha256:9ffc63a4587d1068b4e97fcf17b500ab2ab1e56e4195c56f97fb5c79eb6a79ae"}) as unknown as TypedDocumentString<MoreCommentsQuery, MoreCommentsQueryVariables>;
export const MoreRepliesDocument = new TypedDocumentString(`
    query MoreReplies($id: ID!, $first: Int!, $after: String) {
  comment(id: $id) {
    id
    replies(first: $first, after: $after) {
      ...ReplyPage
    }
  }
}
    fragment CommentParts on Comment {
  id
  depth
  status
  createdAt
  editedAt
  body {
    html
  }
  author {
    displayName
    isStaff
  }
  replyCount
  reactionCount
  viewerHasReacted
}
fragment ReplyPage on CommentConnection {
  pageInfo {
    hasNextPage
    endCursor
  }
  nodes {
    ...CommentParts
  }
}`, {"hash":"sha256:a0627745f3c91904aebf1bae9f43e14c4591601b9535a693aec74080fe1ed3ed"}) as unknown as TypedDocumentString<MoreRepliesQuery, MoreRepliesQueryVariables>;
export const RegisterDocument = new TypedDocumentString(`
    mutation Register($input: RegisterInput!) {
  register(input: $input) {
    token
    user {
      ...ViewerParts
    }
  }
}
    fragment ViewerParts on User {
  id
  displayName
  role
}`, {"hash":"sha256:7a70d3fffc2b3266bb84ccffbec4a20e6b12956f2734c2679d82b7e63e62f4ee"}) as unknown as TypedDocumentString<RegisterMutation, RegisterMutationVariables>;
export const SignInDocument = new TypedDocumentString(`
    mutation SignIn($input: SignInInput!) {
  signIn(input: $input) {
    token
    user {
      ...ViewerParts
    }
  }
}
    fragment ViewerParts on User {
  id
  displayName
  role
}`, {"hash":"sha256:118f6ca51c567aece199f26347cc7adc6c203112a22a67283b3d9194c1896ee6"}) as unknown as TypedDocumentString<SignInMutation, SignInMutationVariables>;
export const SignOutDocument = new TypedDocumentString(`
    mutation SignOut {
  signOut {
    ok
  }
}
    `, {"hash":"sha256:62a51b6513587f841a236f36b98a35efa590da73af9f7001a499a02d300a7d65"}) as unknown as TypedDocumentString<SignOutMutation, SignOutMutationVariables>;
export const PostCommentDocument = new TypedDocumentString(`
    mutation PostComment($input: PostCommentInput!, $replies: Int!) {
  postComment(input: $input) {
    comment {
      ...ThreadParts
    }
  }
}
    fragment CommentParts on Comment {
  id
  depth
  status
  createdAt
  editedAt
  body {
    html
  }
  author {
    displayName
    isStaff
  }
  replyCount
  reactionCount
  viewerHasReacted
}
fragment ReplyPage on CommentConnection {
  pageInfo {
    hasNextPage
    endCursor
  }
  nodes {
    ...CommentParts
  }
}
fragment ThreadParts on Comment {
  ...CommentParts
  replies(first: $replies) {
    ...ReplyPage
  }
}`, {"hash":"sha256:361baf6a07338eb3d64587cb7a5c490c1b515e21d18a175eae20979ccdb3b06c"}) as unknown as TypedDocumentString<PostCommentMutation, PostCommentMutationVariables>;
export const ReactDocument = new TypedDocumentString(`
    mutation React($id: ID!) {
  reactToComment(id: $id) {
    comment {
      id
      reactionCount
      viewerHasReacted
    }
  }
}
    `, {"hash":"sha256:69dbd2142edf928fc371e93b36712ca230fb28a55d1a671210a44c9bb68a59b8"}) as unknown as TypedDocumentString<ReactMutation, ReactMutationVariables>;
export const CommentAddedDocument = new TypedDocumentString(`
    subscription CommentAdded($articleId: ID!, $replies: Int!) {
  commentAdded(articleId: $articleId) {
    ...ThreadParts
    parent {
      id
    }
  }
}
    fragment CommentParts on Comment {
  id
  depth
  status
  createdAt
  editedAt
  body {
    html
  }
  author {
    displayName
    isStaff
  }
  replyCount
  reactionCount
  viewerHasReacted
}
fragment ReplyPage on CommentConnection {
  pageInfo {
    hasNextPage
    endCursor
  }
  nodes {
    ...CommentParts
  }
}
fragment ThreadParts on Comment {
  ...CommentParts
  replies(first: $replies) {
    ...ReplyPage
  }
}`, {"hash":"sha256:e3c842d8019534a4421f858cff37f843d2fec272bc28c28c495d563053810d02"}) as unknown as TypedDocumentString<CommentAddedSubscription, CommentAddedSubscriptionVariables>;