//! Comment threads end to end: posting, replying down to the depth cap,
//! paging with bound cursors, editing, deleting, reactions, flags and the
//! counts, through GraphQL and REST against a real database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Story, TestApp, error_code, t0};
use chrono::TimeDelta;
use serde_json::{Value, json};

async fn story(app: &TestApp, slug: &str) -> uuid::Uuid {
    app.story(slug, "A story to discuss", Some(t0() - TimeDelta::hours(1)), Story::default()).await
}

const THREAD: &str = r#"query($slug: String!, $first: Int, $after: String, $order: CommentOrder) {
  article(slug: $slug) {
    commentCount
    comments(first: $first, after: $after, orderBy: $order) {
      edges { cursor node { id depth replyCount reactionCount viewerHasReacted body { text html } author { displayName isStaff }
        replies(first: 3) { nodes { id depth body { text } parent { id } } pageInfo { hasNextPage endCursor } } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"#;

#[actix_web::test]
async fn a_reader_posts_and_replies_and_everyone_reads_the_thread() {
    let app = TestApp::spawn().await;
    let article = story(&app, "town-hall").await;
    let (alice, _) = app.person("Alice", "READER").await;
    let (bob, _) = app.person("Bob", "MODERATOR").await;

    let me = app.gql_as(Some(&alice), "{ me { displayName email role isStaff } }", json!({})).await;
    assert_eq!(
        me["data"]["me"],
        json!({ "displayName": "Alice", "email": "alice@example.com", "role": "READER", "isStaff": false })
    );

    let top =
        app.post_comment(&alice, article, None, "I *agree* with the [council](https://example.com).").await;
    let c = &top["data"]["postComment"]["comment"];
    assert_eq!(c["status"], "APPROVED", "{top}");
    assert_eq!(c["depth"], 0);
    assert_eq!(c["body"]["text"], "I agree with the council.");
    assert!(c["body"]["html"].as_str().unwrap().contains(r#"rel="nofollow ugc noopener""#));
    let top_id = c["id"].as_str().unwrap().to_owned();

    // Five levels by default: depths 0..=4; a reply to depth 4 joins depth 4.
    let mut parent = top_id.clone();
    let mut ids = vec![top_id.clone()];
    for depth in 1..=4 {
        app.clock_tick();
        let r = app.post_comment(&bob, article, Some(&parent), &format!("reply at {depth}")).await;
        assert_eq!(r["data"]["postComment"]["comment"]["depth"], depth, "{r}");
        parent = r["data"]["postComment"]["comment"]["id"].as_str().unwrap().to_owned();
        ids.push(parent.clone());
    }
    let deep = app.post_comment(&alice, article, Some(&parent), "too deep to nest").await;
    let deep_c = &deep["data"]["postComment"]["comment"];
    assert_eq!(deep_c["depth"], 4, "{deep}");
    let deep_id = deep_c["id"].as_str().unwrap();
    let q =
        r#"query($id: ID!) { comment(id: $id) { depth replyToId parent { id } ancestors { id depth } } }"#;
    let r = app.gql(q, json!({ "id": deep_id })).await;
    assert_eq!(r["data"]["comment"]["replyToId"], json!(ids[4]), "{r}");
    assert_eq!(r["data"]["comment"]["parent"]["id"], json!(ids[3]));
    let ancestors: Vec<&str> = r["data"]["comment"]["ancestors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ancestors, &ids[..4]);

    // Anonymous readers see the thread, the counts and staff marked.
    let r = app.gql(THREAD, json!({ "slug": "town-hall" })).await;
    let a = &r["data"]["article"];
    assert_eq!(a["commentCount"], 6, "{r}");
    let first = &a["comments"]["edges"][0]["node"];
    assert_eq!(first["replyCount"], 1);
    assert_eq!(first["author"], json!({ "displayName": "Alice", "isStaff": false }));
    let reply = &first["replies"]["nodes"][0];
    assert_eq!(reply["body"]["text"], "reply at 1");
    assert_eq!(reply["parent"]["id"], json!(top_id));

    // REST: the same thread with replies inline, one comment, its replies.
    let (status, body) = app.get_json("/v1/articles/town-hall/comments?replies=2").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["items"][0]["body"]["text"], "I agree with the council.");
    assert_eq!(body["items"][0]["author"]["displayName"], "Alice");
    assert_eq!(body["items"][0]["replies"]["items"][0]["body"]["text"], "reply at 1");
    assert_eq!(body["items"][0]["replies"]["items"][0]["author"]["isStaff"], true);
    let uuid = body["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, one) = app.get_json(&format!("/v1/comments/{uuid}")).await;
    assert_eq!((status, one["replyCount"].clone()), (200, json!(1)), "{one}");
    let (status, replies) = app.get_json(&format!("/v1/comments/{uuid}/replies")).await;
    assert_eq!(status, 200);
    assert_eq!(replies["items"][0]["body"]["text"], "reply at 1");
    let (status, _) = app.get_json(&format!("/v1/articles/{article}/comments")).await;
    assert_eq!(status, 200);
    let (status, p) = app.get_json("/v1/articles/no-such-story/comments").await;
    assert_eq!((status, p["code"].as_str()), (404, Some("NOT_FOUND")));
}

#[actix_web::test]
async fn pages_cover_every_comment_once_in_each_order_and_cursors_stay_in_their_thread() {
    let app = TestApp::spawn().await;
    let article = story(&app, "debate").await;
    let other = story(&app, "other-debate").await;
    let mut readers = Vec::new();
    for i in 0..4 {
        readers.push(app.person(&format!("Reader {i}"), "READER").await.0);
    }
    let mut tops = Vec::new();
    for i in 0..7 {
        app.clock_tick();
        tops.push(app.comment(&readers[i % 4], article, None, &format!("comment {i}")).await);
    }
    // Replies and reactions give the count orders something to sort.
    for (i, t) in tops.iter().enumerate() {
        for (r, reader) in readers.iter().enumerate().take(i % 3) {
            app.comment(reader, article, Some(t), &format!("reply {r} to {i}")).await;
        }
        for r in readers.iter().take(i % 4) {
            let x = app
                .gql_as(
                    Some(r),
                    "mutation($id: ID!) { reactToComment(id: $id) { comment { id } } }",
                    json!({ "id": t }),
                )
                .await;
            assert!(x["errors"].is_null(), "{x}");
        }
    }
    for order in ["NEWEST", "OLDEST", "MOST_REPLIES", "MOST_REACTIONS"] {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let r = app
                .gql(THREAD, json!({ "slug": "debate", "first": 2, "after": after, "order": order }))
                .await;
            let conn = &r["data"]["article"]["comments"];
            for e in conn["edges"].as_array().unwrap() {
                seen.push(e["node"]["id"].as_str().unwrap().to_owned());
            }
            if conn["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 7, "{order}: {seen:?}");
        assert_eq!(seen.len(), 7, "{order}: {seen:?}");
        match order {
            "NEWEST" => assert_eq!(seen, tops.iter().rev().cloned().collect::<Vec<_>>()),
            "OLDEST" => assert_eq!(seen, tops),
            _ => {}
        }
    }
    // A cursor from one order or thread is refused elsewhere.
    let r = app.gql(THREAD, json!({ "slug": "debate", "first": 2, "order": "NEWEST" })).await;
    let cursor = r["data"]["article"]["comments"]["pageInfo"]["endCursor"].as_str().unwrap().to_owned();
    let r =
        app.gql(THREAD, json!({ "slug": "debate", "first": 2, "after": cursor, "order": "OLDEST" })).await;
    assert_eq!(error_code(&r), "BAD_USER_INPUT", "{r}");
    let (status, p) = app.get_json(&format!("/v1/articles/{other}/comments?cursor={cursor}")).await;
    assert_eq!((status, p["code"].as_str()), (422, Some("BAD_USER_INPUT")), "{p}");
    let (status, p) = app.get_json("/v1/articles/debate/comments?cursor=garbage").await;
    assert_eq!((status, p["errors"][0]["path"].as_str()), (400, Some("cursor")), "{p}");
    let (status, _) = app.get_json("/v1/articles/debate/comments?limit=101").await;
    assert_eq!(status, 400);
    let (status, _) = app.get_json("/v1/articles/debate/comments?sort=best").await;
    assert_eq!(status, 400);
    // REST pages the same way.
    let (_, page1) = app.get_json("/v1/articles/debate/comments?limit=4&sort=oldest&replies=0").await;
    let next = page1["nextCursor"].as_str().unwrap();
    let (_, page2) =
        app.get_json(&format!("/v1/articles/debate/comments?limit=4&sort=oldest&cursor={next}")).await;
    assert_eq!(page1["items"].as_array().unwrap().len() + page2["items"].as_array().unwrap().len(), 7);
    assert_eq!(page2["hasMore"], false);
}

#[actix_web::test]
async fn authors_edit_within_the_window_and_moderators_see_the_revisions() {
    let app = TestApp::spawn().await;
    let article = story(&app, "edits").await;
    let (alice, _) = app.person("Alice", "READER").await;
    let (eve, _) = app.person("Eve", "READER").await;
    let (mod_, _) = app.person("Mona", "MODERATOR").await;
    let id = app.comment(&alice, article, None, "first words").await;
    let edit = "mutation($id: ID!, $b: String!) { editComment(id: $id, body: $b) { comment { body { text } editedAt } } }";

    let r = app.gql_as(Some(&eve), edit, json!({ "id": id, "b": "hijacked" })).await;
    assert_eq!(error_code(&r), "FORBIDDEN", "{r}");
    let r = app.gql_as(Some(&mod_), edit, json!({ "id": id, "b": "moderated words" })).await;
    assert_eq!(error_code(&r), "FORBIDDEN", "{r}");

    app.state.clock.advance(TimeDelta::minutes(10));
    let r = app.gql_as(Some(&alice), edit, json!({ "id": id, "b": "second words" })).await;
    assert_eq!(r["data"]["editComment"]["comment"]["body"]["text"], "second words", "{r}");
    assert!(r["data"]["editComment"]["comment"]["editedAt"].is_string());
    // Readers are refused the revisions; moderators read them.
    let q = "query($id: ID!) { comment(id: $id) { revisions { revision body } } }";
    let r = app.gql_as(Some(&alice), q, json!({ "id": id })).await;
    assert_eq!(error_code(&r), "FORBIDDEN", "{r}");
    let r = app.gql_as(Some(&mod_), q, json!({ "id": id })).await;
    assert_eq!(r["data"]["comment"]["revisions"], json!([{ "revision": 1, "body": "first words" }]), "{r}");

    app.state.clock.advance(TimeDelta::minutes(6));
    let r = app.gql_as(Some(&alice), edit, json!({ "id": id, "b": "too late" })).await;
    assert_eq!(error_code(&r), "FORBIDDEN", "{r}");
    let r = app.gql_as(Some(&alice), edit, json!({ "id": id, "b": "   " })).await;
    assert_eq!(error_code(&r), "BAD_USER_INPUT", "{r}");
}

#[actix_web::test]
async fn a_deleted_comment_with_replies_keeps_its_place_and_counts_follow() {
    let app = TestApp::spawn().await;
    let article = story(&app, "deletions").await;
    let (alice, _) = app.person("Alice", "READER").await;
    let (bob, _) = app.person("Bob", "READER").await;
    let (mona, _) = app.person("Mona", "MODERATOR").await;
    let parent = app.comment(&alice, article, None, "parent").await;
    let reply = app.comment(&bob, article, Some(&parent), "reply").await;
    let lonely = app.comment(&bob, article, None, "lonely").await;
    let del = "mutation($id: ID!) { deleteComment(id: $id) { comment { status body { text } } } }";

    let r = app.gql_as(Some(&bob), del, json!({ "id": parent })).await;
    assert_eq!(error_code(&r), "FORBIDDEN", "{r}");
    let r = app.gql_as(None, del, json!({ "id": parent })).await;
    assert_eq!(error_code(&r), "UNAUTHENTICATED", "{r}");
    let r = app.gql_as(Some(&alice), del, json!({ "id": parent })).await;
    assert_eq!(r["data"]["deleteComment"]["comment"]["status"], "DELETED", "{r}");
    let r = app.gql_as(Some(&mona), del, json!({ "id": lonely })).await;
    assert!(r["errors"].is_null(), "{r}");

    let r = app.gql(THREAD, json!({ "slug": "deletions" })).await;
    let a = &r["data"]["article"];
    assert_eq!(a["commentCount"], 1, "only the reply is still counted: {r}");
    let edges = a["comments"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1, "the lonely comment is gone: {r}");
    let placeholder = &edges[0]["node"];
    assert_eq!(placeholder["body"], json!({ "text": "", "html": "" }));
    assert_eq!(placeholder["author"]["displayName"], "[deleted]");
    assert_eq!(placeholder["replies"]["nodes"][0]["id"], json!(reply));
    // The moderator's deletion is on the log.
    let log = app
        .gql_as(Some(&mona), "{ moderationLog { edges { node { action actor commentId } } } }", json!({}))
        .await;
    assert_eq!(log["data"]["moderationLog"]["edges"][0]["node"]["action"], "DELETE", "{log}");
}

#[actix_web::test]
async fn reactions_toggle_and_concurrent_reactions_are_each_counted_once() {
    let app = TestApp::spawn().await;
    let article = story(&app, "reactions").await;
    let (alice, _) = app.person("Alice", "READER").await;
    let id = app.comment(&alice, article, None, "react to me").await;
    let react =
        "mutation($id: ID!) { reactToComment(id: $id) { comment { reactionCount viewerHasReacted } } }";
    let mut people = Vec::new();
    for i in 0..12 {
        people.push(app.person(&format!("Fan {i}"), "READER").await.0);
    }
    let r = app.gql_as(Some(&people[0]), react, json!({ "id": id })).await;
    assert_eq!(
        r["data"]["reactToComment"]["comment"],
        json!({ "reactionCount": 1, "viewerHasReacted": true }),
        "{r}"
    );
    let r = app.gql_as(Some(&people[0]), react, json!({ "id": id })).await;
    assert_eq!(
        r["data"]["reactToComment"]["comment"],
        json!({ "reactionCount": 0, "viewerHasReacted": false }),
        "{r}"
    );
    // Everyone at once, twice over: toggled on, then off again.
    for _ in 0..2 {
        let all = people.iter().map(|t| app.gql_as(Some(t), react, json!({ "id": id })));
        for r in futures_util::future::join_all(all).await {
            assert!(r["errors"].is_null(), "{r}");
        }
    }
    let all = people.iter().take(7).map(|t| app.gql_as(Some(t), react, json!({ "id": id })));
    futures_util::future::join_all(all).await;
    let r = app
        .gql_as(
            Some(&people[0]),
            "query($id: ID!) { comment(id: $id) { reactionCount viewerHasReacted } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r["data"]["comment"], json!({ "reactionCount": 7, "viewerHasReacted": true }), "{r}");
    // REST toggles the same way.
    let uuid = ids_uuid(&id);
    let (status, _, body) =
        app.call("POST", &format!("/v1/comments/{uuid}/reactions"), Some(&people[0]), None, &[]).await;
    assert_eq!(
        (status, body["reacted"].clone(), body["comment"]["reactionCount"].clone()),
        (200, json!(false), json!(6)),
        "{body}"
    );
}

fn ids_uuid(global: &str) -> String {
    let raw = api::domain::token::decode(global).unwrap();
    raw.split_once(':').unwrap().1.to_owned()
}

#[actix_web::test]
async fn pending_comments_are_seen_by_their_author_alone_until_approved() {
    let app = TestApp::spawn_configured(|c| c.comments.comments_premoderation = true).await;
    let article = story(&app, "premoderated").await;
    let (alice, _) = app.person("Alice", "READER").await;
    let (bob, _) = app.person("Bob", "READER").await;
    let (mona, _) = app.person("Mona", "MODERATOR").await;
    let r = app.post_comment(&alice, article, None, "please approve me").await;
    assert_eq!(r["data"]["postComment"]["comment"]["status"], "PENDING", "{r}");
    let id = r["data"]["postComment"]["comment"]["id"].as_str().unwrap().to_owned();

    let count = |r: &Value| r["data"]["article"]["comments"]["edges"].as_array().map_or(0, Vec::len);
    let mine = app.gql_as(Some(&alice), THREAD, json!({ "slug": "premoderated" })).await;
    assert_eq!(count(&mine), 1, "{mine}");
    assert_eq!(mine["data"]["article"]["commentCount"], 0);
    for viewer in [None, Some(bob.as_str()), Some(mona.as_str())] {
        let r = app.gql_as(viewer, THREAD, json!({ "slug": "premoderated" })).await;
        assert_eq!(count(&r), 0, "{viewer:?}: {r}");
    }
    let one = "query($id: ID!) { comment(id: $id) { status } }";
    assert!(app.gql_as(Some(&bob), one, json!({ "id": id })).await["data"]["comment"].is_null());
    // Replying to it is refused, for its author too.
    let r = app.post_comment(&bob, article, Some(&id), "reply to pending").await;
    assert_eq!(error_code(&r), "BAD_USER_INPUT", "{r}");
    let (_, rest) = app.get_json("/v1/articles/premoderated/comments").await;
    assert_eq!(rest["items"], json!([]));

    // The moderator finds it in the queue and approves it.
    let q = "{ moderationQueue { edges { node { id status holdReason body { text } } } } }";
    let r = app.gql_as(Some(&bob), q, json!({})).await;
    assert_eq!(error_code(&r), "FORBIDDEN", "{r}");
    let r = app.gql_as(Some(&mona), q, json!({})).await;
    let node = &r["data"]["moderationQueue"]["edges"][0]["node"];
    assert_eq!(
        (node["id"].as_str(), node["holdReason"].as_str()),
        (Some(id.as_str()), Some("PRE_MODERATION")),
        "{r}"
    );
    let approve = "mutation($id: ID!) { moderateComment(id: $id, status: APPROVED, reason: \"fine\") { comment { status } } }";
    let r = app.gql_as(Some(&mona), approve, json!({ "id": id })).await;
    assert_eq!(r["data"]["moderateComment"]["comment"]["status"], "APPROVED", "{r}");
    let r = app.gql(THREAD, json!({ "slug": "premoderated" })).await;
    assert_eq!((count(&r), r["data"]["article"]["commentCount"].clone()), (1, json!(1)), "{r}");
    let log = app
        .gql_as(
            Some(&mona),
            "{ moderationLog { edges { node { action toStatus fromStatus reason } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        log["data"]["moderationLog"]["edges"][0]["node"],
        json!({ "action": "SET_STATUS", "toStatus": "APPROVED", "fromStatus": "PENDING", "reason": "fine" })
    );
}

#[actix_web::test]
async fn flags_send_a_comment_back_to_the_queue_and_word_lists_apply() {
    let app = TestApp::spawn_configured(|c| {
        c.comments.comments_flag_threshold = 2;
        c.comments.comments_banned_words = vec!["scoundrel".into()];
        c.comments.comments_suspect_words = vec!["casino".into()];
        c.comments.comments_hold_links = true;
    })
    .await;
    let article = story(&app, "flags").await;
    let (alice, _) = app.person("Alice", "READER").await;
    let (b1, _) = app.person("Flagger One", "READER").await;
    let (b2, _) = app.person("Flagger Two", "READER").await;
    let id = app.comment(&alice, article, None, "an opinion").await;
    let flag = "mutation($id: ID!) { flagComment(id: $id, reason: ABUSIVE, details: \"rude\") { comment { status } } }";
    let r = app.gql_as(Some(&alice), flag, json!({ "id": id })).await;
    assert_eq!(error_code(&r), "BAD_USER_INPUT", "own comment: {r}");
    app.gql_as(Some(&b1), flag, json!({ "id": id })).await;
    app.gql_as(Some(&b1), flag, json!({ "id": id })).await;
    let r = app.gql(THREAD, json!({ "slug": "flags" })).await;
    assert_eq!(r["data"]["article"]["commentCount"], 1, "one person's flag counts once: {r}");
    app.gql_as(Some(&b2), flag, json!({ "id": id })).await;
    let r = app.gql(THREAD, json!({ "slug": "flags" })).await;
    assert_eq!(r["data"]["article"]["commentCount"], 0, "{r}");

    for banned in ["You SCOUNDREL", "s c o u n d r e l", "scóundrel!", "sc0undr3l"] {
        let r = app.post_comment(&alice, article, None, banned).await;
        assert_eq!(error_code(&r), "BAD_USER_INPUT", "{banned}: {r}");
        assert_eq!(r["errors"][0]["extensions"]["fields"][0]["path"], "input.body");
    }
    for held in ["Visit my CASINO", "see https://example.com/x"] {
        let r = app.post_comment(&alice, article, None, held).await;
        assert_eq!(r["data"]["postComment"]["comment"]["status"], "PENDING", "{held}: {r}");
    }
    // The same words twice in a row are refused.
    app.comment(&alice, article, None, "same thing twice").await;
    let r = app.post_comment(&alice, article, None, "same thing twice").await;
    assert_eq!(error_code(&r), "BAD_USER_INPUT", "{r}");
}

#[actix_web::test]
async fn closed_disabled_unpublished_and_unknown_stories_take_no_comments() {
    let app = TestApp::spawn_configured(|c| c.comments.comments_auto_close_days = 7).await;
    let (alice, _) = app.person("Alice", "READER").await;
    let open = story(&app, "open").await;
    let id = app.comment(&alice, open, None, "before closing").await;
    let draft = app.story("draft", "Draft", None, Story::default()).await;
    let old = app.story("old", "Old", Some(t0() - TimeDelta::days(8)), Story::default()).await;
    let r = app.post_comment(&alice, draft, None, "hello").await;
    assert_eq!(error_code(&r), "NOT_FOUND", "{r}");
    let r = app.post_comment(&alice, uuid::Uuid::now_v7(), None, "hello").await;
    assert_eq!(error_code(&r), "NOT_FOUND", "{r}");
    let r = app.post_comment(&alice, old, None, "hello").await;
    assert_eq!(error_code(&r), "FORBIDDEN", "auto-closed: {r}");
    let r = app.gql("{ article(slug: \"old\") { commentsStatus commentsOpen } }", json!({})).await;
    assert_eq!(r["data"]["article"], json!({ "commentsStatus": "CLOSED", "commentsOpen": false }));

    let key = app.key(&["content:write"]).await;
    for (status, code) in [("CLOSED", "FORBIDDEN"), ("DISABLED", "FORBIDDEN")] {
        let (s, _, b) = app
            .call(
                "PATCH",
                &format!("/v1/articles/{open}"),
                Some(&key),
                Some(json!({ "commentsStatus": status })),
                &[],
            )
            .await;
        assert_eq!(s, 200, "{b}");
        let r = app.post_comment(&alice, open, None, &format!("while {status}")).await;
        assert_eq!(error_code(&r), code, "{status}: {r}");
        let r = app
            .gql_as(
                Some(&alice),
                "mutation($id: ID!) { reactToComment(id: $id) { comment { id } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(error_code(&r), code, "{status}: {r}");
    }
    // Disabled: nothing is shown.
    let r = app.gql(THREAD, json!({ "slug": "open" })).await;
    assert_eq!(r["data"]["article"]["commentCount"], 0, "{r}");
    assert_eq!(r["data"]["article"]["comments"]["edges"], json!([]));
    let (status, b) = app.get_json("/v1/articles/open/comments").await;
    assert_eq!((status, b["items"].clone()), (200, json!([])));
    let (status, _) = app.get_json(&format!("/v1/comments/{}", ids_uuid(&id))).await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn banned_and_suspended_readers_cannot_take_part_and_erased_accounts_leave_placeholders() {
    let app = TestApp::spawn().await;
    let article = story(&app, "standing").await;
    let (alice, alice_id) = app.person("Alice", "READER").await;
    let (bob, bob_id) = app.person("Bob", "READER").await;
    let (mona, _) = app.person("Mona", "MODERATOR").await;
    let gid = |u: uuid::Uuid| api::graphql::ids::encode(api::graphql::ids::Kind::User, u).0;

    let ban = "mutation($id: ID!) { banUser(id: $id, reason: \"spam\") { user { banned } } }";
    let r = app.gql_as(Some(&alice), ban, json!({ "id": gid(bob_id) })).await;
    assert_eq!(error_code(&r), "FORBIDDEN", "{r}");
    let r = app.gql_as(Some(&mona), ban, json!({ "id": gid(bob_id) })).await;
    assert_eq!(r["data"]["banUser"]["user"]["banned"], true, "{r}");
    let r = app.post_comment(&bob, article, None, "let me in").await;
    assert_eq!(error_code(&r), "FORBIDDEN", "{r}");
    let suspend = "mutation($id: ID!, $until: DateTime!) { suspendUser(id: $id, until: $until) { user { suspendedUntil } } }";
    let until = (t0() + TimeDelta::hours(1)).to_rfc3339();
    let r = app.gql_as(Some(&mona), suspend, json!({ "id": gid(alice_id), "until": until })).await;
    assert!(r["errors"].is_null(), "{r}");
    let r = app.post_comment(&alice, article, None, "suspended").await;
    assert_eq!(error_code(&r), "FORBIDDEN", "{r}");
    app.state.clock.advance(TimeDelta::hours(2));
    let parent = app.comment(&alice, article, None, "back again").await;
    let (carol, _) = app.person("Carol", "READER").await;
    app.comment(&carol, article, Some(&parent), "welcome back").await;
    app.comment(&alice, article, None, "a lonely thought").await;

    // Alice downloads her comments, then deletes her account.
    let (status, _, mine) = app.call("GET", "/v1/me/comments", Some(&alice), None, &[]).await;
    assert_eq!((status, mine["comments"].as_array().map(Vec::len)), (200, Some(2)), "{mine}");
    let (status, _, _) = app.call("DELETE", "/v1/me", Some(&alice), None, &[]).await;
    assert_eq!(status, 204);
    let (status, _, _) = app.call("GET", "/v1/me", Some(&alice), None, &[]).await;
    assert_eq!(status, 401, "the session ended with the account");
    let (_, thread) = app.get_json("/v1/articles/standing/comments").await;
    let items = thread["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{thread}");
    assert_eq!(items[0]["author"]["displayName"], "[deleted]");
    assert_eq!(items[0]["body"]["text"], "");
    assert_eq!(items[0]["replies"]["items"][0]["body"]["text"], "welcome back");
    let r = app.gql("{ article(slug: \"standing\") { commentCount } }", json!({})).await;
    assert_eq!(r["data"]["article"]["commentCount"], 1);
}

#[actix_web::test]
async fn rest_writes_answer_with_problems_and_the_comment() {
    let app = TestApp::spawn().await;
    story(&app, "rest-writes").await;
    let (alice, _) = app.person("Alice", "READER").await;
    let key = app.key(&["content:write"]).await;
    let path = "/v1/articles/rest-writes/comments";
    let (s, _, p) = app.call("POST", path, None, Some(json!({ "body": "hi" })), &[]).await;
    assert_eq!((s, p["code"].as_str()), (401, Some("UNAUTHENTICATED")));
    let (s, _, p) = app.call("POST", path, Some(&key), Some(json!({ "body": "hi" })), &[]).await;
    assert_eq!((s, p["code"].as_str()), (403, Some("FORBIDDEN")), "API keys are not people");
    let (s, _, p) = app.call("POST", path, Some(&alice), Some(json!({ "body": "" })), &[]).await;
    assert_eq!((s, p["errors"][0]["path"].as_str()), (400, Some("body")), "{p}");
    let (s, _, p) =
        app.call("POST", path, Some(&alice), Some(json!({ "body": "x".repeat(5001) })), &[]).await;
    assert_eq!(s, 400, "{p}");
    let (s, _, p) = app.call("POST", path, Some(&alice), Some(json!({ "body": "a\u{0007}b" })), &[]).await;
    assert_eq!(s, 400, "{p}");
    let (s, headers, c) =
        app.call("POST", path, Some(&alice), Some(json!({ "body": "Hello **world**" })), &[]).await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(c["body"]["html"], "<p>Hello <strong>world</strong></p>\n");
    let id = c["id"].as_str().unwrap();
    let (s, _, p) = app
        .call(
            "POST",
            path,
            Some(&alice),
            Some(json!({ "body": "reply", "parentId": uuid::Uuid::now_v7() })),
            &[],
        )
        .await;
    assert_eq!((s, p["errors"][0]["path"].as_str()), (422, Some("parentId")), "{p}");
    let (s, _, c) = app
        .call(
            "PATCH",
            &format!("/v1/comments/{id}"),
            Some(&alice),
            Some(json!({ "body": "Hello again" })),
            &[],
        )
        .await;
    assert_eq!((s, c["body"]["text"].as_str()), (200, Some("Hello again")), "{c}");
    let (s, _, p) = app
        .call(
            "POST",
            &format!("/v1/comments/{id}/flags"),
            Some(&alice),
            Some(json!({ "reason": "RUDE" })),
            &[],
        )
        .await;
    assert_eq!(s, 400, "{p}");
    let (s, _, p) = app.call("GET", "/v1/moderation/queue", Some(&alice), None, &[]).await;
    assert_eq!((s, p["code"].as_str()), (403, Some("FORBIDDEN")));
    let (s, _, c) = app.call("DELETE", &format!("/v1/comments/{id}"), Some(&alice), None, &[]).await;
    assert_eq!((s, c["status"].as_str()), (200, Some("DELETED")), "{c}");
}
