//! Logging setup: human-readable by default, JSON lines for log shippers.
//! Log lines and the commands' progress bars share the terminal: a line is
//! written with the bars lifted out of the way, so it lands above them
//! rather than through them.

use indicatif::{MultiProgress, ProgressBar};
use std::io::{IsTerminal, Write};
use std::sync::OnceLock;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

fn bars() -> &'static MultiProgress {
    static BARS: OnceLock<MultiProgress> = OnceLock::new();
    BARS.get_or_init(MultiProgress::new)
}

/// A progress bar drawn on stderr below the log lines.
pub fn progress_bar(len: u64) -> ProgressBar {
    bars().add(ProgressBar::new(len))
}

/// Colour for a person at a terminal, unless NO_COLOR (https://no-color.org)
/// asks for none; never into a file or a log shipper.
fn colour(json: bool) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !json && !no_color && std::io::stderr().is_terminal()
}

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        // The metrics middleware warns on every answer the read cache gives
        // before routing (it cannot fill the route's parameters in), which
        // says nothing wrong: only its errors are kept.
        .unwrap_or_else(|_| {
            EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn,actix_web_prom=error")
        });
    // Logs go to stderr so that what a command prints on stdout (a new API
    // key, `export -`, `print-schema`) is exactly its answer, whatever a slow
    // statement logs meanwhile.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(AboveBars)
        .with_ansi(colour(json));
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}

/// Writes each log event to stderr whole, with any progress bars hidden
/// while it is written.
struct AboveBars;

impl<'a> MakeWriter<'a> for AboveBars {
    type Writer = Line;

    fn make_writer(&'a self) -> Self::Writer {
        Line(Vec::with_capacity(256))
    }
}

/// One event, buffered until the formatter is done with it.
struct Line(Vec<u8>);

impl Write for Line {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        let line = std::mem::take(&mut self.0);
        bars().suspend(|| {
            let _ = std::io::stderr().lock().write_all(&line);
        });
    }
}
