//! Related stories: the editor's curated, ordered list per article, filled
//! up by automatic picks that say why they were chosen.

use crate::domain::accounts::policy::Audience;
use crate::domain::accounts::{Actor, policy};
use crate::domain::articles::write::{bump, find_any, find_for_update};
use crate::domain::articles::{Article, Status};
use crate::domain::sync::{self, Action, Change, Entity};
use crate::domain::tx;
use crate::error::{AppResult, Validator};
use chrono::{DateTime, Utc};
use entity::{article, article_related, article_tag};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Statement, TransactionSession, TransactionTrait,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub const MAX_CURATED: usize = 20;

/// Replaces the curated list. Ids must exist, differ from the article and
/// not repeat; otherwise nothing is saved.
pub async fn set_curated<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    related_ids: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<Article> {
    policy::can_write_content(actor)?;
    let txn = tx::begin(db).await?;
    let current = find_for_update(&txn, id).await?;
    let known: HashSet<Uuid> = article::Entity::find()
        .select_only()
        .column(article::Column::Id)
        .filter(article::Column::Id.is_in(related_ids.iter().copied()))
        .into_tuple::<Uuid>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let mut v = Validator::new();
    v.check(
        related_ids.len() <= MAX_CURATED,
        "relatedIds",
        &format!("must have at most {MAX_CURATED} entries"),
    );
    let mut seen = HashSet::new();
    for (i, r) in related_ids.iter().enumerate() {
        let path = format!("relatedIds[{i}]");
        if *r == id {
            v.push(path, "is the article itself");
        } else if !known.contains(r) {
            v.push(path, format!("no article with id {r}"));
        } else if !seen.insert(*r) {
            v.push(path, format!("repeats {r}"));
        }
    }
    v.finish()?;
    article_related::Entity::delete_many()
        .filter(article_related::Column::ArticleId.eq(id))
        .exec(&txn)
        .await?;
    if !related_ids.is_empty() {
        let rows = related_ids.iter().enumerate().map(|(i, r)| article_related::ActiveModel {
            article_id: Set(id),
            related_id: Set(*r),
            position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
        });
        article_related::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    }
    bump(&txn, &current, article::ActiveModel { updated_at: Set(now), ..Default::default() }).await?;
    let saved = find_any(&txn, id).await?;
    let change = Change {
        entity: Entity::Article,
        id,
        action: Action::RelatedChanged,
        version: Some(saved.version),
        slug: Some(&saved.slug),
    };
    sync::record(&txn, change, now).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Curated ids per article, in the editor's order.
pub async fn curated_ids(
    db: &impl ConnectionTrait,
    article_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    let rows = article_related::Entity::find()
        .filter(article_related::Column::ArticleId.is_in(article_ids.iter().copied()))
        .order_by_asc(article_related::Column::Position)
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for r in rows {
        out.entry(r.article_id).or_default().push(r.related_id);
    }
    Ok(out)
}

/// Why a story is in a related list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Chosen by an editor.
    Curated,
    /// Picked automatically for the tags it shares.
    SharedTags,
    /// Picked automatically from the same section (no tag in common).
    SameSection,
}

#[derive(Debug, Clone)]
pub struct RelatedItem {
    pub article: Article,
    pub reason: Reason,
    /// Curated items score 0; automatic ones see [`score`].
    pub score: f64,
    pub shared_tag_ids: Vec<Uuid>,
}

pub const MAX_RELATED: usize = 20;

/// Checks a requested list length; `arg` names it for the client.
pub fn list_size(n: i32, arg: &str) -> AppResult<usize> {
    usize::try_from(n)
        .ok()
        .filter(|n| *n <= MAX_RELATED)
        .ok_or_else(|| crate::error::AppError::field(arg, format!("must be between 0 and {MAX_RELATED}")))
}
/// How many of the newest stories per tag are considered.
pub const PER_TAG_POOL: i64 = 150;
/// What a shared section adds to a candidate's score.
pub const SECTION_BONUS: f64 = 0.5;

/// How rare a tag is: `ln(1 + N / df)`, where N counts articles and df
/// those carrying the tag. A tag on half the archive weighs ln 3 ≈ 1.1; one
/// on 10 of 100,000 stories weighs ln 10,001 ≈ 9.2.
pub fn tag_weight(total_articles: u64, with_tag: u64) -> f64 {
    if with_tag == 0 {
        return 0.0;
    }
    (1.0 + total_articles as f64 / with_tag as f64).ln()
}

/// Placeholders for raw SQL: `$n` on PostgreSQL, `?` elsewhere.
struct Params {
    backend: DatabaseBackend,
    values: Vec<sea_orm::Value>,
}

