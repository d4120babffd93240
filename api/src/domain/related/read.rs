//! Serving related lists: one statement for any number of sources.

use super::rank::{self, Pick};
use super::{Reason, RelatedItem};
use crate::domain::articles::Audience;
use crate::domain::articles::{self, Article, Status, head_columns};
use crate::domain::sql::{self, Params};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, QueryResult};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Marks a source whose stored picks are stale.
const STALE: &str = "STALE";

struct Row {
    src: Uuid,
    reason: String,
    score: f64,
    shared: String,
    article: Article,
}

impl FromQueryResult for Row {
    fn from_query_result(res: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        Ok(Self {
            src: res.try_get(pre, "src")?,
            reason: res.try_get(pre, "reason")?,
            score: res.try_get(pre, "score")?,
            shared: res.try_get(pre, "shared")?,
            article: Article::from_query_result(res, pre)?,
        })
    }
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
    let mut out: HashMap<Uuid, Vec<RelatedItem>> = HashMap::new();
    if sources.is_empty() || k == 0 {
        return Ok(out);
    }
    let k = k.min(super::MAX_RELATED);
    let mut p = Params::new(db.get_database_backend());
    let (stale_ids, curated_ids, pick_ids) = (p.list(sources), p.list(sources), p.list(sources));
    let pick_now = p.push(now);
    let picks_per_source = p.push(i64::try_from(k).unwrap_or(20));
    let (published, now_p) = (p.push(Status::Published.as_str()), p.push(now));
    // One extra row per source leaves room for its staleness mark.
    let per_source = p.push(i64::try_from(k + 1).unwrap_or(21));
    let cols = sql::columns("a", &head_columns());
    let sql = format!(
        "SELECT * FROM (
           SELECT r.src AS src, r.reason AS reason, r.score AS score, r.shared AS shared,
                  ROW_NUMBER() OVER (PARTITION BY r.src ORDER BY r.grp, r.pos) AS rn, {cols}
           FROM (
             SELECT DISTINCT s.article_id AS src, s.article_id AS rid, 0 AS grp, 0 AS pos, 0.0 AS score,
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
           WHERE r.grp = 0 OR (a.status = {published} AND a.published_at <= {now_p})
         ) t WHERE t.rn <= {per_source} ORDER BY t.src, t.rn"
    );
    let rows = Row::find_by_statement(p.statement(sql)).all(db).await?;

    let mut stale: Vec<Uuid> = Vec::new();
    for r in rows {
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
    for list in out.values_mut() {
        list.truncate(k);
    }
    Ok(out)
}
