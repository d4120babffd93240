export class TypedDocumentString extends String {
    __apiType;
    value;
    __meta__;
    constructor(value, __meta__) {
        super(value);
        this.value = value;
        this.__meta__ = __meta__;
    }
    toString() {
        return this.value;
    }
}
export const SpanPartsFragmentDoc = new TypedDocumentString(`
    fragment SpanParts on Span {
  text
  marks
  href
}
    `, { "fragmentName": "SpanParts" });
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
}`, { "fragmentName": "BlockParts" });
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
    `, { "fragmentName": "CommentParts" });
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
}`, { "fragmentName": "ReplyPage" });
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
}`, { "fragmentName": "ThreadParts" });
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
}`, { "fragmentName": "ThreadPage" });
export const ViewerPartsFragmentDoc = new TypedDocumentString(`
    fragment ViewerParts on User {
  id
  displayName
  role
}
    `, { "fragmentName": "ViewerParts" });
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
}`, { "hash": "sha256:1dc70bb45eb19c07483237b465889ffb31c22c9b31b3f1e47501437ff1027efb" });
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
}`, { "hash": "sha256:9ffc63a4587d1068b4e97fcf17b500ab2ab1e56e4195c56f97fb5c79eb6a79ae" });
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
}`, { "hash": "sha256:a0627745f3c91904aebf1bae9f43e14c4591601b9535a693aec74080fe1ed3ed" });
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
}`, { "hash": "sha256:7a70d3fffc2b3266bb84ccffbec4a20e6b12956f2734c2679d82b7e63e62f4ee" });
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
}`, { "hash": "sha256:118f6ca51c567aece199f26347cc7adc6c203112a22a67283b3d9194c1896ee6" });
export const SignOutDocument = new TypedDocumentString(`
    mutation SignOut {
  signOut {
    ok
  }
}
    `, { "hash": "sha256:62a51b6513587f841a236f36b98a35efa590da73af9f7001a499a02d300a7d65" });
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
}`, { "hash": "sha256:361baf6a07338eb3d64587cb7a5c490c1b515e21d18a175eae20979ccdb3b06c" });
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
    `, { "hash": "sha256:69dbd2142edf928fc371e93b36712ca230fb28a55d1a671210a44c9bb68a59b8" });
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
}`, { "hash": "sha256:e3c842d8019534a4421f858cff37f843d2fec272bc28c28c495d563053810d02" });
