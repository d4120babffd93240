//! Scoring automatic picks. Runs off the read path (the refresher), and on
//! a read only for a list a write has just made stale.
//!
//! Candidates are every other published story sharing a tag with the
//! source, scored
//!
//! `score = Σ tag_weight(shared tag) + SECTION_BONUS · [same section]`
//!
//! ties going to the newer story. Candidates are the newest PER_TAG_POOL
//! stories of each of the source's tags, so the cost is bounded whatever
//! the size of the archive. Stories sharing no tag fill remaining places
//! from the same section, newest first. Scheduled stories are ranked too;
//! reads show them once their time has come.

use super::{MAX_RELATED, Reason, curated_ids};
use crate::domain::articles::Status;
use crate::domain::sql::Params;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::{article, article_tag};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

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

/// One automatic pick, before it is joined to the story it names.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    pub related_id: Uuid,
    pub reason: Reason,
    pub score: f64,
    pub shared_tag_ids: Vec<Uuid>,
    pub published_at: Option<DateTime<Utc>>,
}

#[derive(Debug, FromQueryResult)]
struct Ranked {
    src: Uuid,
    cand: Uuid,
    score: f64,
}

#[derive(Debug, FromQueryResult)]
struct Filled {
    src: Uuid,
    cand: Uuid,
}

/// What the database returned for one source, in rank order.
#[derive(Debug, Default)]
pub struct Candidates {
    /// (candidate, score), best first.
    pub by_tags: Vec<(Uuid, f64)>,
    /// Same-section stories, newest first.
    pub by_section: Vec<Uuid>,
}

/// The stored list: tag picks then section fill, without the source, its
/// curated stories or repeats, at most MAX_RELATED.
pub fn choose(source: Uuid, curated: &[Uuid], c: Candidates) -> Vec<(Uuid, Reason, f64)> {
    let mut seen: HashSet<Uuid> = curated.iter().copied().collect();
    seen.insert(source);
    let tagged = c.by_tags.into_iter().map(|(id, s)| (id, Reason::SharedTags, s));
    let section = c.by_section.into_iter().map(|id| (id, Reason::SameSection, SECTION_BONUS));
    tagged.chain(section).filter(|(id, _, _)| seen.insert(*id)).take(MAX_RELATED).collect()
}

