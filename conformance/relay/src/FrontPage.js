// A front page: the newest stories, each head read through the same fragment.
import { graphql } from 'relay-runtime';

export const FrontPageQuery = graphql`
  query FrontPageQuery($first: Int!) {
    articles(first: $first) {
      edges {
        node {
          slug
          ...StoryHead_article
        }
      }
    }
  }
`;
