//! Article bodies: one canonical structured form (typed blocks with inline
//! spans) from which HTML and plain text are derived on write.

mod blocks;
mod html;
mod markdown;

pub use blocks::{Block, Mark, Span};
pub use html::sanitize_html;
pub use markdown::from_markdown;

use crate::error::AppResult;

/// Words per minute behind `readingTimeMinutes`: a common figure for adult
/// reading of news prose.
const WORDS_PER_MINUTE: i32 = 230;

/// Everything stored for a body, derived once on write.
pub struct RenderedBody {
    pub blocks_json: String,
    pub html: String,
    pub text: String,
    pub word_count: i32,
}

pub fn render(blocks: &[Block]) -> AppResult<RenderedBody> {
    let blocks = blocks::normalize(blocks);
    let text = blocks::to_text(&blocks);
    let word_count = i32::try_from(text.split_whitespace().count()).unwrap_or(i32::MAX);
    Ok(RenderedBody {
        blocks_json: serde_json::to_string(&blocks).map_err(crate::error::AppError::internal)?,
        html: html::to_html(&blocks),
        text,
        word_count,
    })
}

/// Parses stored blocks. A row that fails to parse renders as no blocks
/// rather than failing the whole page; HTML and text are still served.
pub fn parse_stored(json: &str) -> Vec<Block> {
    serde_json::from_str(json).unwrap_or_else(|err| {
        tracing::error!(%err, "stored body blocks do not parse");
        Vec::new()
    })
}

pub fn reading_time_minutes(word_count: i32) -> i32 {
    if word_count <= 0 { 0 } else { (word_count + WORDS_PER_MINUTE - 1) / WORDS_PER_MINUTE }
}
