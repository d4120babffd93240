//! What a reader is shown of a story beyond its stored columns: the rules
//! both APIs present the same way (search-engine fallbacks, the status at
//! an instant, the scheduled time, audio). GraphQL types and REST views only
//! copy these fields, so the two can never disagree.

use super::{Article, Status};
use chrono::{DateTime, Utc};

/// Search-engine fields, falling back to the headline and the dek.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seo {
    pub title: String,
    pub description: Option<String>,
    pub canonical_url: Option<String>,
}

/// The audio version of a story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audio {
    pub url: String,
    pub duration_seconds: Option<i32>,
    pub mime_type: Option<String>,
}

pub fn seo(a: &Article) -> Seo {
    Seo {
        title: a.seo_title.clone().unwrap_or_else(|| a.headline.clone()),
        description: a.seo_description.clone().or_else(|| a.dek.clone()),
        canonical_url: a.canonical_url.clone(),
    }
}

/// The status a reader sees at `now`: a published story whose time has not
/// come is SCHEDULED.
/// Approved comments as readers are told of them: none while comments are
/// disabled, whatever the stored count (kept for when they come back).
pub fn comment_count(a: &Article) -> i32 {
    // Whoever shows the count shows the thread's state.
    crate::domain::freshness::shows_thread(a.id);
    if a.comments_status == super::CommentsStatus::Disabled { 0 } else { a.comment_count }
}

pub fn status(a: &Article, now: DateTime<Utc>) -> Status {
    Status::effective(a.status, a.published_at, now)
}

/// Set while a story waits for its publish time.
pub fn scheduled_at(a: &Article, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    a.published_at.filter(|p| *p > now)
}

pub fn audio(a: &Article) -> Option<Audio> {
    a.audio_url.as_ref().map(|url| Audio {
        url: url.clone(),
        duration_seconds: a.audio_duration_seconds,
        mime_type: a.audio_mime_type.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::articles::StoredStatus;

    fn story() -> Article {
        crate::domain::samples::story()
    }

    #[test]
    fn seo_falls_back_to_headline_and_dek() {
        let mut a = story();
        assert_eq!(seo(&a).title, "Headline");
        assert_eq!(seo(&a).description.as_deref(), Some("Dek"));
        a.seo_title = Some("For search".into());
        a.seo_description = Some("Shorter".into());
        assert_eq!((seo(&a).title.as_str(), seo(&a).description.as_deref()), ("For search", Some("Shorter")));
    }

    #[test]
    fn a_published_story_is_scheduled_until_its_time() {
        let a = story();
        let at = a.published_at.unwrap_or_default();
        let before = at - chrono::Duration::seconds(1);
        assert_eq!((status(&a, before), scheduled_at(&a, before)), (Status::Scheduled, Some(at)));
        assert_eq!((status(&a, at), scheduled_at(&a, at)), (Status::Published, None));
        let draft = Article { status: StoredStatus::Draft, ..story() };
        assert_eq!(status(&draft, at), Status::Draft);
    }
}