/// Ranks the picks of each source, in a fixed number of statements.
pub async fn rank(db: &impl ConnectionTrait, sources: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<Pick>>> {
    if sources.is_empty() {
        return Ok(HashMap::new());
    }
    let sections: HashMap<Uuid, Option<Uuid>> = article::Entity::find()
        .select_only()
        .columns([article::Column::Id, article::Column::SectionId])
        .filter(article::Column::Id.is_in(sources.iter().copied()))
        .into_tuple::<(Uuid, Option<Uuid>)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let curated = curated_ids(db, sources).await?;
    let source_tags = tag_ids_by_article(db, sources).await?;
    let tag_ids: Vec<Uuid> =
        source_tags.values().flatten().copied().collect::<HashSet<_>>().into_iter().collect();
    let mut found = by_tags(db, &sections, &weights(db, &tag_ids).await?).await?;
    fill_from_sections(db, &sections, &curated, &mut found).await?;
    let chosen: HashMap<Uuid, Vec<(Uuid, Reason, f64)>> = sources
        .iter()
        .map(|s| {
            let c = found.remove(s).unwrap_or_default();
            (*s, choose(*s, curated.get(s).map_or(&[][..], Vec::as_slice), c))
        })
        .collect();
    describe(db, chosen, &source_tags).await
}

/// Candidates a source's list may draw from: enough per source to survive
/// dropping curated ones and repeats.
fn pool() -> i64 {
    i64::try_from(MAX_RELATED + super::MAX_CURATED).unwrap_or(40)
}

/// Each source's best candidates by the weight of the tags they share (and
/// a bonus for its section), in one statement for all sources.
async fn by_tags(
    db: &impl ConnectionTrait,
    sections: &HashMap<Uuid, Option<Uuid>>,
    weights: &[(Uuid, f64)],
) -> AppResult<HashMap<Uuid, Candidates>> {
    let mut found: HashMap<Uuid, Candidates> = HashMap::new();
    if weights.is_empty() {
        return Ok(found);
    }
    let mut p = Params::new(db.get_database_backend());
    // Each source's section, by source id, so candidates need no join
    // back to their source row.
    let mut source_section = String::from("CASE m.src");
    for (id, section) in sections {
        let (sp, secp) = (p.push(*id), p.push(*section));
        source_section.push_str(&format!(" WHEN {sp} THEN {secp}"));
    }
    source_section.push_str(" END");
    let bonus = p.push(SECTION_BONUS);
    let mut case = String::from("CASE c.tag_id");
    for (t, w) in weights {
        let (tp, wp) = (p.push(*t), p.push(*w));
        case.push_str(&format!(" WHEN {tp} THEN {wp}"));
    }
    case.push_str(" ELSE 0.0 END");
    // Per tag, its newest stories (ids are time-ordered), read backwards
    // along (tag_id, article_id).
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
    let src_list = p.list(&sections.keys().copied().collect::<Vec<_>>());
    let published_p = p.push(Status::Published.as_str());
    let pool_p = p.push(pool());
    // CROSS JOIN (conditions in WHERE) keeps SQLite's planner from
    // scanning every published article first: the few hundred
    // candidates lead and each is looked up by id.
    let sql = format!(
        "SELECT src, cand, score FROM (
           SELECT src, cand, score,
                  ROW_NUMBER() OVER (PARTITION BY src ORDER BY score DESC, newest DESC, cand DESC) AS rn
           FROM (
             SELECT m.src, m.cand, a.published_at AS newest,
                    m.tag_score + CASE WHEN a.section_id = {source_section} THEN {bonus} ELSE 0.0 END AS score
             FROM (
               SELECT st.article_id AS src, c.article_id AS cand, SUM({case}) AS tag_score
               FROM article_tag st
               JOIN ({candidates}) c ON c.tag_id = st.tag_id AND c.article_id <> st.article_id
               WHERE st.article_id IN ({src_list})
               GROUP BY st.article_id, c.article_id
             ) m
             CROSS JOIN article a
             WHERE a.id = m.cand AND a.status = {published_p}
           ) scored
         ) ranked WHERE rn <= {pool_p} ORDER BY src, rn"
    );
    for r in Ranked::find_by_statement(p.statement(sql)).all(db).await? {
        found.entry(r.src).or_default().by_tags.push((r.cand, r.score));
    }
    Ok(found)
}

/// For sources still short of a full list, the newest stories of their
/// section.
async fn fill_from_sections(
    db: &impl ConnectionTrait,
    sections: &HashMap<Uuid, Option<Uuid>>,
    curated: &HashMap<Uuid, Vec<Uuid>>,
    found: &mut HashMap<Uuid, Candidates>,
) -> AppResult<()> {
    let short: Vec<(Uuid, Uuid)> = sections
        .iter()
        .filter_map(|(id, sec)| sec.map(|s| (*id, s)))
        .filter(|(id, _)| {
            let have = found.get(id).map_or(0, |c| c.by_tags.len());
            let curated = curated.get(id).map_or(0, Vec::len);
            have < MAX_RELATED + curated
        })
        .collect();
    if short.is_empty() {
        return Ok(());
    }
    let mut p = Params::new(db.get_database_backend());
    let pool = pool();
    let parts: Vec<String> = short
        .iter()
        .enumerate()
        .map(|(i, (src, sec))| {
            let (src_p, sec_p, own) = (p.push(*src), p.push(*sec), p.push(*src));
            let published_p = p.push(Status::Published.as_str());
            format!(
                "SELECT * FROM (SELECT {src_p} AS src, id AS cand FROM article
                   WHERE section_id = {sec_p} AND id <> {own} AND status = {published_p}
                   ORDER BY published_at DESC, id DESC LIMIT {pool}) AS s{i}"
            )
        })
        .collect();
    for r in Filled::find_by_statement(p.statement(parts.join(" UNION ALL "))).all(db).await? {
        found.entry(r.src).or_default().by_section.push(r.cand);
    }
    Ok(())
}