impl Params {
    fn push(&mut self, v: impl Into<sea_orm::Value>) -> String {
        self.values.push(v.into());
        match self.backend {
            DatabaseBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }

    fn list<T: Into<sea_orm::Value> + Copy>(&mut self, items: &[T]) -> String {
        items.iter().map(|i| self.push(*i)).collect::<Vec<_>>().join(", ")
    }
}

#[derive(Debug, FromQueryResult)]
struct Filled {
    src: Uuid,
    cand: Uuid,
}

#[derive(Debug, FromQueryResult)]
struct Ranked {
    src: Uuid,
    cand: Uuid,
    score: f64,
}

/// Related lists for many articles at once, in a fixed number of statements.
///
/// Each list is the editor's curated stories (those a reader can see, in
/// the editor's order), then automatic picks until `k` items: every other
/// visible story sharing a tag with the source, scored
///
/// `score = Σ tag_weight(shared tag) + SECTION_BONUS · [same section]`
///
/// ties going to the newer story. Candidates are the newest PER_TAG_POOL
/// stories of each of the source's tags. Stories sharing no tag fill remaining
/// places from the same section, newest first. Computed at read time in the
/// database, so any change to tags, sections, curated links or status shows
/// on the next read; nothing is cached that could go stale.
pub async fn for_articles(
    db: &impl ConnectionTrait,
    sources: &[Article],
    k: usize,
    now: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, Vec<RelatedItem>>> {
    let mut out: HashMap<Uuid, Vec<RelatedItem>> = HashMap::new();
    if sources.is_empty() || k == 0 {
        return Ok(out);
    }
    let k = k.min(MAX_RELATED);
    let ids: Vec<Uuid> = sources.iter().map(|a| a.id).collect();
    let backend = db.get_database_backend();

    // 1. Curated, kept only where the reader can see them.
    let curated = curated_ids(db, &ids).await?;
    let curated_all: Vec<Uuid> = curated.values().flatten().copied().collect();
    let visible: HashMap<Uuid, Article> =
        crate::domain::articles::find_many(db, Audience::Public, now, &curated_all)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();

    // 2. Tag weights from how many articles carry each of the sources' tags.
    let source_tags = crate::domain::taxonomy::tags_by_article(db, &ids).await?;
    let tag_ids: Vec<Uuid> =
        source_tags.values().flatten().map(|t| t.id).collect::<HashSet<_>>().into_iter().collect();
    let total = crate::domain::count::rows(db, article::Entity::find()).await?;
    let mut weights: Vec<(Uuid, f64)> = Vec::new();
    if !tag_ids.is_empty() {
        let df: Vec<(Uuid, i64)> = article_tag::Entity::find()
            .select_only()
            .column(article_tag::Column::TagId)
            .column_as(article_tag::Column::ArticleId.count(), "n")
            .filter(article_tag::Column::TagId.is_in(tag_ids.clone()))
            .group_by(article_tag::Column::TagId)
            .into_tuple()
            .all(db)
            .await?;
        weights =
            df.into_iter().map(|(t, n)| (t, tag_weight(total, u64::try_from(n).unwrap_or(0)))).collect();
    }

    // 3. Rank tag-sharing candidates for every source in one statement;
    // enough per source to survive dropping curated ones and duplicates.
    let pool = k + MAX_RELATED;
    let mut ranked: Vec<Ranked> = Vec::new();
    if !weights.is_empty() {
        // Values are pushed in the order their placeholders appear in the
        // text, since `?` binds by position.
        let mut p = Params { backend, values: Vec::new() };
        // Each source's section, by source id, so candidates need no join
        // back to their source row.
        let mut source_section = String::from("CASE m.src");
        for s in sources {
            let (sp, secp) = (p.push(s.id), p.push(s.section_id));
            source_section.push_str(&format!(" WHEN {sp} THEN {secp}"));
        }
        source_section.push_str(" END");
        let section_bonus = p.push(SECTION_BONUS);
        let mut case = String::from("CASE c.tag_id");
        for (t, w) in &weights {
            let (tp, wp) = (p.push(*t), p.push(*w));
            case.push_str(&format!(" WHEN {tp} THEN {wp}"));
        }
        case.push_str(" ELSE 0.0 END");
        // Candidates per tag: its newest PER_TAG_POOL stories (ids are
        // time-ordered), read backwards along (tag_id, article_id), so the
        // cost is bounded whatever the size of the archive.
        let per_tag: Vec<String> = weights
            .iter()
            .enumerate()
            .map(|(i, (t, _))| {
                let tp = p.push(*t);
                format!(
                    "SELECT * FROM (SELECT tag_id, article_id FROM article_tag WHERE tag_id = {tp} \
                     ORDER BY article_id DESC LIMIT {PER_TAG_POOL}) AS t{i}"
                )
            })
            .collect();
        let candidates = per_tag.join(" UNION ALL ");
        // CROSS JOIN (conditions in WHERE) keeps SQLite's planner from
        // scanning every visible article first: the few hundred candidates
        // lead and each is looked up by id. Other backends plan it alike.
        let src_list = p.list(&ids);
        let published = p.push(Status::Published.as_str());
        let now_p = p.push(now);
        let pool_p = p.push(i64::try_from(pool).unwrap_or(40));
        let sql = format!(
            "SELECT src, cand, score FROM (
               SELECT src, cand, score,
                      ROW_NUMBER() OVER (PARTITION BY src ORDER BY score DESC, newest DESC, cand DESC) AS rn
               FROM (
                 SELECT m.src, m.cand, a.published_at AS newest,
                        m.tag_score + CASE WHEN a.section_id = {source_section} THEN {section_bonus} ELSE 0.0 END AS score
                 FROM (
                   SELECT st.article_id AS src, c.article_id AS cand, SUM({case}) AS tag_score
                   FROM article_tag st
                   JOIN ({candidates}) c ON c.tag_id = st.tag_id AND c.article_id <> st.article_id
                   WHERE st.article_id IN ({src_list})
                   GROUP BY st.article_id, c.article_id
                 ) m
                 CROSS JOIN article a
                 WHERE a.id = m.cand AND a.status = {published} AND a.published_at <= {now_p}
               ) scored
             ) ranked WHERE rn <= {pool_p}"
        );
        ranked =
            Ranked::find_by_statement(Statement::from_sql_and_values(backend, sql, p.values)).all(db).await?;
    }

    // 4. Same-section fill for sources still short, newest first.
    let mut by_src: HashMap<Uuid, Vec<(Uuid, f64, Reason)>> = HashMap::new();
    for r in ranked {
        by_src.entry(r.src).or_default().push((r.cand, r.score, Reason::SharedTags));
    }
    let short: Vec<&Article> = sources
        .iter()
        .filter(|s| s.section_id.is_some() && by_src.get(&s.id).map_or(0, Vec::len) < pool)
        .collect();
    if !short.is_empty() {
        let mut p = Params { backend, values: Vec::new() };
        let parts: Vec<String> = short
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (src, sec, own) = (p.push(s.id), p.push(s.section_id), p.push(s.id));
                let (published, now_p) = (p.push(Status::Published.as_str()), p.push(now));
                let lim = p.push(i64::try_from(pool).unwrap_or(40));
                format!(
                    "SELECT * FROM (SELECT {src} AS src, id AS cand FROM article
                       WHERE section_id = {sec} AND id <> {own} AND status = {published} AND published_at <= {now_p}
                       ORDER BY published_at DESC, id DESC LIMIT {lim}) AS s{i}"
                )
            })
            .collect();
        let sql = parts.join(" UNION ALL ");
        for r in
            Filled::find_by_statement(Statement::from_sql_and_values(backend, sql, p.values)).all(db).await?
        {
            let list = by_src.entry(r.src).or_default();
            if !list.iter().any(|(c, _, _)| *c == r.cand) {
                list.push((r.cand, SECTION_BONUS, Reason::SameSection));
            }
        }
    }

    // 5. Load the picked articles and their tags, then assemble in order.
    let picked: Vec<Uuid> =
        by_src.values().flatten().map(|(c, _, _)| *c).collect::<HashSet<_>>().into_iter().collect();
    let mut articles: HashMap<Uuid, Article> =
        crate::domain::articles::find_many(db, Audience::Public, now, &picked)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
    articles.extend(visible);
    let cand_tags = crate::domain::taxonomy::tags_by_article(db, &picked).await?;
    for s in sources {
        let mut list: Vec<RelatedItem> = Vec::with_capacity(k);
        let mut seen: HashSet<Uuid> = HashSet::from([s.id]);
        for c in curated.get(&s.id).into_iter().flatten() {
            if let Some(a) = articles.get(c)
                && seen.insert(*c)
            {
                list.push(RelatedItem {
                    article: a.clone(),
                    reason: Reason::Curated,
                    score: 0.0,
                    shared_tag_ids: Vec::new(),
                });
            }
        }
        let own: HashSet<Uuid> = source_tags.get(&s.id).into_iter().flatten().map(|t| t.id).collect();
        for (c, score, reason) in by_src.remove(&s.id).unwrap_or_default() {
            if list.len() >= k {
                break;
            }
            let Some(a) = articles.get(&c) else { continue };
            if !seen.insert(c) {
                continue;
            }
            let shared =
                cand_tags.get(&c).into_iter().flatten().map(|t| t.id).filter(|t| own.contains(t)).collect();
            list.push(RelatedItem { article: a.clone(), reason, score, shared_tag_ids: shared });
        }
        list.truncate(k);
        out.insert(s.id, list);
    }
    Ok(out)
}
