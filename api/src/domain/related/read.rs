//! Serving related lists: one statement for any number of sources, or for
//! one story together with its own row.

use super::rank::{self, Pick};
use super::{Reason, RelatedItem};
use crate::domain::articles::Audience;
use crate::domain::articles::{self, Article, ArticleBody, ArticleKey, Status, body_columns, head_columns};
use crate::domain::sql::{self, Params};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, FromQueryResult, QueryResult, Statement};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Marks a source whose stored picks are stale.
const STALE: &str = "STALE";

/// Marks the row of the story whose list is read with it.
const STORY: &str = "STORY";

struct Row {
    src: Uuid,
    reason: String,
    score: f64,
    shared: String,
    article: Article,
    body: Option<ArticleBody>,
}

impl FromQueryResult for Row {
    fn from_query_result(res: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        Ok(Self {
            src: res.try_get(pre, "src")?,
            reason: res.try_get(pre, "reason")?,
            score: res.try_get(pre, "score")?,
            shared: res.try_get(pre, "shared")?,
            article: Article::from_query_result(res, pre)?,
            body: ArticleBody::from_query_result_optional(res, "body_")?,
        })
    }
}

/// Whose lists a statement reads: stories by id, or one story by its key
/// as `audience` may see it, whose own row (and body) comes in the same
/// statement.
enum Sources<'a> {
    Ids(&'a [Uuid]),
    Story { key: &'a ArticleKey, audience: Audience, body: bool },
}

/// The statement: curated links, stored picks and staleness marks with the
/// stories they name. Placeholders are pushed in the order their text
/// appears, as `?` binds by position.
fn statement(backend: DatabaseBackend, sources: &Sources<'_>, k: usize, now: DateTime<Utc>) -> Statement {
    let mut p = Params::new(backend);
    let with = match sources {
        Sources::Ids(_) => String::new(),
        Sources::Story { key, audience, .. } => {
            let key = match key {
                ArticleKey::Id(id) => format!("s.id = {}", p.push(*id)),
                ArticleKey::Slug(slug) => format!("s.slug = {}", p.push(slug.as_str())),
            };
            let visible = match audience {
                Audience::Preview => String::new(),
                Audience::Public => format!(
                    " AND s.status = {} AND s.published_at <= {}",
                    p.push(Status::Published.as_str()),
                    p.push(now)
                ),
            };
            format!("WITH story AS (SELECT s.id AS id FROM article s WHERE {key}{visible}) ")
        }
    };
    let src = |p: &mut Params| match sources {
        Sources::Ids(ids) => p.list(ids),
        Sources::Story { .. } => "SELECT id FROM story".to_owned(),
    };
    let story_row = match sources {
        Sources::Story { .. } => format!(
            "SELECT st.id AS src, st.id AS rid, -1 AS grp, 0 AS pos, 0.0 AS score, '{STORY}' AS reason, \
             '' AS shared FROM story st UNION ALL "
        ),
        Sources::Ids(_) => String::new(),
    };
    // The body joins the story's own row only.
    let (body_cols, body_join) = match sources {
        Sources::Story { body: true, .. } => (
            format!(", {}", sql::prefixed("b", "body_", &body_columns())),
            "LEFT JOIN article_body b ON b.article_id = a.id AND r.grp = -1",
        ),
        _ => (String::new(), ""),
    };
    let (stale_ids, curated_ids, pick_ids) = (src(&mut p), src(&mut p), src(&mut p));
    let pick_now = p.push(now);
    let picks_per_source = p.push(i64::try_from(k).unwrap_or(20));
    let (published, now_p) = (p.push(Status::Published.as_str()), p.push(now));
    // Room for the story's own row and its staleness mark.
    let per_source = p.push(i64::try_from(k + 2).unwrap_or(22));
    let cols = sql::columns("a", &head_columns());
    let sql = format!(
        "{with}SELECT * FROM (
           SELECT r.src AS src, r.reason AS reason, r.score AS score, r.shared AS shared,
                  ROW_NUMBER() OVER (PARTITION BY r.src ORDER BY r.grp, r.pos) AS rn, {cols}{body_cols}
           FROM (
             {story_row}SELECT DISTINCT s.article_id AS src, s.article_id AS rid, 0 AS grp, 0 AS pos, 0.0 AS score,
                    '{STALE}' AS reason, '' AS shared
             FROM related_mark s WHERE s.article_id IN ({stale_ids})
             UNION ALL
             SELECT c.article_id, c.related_id, 1, c.position, 0.0, 'CURATED', ''
             FROM article_related c WHERE c.article_id IN ({curated_ids})
             UNION ALL
             SELECT q.article_id, q.related_id, 2, q.position, q.score, q.reason, q.shared_tags FROM (
               SELECT p.article_id, p.related_id, p.position, p.score, p.reason, p.shared_tags,
                      ROW_NUMBER() OVER (PARTITION BY p.article_id ORDER BY p.position) AS prn
               FROM related_pick p WHERE p.article_id IN ({pick_ids}) AND p.published_at <= {pick_now}
                 AND NOT EXISTS (SELECT 1 FROM article_related x
                                 WHERE x.article_id = p.article_id AND x.related_id = p.related_id)
             ) q WHERE q.prn <= {picks_per_source}
           ) r
           JOIN article a ON a.id = r.rid
           {body_join}
           WHERE r.grp <= 0 OR (a.status = {published} AND a.published_at <= {now_p})
         ) t WHERE t.rn <= {per_source} ORDER BY t.src, t.rn"
    );
    p.statement(sql)
}

