//! Loaders batch across concurrent requests, and a batch never mixes
//! audiences: one reader's own pending comments and reactions are never
//! another's, and a preview never lends a draft to a public read. Keys of
//! several audiences are put in one batch on purpose (one task asks for
//! them together), then the same questions are raced over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Story, TestApp, t0};
use api::domain::comments::visibility::Viewer;
use api::graphql::loaders::{Loaders, Reacted, RepliesKey};
use chrono::TimeDelta;
use serde_json::{Value, json};
use uuid::Uuid;

const MODERATE: &str =
    "mutation($id: ID!) { moderateComment(id: $id, status: APPROVED) { comment { status } } }";

struct Thread {
    x: (String, Uuid),
    y: (String, Uuid),
    /// Two top-level comments, approved.
    tops: [Uuid; 2],
    /// An approved reply under each, which X reacted to.
    replies: [Uuid; 2],
    /// X's and Y's replies held for moderation, under the first.
    pending_x: Uuid,
    pending_y: Uuid,
}

fn uuid_of(r: &Value) -> (String, Uuid) {
    let c = &r["data"]["postComment"]["comment"];
    let id = c["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
    (id, c["uuid"].as_str().unwrap().parse().unwrap())
}

async fn thread(app: &TestApp) -> Thread {
    let story = app.story("s", "A story", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let x = app.person("Reader X", "reader").await;
    let y = app.person("Reader Y", "reader").await;
    let (moderator, _) = app.person("Moderator", "moderator").await;
    let approve = |id: String| {
        let m = moderator.clone();
        async move {
            let r = app.gql_as(Some(&m), MODERATE, json!({ "id": id })).await;
            assert_eq!(r["data"]["moderateComment"]["comment"]["status"], "APPROVED", "{r}");
        }
    };
    let mut tops = Vec::new();
    let mut replies = Vec::new();
    for i in 0..2 {
        let (top, top_uuid) = uuid_of(&app.post_comment(&y.0, story, None, &format!("Top {i}")).await);
        approve(top.clone()).await;
        let (reply, reply_uuid) =
            uuid_of(&app.post_comment(&y.0, story, Some(&top), &format!("Reply {i}")).await);
        approve(reply.clone()).await;
        let r = app
            .gql_as(
                Some(&x.0),
                "mutation($id: ID!) { reactToComment(id: $id) { comment { reactionCount } } }",
                json!({ "id": reply }),
            )
            .await;
        assert!(r.get("errors").is_none(), "{r}");
        tops.push((top, top_uuid));
        replies.push(reply_uuid);
    }
    let (_, pending_x) = uuid_of(&app.post_comment(&x.0, story, Some(&tops[0].0), "X waits").await);
    let (_, pending_y) = uuid_of(&app.post_comment(&y.0, story, Some(&tops[0].0), "Y waits").await);
    Thread { x, y, tops: [tops[0].1, tops[1].1], replies: [replies[0], replies[1]], pending_x, pending_y }
}

fn ids(page: Option<api::domain::comments::read::CommentPage>) -> Vec<Uuid> {
    page.unwrap().items.into_iter().map(|(_, c)| c.id).collect()
}

#[actix_web::test]
async fn one_batch_of_several_audiences_answers_each_its_own() {
    let app = TestApp::spawn_configured(|c| c.comments.comments_premoderation = true).await;
    let t = thread(&app).await;
    let loaders = Loaders::new(&app.state.db);
    let viewer = |user: Option<Uuid>| Viewer { user, moderator: false };
    let key = |parent: Uuid, user: Option<Uuid>| RepliesKey { parent, limit: 10, viewer: viewer(user) };
    let ((x0, x1, y0, anon0, x_reacted, y_reacted), sql) = app
        .statements_of(async {
            tokio::join!(
                loaders.replies.load_one(key(t.tops[0], Some(t.x.1))),
                loaders.replies.load_one(key(t.tops[1], Some(t.x.1))),
                loaders.replies.load_one(key(t.tops[0], Some(t.y.1))),
                loaders.replies.load_one(key(t.tops[0], None)),
                loaders.reacted.load_one(Reacted { user: t.x.1, comment: t.replies[0] }),
                loaders.reacted.load_one(Reacted { user: t.y.1, comment: t.replies[0] }),
            )
        })
        .await;
    // One batch per loader: X's two threads in one statement, each
    // audience in its own (replies: X, Y, anonymous; reactions: X, Y).
    assert_eq!(sql.len(), 5, "{sql:#?}");
    let mut x0 = ids(x0.unwrap());
    x0.sort();
    let mut want = vec![t.replies[0], t.pending_x];
    want.sort();
    assert_eq!(x0, want, "X sees the approved reply and X's own held one");
    assert_eq!(ids(x1.unwrap()), vec![t.replies[1]]);
    let mut y0 = ids(y0.unwrap());
    y0.sort();
    let mut want = vec![t.replies[0], t.pending_y];
    want.sort();
    assert_eq!(y0, want, "Y sees Y's own held reply, never X's");
    assert_eq!(ids(anon0.unwrap()), vec![t.replies[0]], "a reader signed out sees no held reply");
    assert_eq!(x_reacted.unwrap(), Some(true));
    assert_eq!(y_reacted.unwrap(), Some(false), "X's reaction is not Y's");
}

const PAGE: &str = "query($slug: String!) { article(slug: $slug) { headline \
    comments(first: 10) { nodes { body { text } viewerHasReacted \
    replies(first: 10) { nodes { body { text } status viewerHasReacted } } } } \
    related(first: 3) { article { slug } } } }";
const PREVIEW: &str = "query($slug: String!) { article(slug: $slug, preview: true) { headline status \
    body { text } related(first: 3) { article { slug } } } }";

#[actix_web::test]
async fn racing_readers_each_get_what_they_get_alone() {
    let app = TestApp::spawn_configured(|c| {
        c.comments.comments_premoderation = true;
        crate::common::uncached(c);
    })
    .await;
    let t = thread(&app).await;
    // A draft only an editor's preview shows.
    let opts = Story { body: Some("Draft text"), ..Story::default() };
    app.story("draft", "A draft", None, opts).await;
    let editor = app.key(&["content:read-drafts"]).await;
    let asks: Vec<(Option<&str>, &str, &str)> = vec![
        (Some(&t.x.0), PAGE, "s"),
        (Some(&t.y.0), PAGE, "s"),
        (None, PAGE, "s"),
        (Some(&editor), PREVIEW, "draft"),
        (None, PREVIEW, "draft"),
    ];
    let mut alone = Vec::new();
    for (who, q, slug) in &asks {
        alone.push(app.gql_as(*who, q, json!({ "slug": slug })).await);
    }
    // What each saw alone is what it should: X its held reply, Y its own,
    // the editor the draft, a preview without credentials an error.
    let text = |v: &Value| v.to_string();
    assert!(text(&alone[0]).contains("X waits") && !text(&alone[0]).contains("Y waits"), "{}", alone[0]);
    assert!(text(&alone[1]).contains("Y waits") && !text(&alone[1]).contains("X waits"), "{}", alone[1]);
    assert!(!text(&alone[2]).contains("waits"), "{}", alone[2]);
    assert_eq!(
        alone[0]["data"]["article"]["comments"]["nodes"][0]["replies"]["nodes"][0]["viewerHasReacted"],
        true
    );
    assert_eq!(
        alone[1]["data"]["article"]["comments"]["nodes"][0]["replies"]["nodes"][0]["viewerHasReacted"],
        false
    );
    assert_eq!(alone[3]["data"]["article"]["body"]["text"], "Draft text", "{}", alone[3]);
    assert!(alone[4]["data"]["article"].is_null(), "{}", alone[4]);
    // Raced, many times over, each answer is exactly what it was alone.
    for _ in 0..20 {
        let answers = futures_util::future::join_all(
            asks.iter().map(|(who, q, slug)| app.gql_as(*who, q, json!({ "slug": slug }))),
        )
        .await;
        for (got, want) in answers.iter().zip(&alone) {
            assert_eq!(got, want);
        }
    }
}