/// The chosen lists as stored picks: with the tags each pick shares with
/// its source and its publication date.
async fn describe(
    db: &impl ConnectionTrait,
    chosen: HashMap<Uuid, Vec<(Uuid, Reason, f64)>>,
    source_tags: &HashMap<Uuid, Vec<Uuid>>,
) -> AppResult<HashMap<Uuid, Vec<Pick>>> {
    let picked: Vec<Uuid> =
        chosen.values().flatten().map(|(c, _, _)| *c).collect::<HashSet<_>>().into_iter().collect();
    let cand_tags = tag_ids_by_article(db, &picked).await?;
    let published_at: HashMap<Uuid, Option<DateTime<Utc>>> = article::Entity::find()
        .select_only()
        .columns([article::Column::Id, article::Column::PublishedAt])
        .filter(article::Column::Id.is_in(picked.iter().copied()))
        .into_tuple::<(Uuid, Option<DateTime<Utc>>)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut out = HashMap::new();
    for (src, list) in chosen {
        let own: HashSet<Uuid> = source_tags.get(&src).into_iter().flatten().copied().collect();
        let picks = list
            .into_iter()
            .map(|(related_id, reason, score)| Pick {
                related_id,
                reason,
                score,
                shared_tag_ids: cand_tags
                    .get(&related_id)
                    .into_iter()
                    .flatten()
                    .filter(|t| own.contains(t))
                    .copied()
                    .collect(),
                published_at: published_at.get(&related_id).copied().flatten(),
            })
            .collect();
        out.insert(src, picks);
    }
    Ok(out)
}

/// Tag ids per article, in the article's order.
async fn tag_ids_by_article(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(Uuid, Uuid)> = article_tag::Entity::find()
        .select_only()
        .columns([article_tag::Column::ArticleId, article_tag::Column::TagId])
        .filter(article_tag::Column::ArticleId.is_in(ids.iter().copied()))
        .order_by_asc(article_tag::Column::Position)
        .into_tuple()
        .all(db)
        .await?;
    for (a, t) in rows {
        out.entry(a).or_default().push(t);
    }
    Ok(out)
}

/// Each tag's weight, from how many stories carry it among all stories.
async fn weights(db: &impl ConnectionTrait, tag_ids: &[Uuid]) -> AppResult<Vec<(Uuid, f64)>> {
    if tag_ids.is_empty() {
        return Ok(Vec::new());
    }
    let total = crate::domain::count::rows(db, article::Entity::find()).await?;
    let df: Vec<(Uuid, i64)> = article_tag::Entity::find()
        .select_only()
        .column(article_tag::Column::TagId)
        .column_as(article_tag::Column::ArticleId.count(), "n")
        .filter(article_tag::Column::TagId.is_in(tag_ids.iter().copied()))
        .group_by(article_tag::Column::TagId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(df.into_iter().map(|(t, n)| (t, tag_weight(total, u64::try_from(n).unwrap_or(0)))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_tags_weigh_more() {
        assert!(tag_weight(100_000, 10) > tag_weight(100_000, 50_000));
        assert!((tag_weight(100, 50) - 3f64.ln()).abs() < 1e-12);
        assert_eq!(tag_weight(100, 0), 0.0);
    }

    #[test]
    fn choice_skips_the_source_curated_stories_and_repeats_then_fills_from_the_section() {
        let ids: Vec<Uuid> = (0..5).map(|_| Uuid::now_v7()).collect();
        let (src, cur, a, b, s) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
        let c = Candidates { by_tags: vec![(cur, 9.0), (a, 3.0), (b, 1.0)], by_section: vec![a, src, s] };
        let got: Vec<(Uuid, Reason)> = choose(src, &[cur], c).into_iter().map(|(i, r, _)| (i, r)).collect();
        assert_eq!(got, [(a, Reason::SharedTags), (b, Reason::SharedTags), (s, Reason::SameSection)]);
    }

    #[test]
    fn choice_keeps_at_most_the_longest_list() {
        let src = Uuid::now_v7();
        let by_tags = (0..50).map(|i| (Uuid::now_v7(), f64::from(i))).collect();
        assert_eq!(choose(src, &[], Candidates { by_tags, by_section: vec![] }).len(), MAX_RELATED);
    }
}