/// A story with its body (when asked) and its first `k` related stories,
/// in one statement unless its list was marked stale (see [`lists`]).
/// None when `audience` may not see it.
pub async fn with_story(
    db: &impl ConnectionTrait,
    key: &ArticleKey,
    audience: Audience,
    body: bool,
    k: usize,
    now: DateTime<Utc>,
) -> AppResult<Option<(Article, Option<ArticleBody>, Vec<RelatedItem>)>> {
    let k = k.min(super::MAX_RELATED);
    let stmt = statement(db.get_database_backend(), &Sources::Story { key, audience, body }, k, now);
    let mut story = None;
    let mut lists = collect(db, Row::find_by_statement(stmt).all(db).await?, k, now, |row| {
        story = Some((row.article, row.body));
    })
    .await?;
    match &story {
        Some((a, _)) => crate::domain::freshness::shows_story(a),
        None => crate::domain::freshness::shows([crate::domain::surrogate::Key::Missing]),
    }
    Ok(story.map(|(a, b)| {
        let list = lists.remove(&a.id).unwrap_or_default();
        (a, b, list)
    }))
}

/// The first `k` related stories of each source that a reader may see at
/// `now`: curated ones in the editor's order, then stored picks by rank.
/// Curated links, stored picks and staleness marks come in one statement
/// with the stories they name; only a list marked stale by a recent write
/// is ranked here, in a few more. Picks are cut to the first `k` already
/// live before any story row is read, so a page of lists reads about
/// `k` stories per list, not every stored pick.
#[tracing::instrument(level = "debug", skip_all, fields(sources = sources.len()))]
pub async fn lists(
    db: &impl ConnectionTrait,
    sources: &[Uuid],
    k: usize,
    now: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, Vec<RelatedItem>>> {
    if sources.is_empty() || k == 0 {
        return Ok(HashMap::new());
    }
    let k = k.min(super::MAX_RELATED);
    let stmt = statement(db.get_database_backend(), &Sources::Ids(sources), k, now);
    collect(db, Row::find_by_statement(stmt).all(db).await?, k, now, |_| {}).await
}

/// The lists in the rows read; a story's own row goes to `story`.
async fn collect(
    db: &impl ConnectionTrait,
    rows: Vec<Row>,
    k: usize,
    now: DateTime<Utc>,
    mut story: impl FnMut(Row),
) -> AppResult<HashMap<Uuid, Vec<RelatedItem>>> {
    let mut out: HashMap<Uuid, Vec<RelatedItem>> = HashMap::new();
    let mut stale: Vec<Uuid> = Vec::new();
    for r in rows {
        if r.reason == STORY {
            out.entry(r.src).or_default();
            story(r);
            continue;
        }
        if r.reason == STALE {
            stale.push(r.src);
            continue;
        }
        let reason = Reason::parse(&r.reason)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("a related pick has no known reason")))?;
        let list = out.entry(r.src).or_default();
        // A stale list keeps its curated stories; its picks are ranked below.
        if reason != Reason::Curated && stale.contains(&r.src) {
            continue;
        }
        list.push(RelatedItem {
            article: r.article,
            reason,
            score: r.score,
            shared_tag_ids: sql::split_ids(&r.shared),
        });
    }
    if !stale.is_empty() {
        let ranked = rank::rank(db, &stale).await?;
        let picked: Vec<Uuid> =
            ranked.values().flatten().map(|p| p.related_id).collect::<HashSet<_>>().into_iter().collect();
        let visible: HashMap<Uuid, Article> = articles::find_many(db, Audience::Public, now, &picked)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        for (src, picks) in ranked {
            let list = out.entry(src).or_default();
            list.retain(|i| i.reason == Reason::Curated);
            for Pick { related_id, reason, score, shared_tag_ids, .. } in picks {
                if list.len() >= k {
                    break;
                }
                if let Some(a) = visible.get(&related_id) {
                    list.push(RelatedItem { article: a.clone(), reason, score, shared_tag_ids });
                }
            }
        }
    }
    for (src, list) in out.iter_mut() {
        list.truncate(k);
        // The refresher purges a source's list when it stores new picks.
        crate::domain::freshness::shows([crate::domain::surrogate::Key::Related(*src)]);
        list.iter().for_each(|i| crate::domain::freshness::shows_story(&i.article));
    }
    Ok(out)
}
