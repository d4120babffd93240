// What a story's head shows: a fragment, as a Relay component would declare it.
import { graphql } from 'relay-runtime';

export const StoryHead = graphql`
  fragment StoryHead_article on Article {
    headline
    dek
    dateline
    publishedAt
    authors {
      name
    }
  }
`;
