// A story page: the story by its slug, its head read through a fragment.
import { graphql } from 'relay-runtime';

export const StoryPageQuery = graphql`
  query StoryPageQuery($slug: String!) {
    article(slug: $slug) {
      slug
      wordCount
      section {
        name
      }
      ...StoryHead_article
    }
  }
`;
