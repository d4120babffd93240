//! The README runs: every shell example in it, in order, pasted into one
//! bash session against a fresh demo server, as a reader would. Only a
//! block the README marks `<!-- not run: why -->` on the line before its
//! fence is left out (the commands that start a server, build or run the
//! tests themselves).
//!
//! The session stands in for the reader's machine (on the embedded
//! default, SQLite, whichever database the rest of the suite uses): `localhost:8080` is the
//! test's server, `localhost:9000` a webhook receiver the test started,
//! `dateline …` and `cargo run … -- …` the binary under test on the
//! server's database. Each block must then run without a failed command
//! and without an HTTP status of 400 or more, unless a comment in the block
//! names that status (`# 404 …`); GraphQL answers carry no `errors` unless
//! a comment says `errors`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::TestApp;
use crate::common::receiver::Receiver;
use std::fmt::Write as _;

struct Block {
    line: usize,
    text: String,
}

/// The ```sh blocks of `readme`, with the line each starts on.
fn shell_blocks(readme: &str) -> (Vec<Block>, usize) {
    let mut blocks = Vec::new();
    let mut skipped = 0;
    let mut lines = readme.lines().enumerate().peekable();
    let mut previous = "";
    while let Some((i, line)) = lines.next() {
        if line.trim_start().starts_with("```") && line.trim() != "```" {
            let runnable = line.trim() == "```sh";
            let not_run = previous.trim_start().starts_with("<!-- not run");
            let mut text = String::new();
            for (_, l) in lines.by_ref() {
                if l.trim_start().starts_with("```") {
                    break;
                }
                text.push_str(l);
                text.push('\n');
            }
            if runnable && not_run {
                skipped += 1;
            } else if runnable {
                blocks.push(Block { line: i + 1, text });
            }
            previous = "";
            continue;
        }
        previous = line;
    }
    (blocks, skipped)
}

/// HTTP statuses of 400 or more a block's comments say it shows.
fn expected_statuses(text: &str) -> Vec<u16> {
    text.lines()
        .filter_map(|l| l.split_once(" #").map(|(_, c)| c).or_else(|| l.trim_start().strip_prefix('#')))
        .flat_map(|c| {
            c.split(|ch: char| !ch.is_ascii_digit()).filter_map(|n| n.parse::<u16>().ok()).collect::<Vec<_>>()
        })
        .filter(|n| (400..600).contains(n))
        .collect()
}

#[actix_web::test]
async fn every_shell_example_in_the_readme_runs() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let (blocks, skipped) = shell_blocks(&readme);
    assert!(blocks.len() >= 15, "only {} shell examples found", blocks.len());
    assert!(skipped <= 12, "{skipped} blocks are marked not run");

    let receiver = Receiver::start();
    // The README's reader runs the embedded default, whatever database the
    // rest of the suite is on.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("dateline.db").display());
    let app = TestApp::spawn_with(url, Some(dir), |c| {
        c.webhooks.webhooks_allow_private = true;
        c.http.rate_limit_per_second = 50;
    })
    .await;
    api::fixtures::demo::load_if_empty(&app.state.db, app.state.clock.now()).await.unwrap();
    let server = app.addr.trim_start_matches("http://").to_owned();
    let hooks = receiver.url.trim_start_matches("http://").split('/').next().unwrap().to_owned();
    let home = tempfile::tempdir().unwrap();

    let mut script = String::from(
        "trap 'echo \"@@exit $? at line $LINENO\" >&2' ERR\n\
         dateline() { \"$DATELINE_BIN\" \"$@\"; }\n\
         cargo() {\n\
           if [ \"$1\" = run ]; then while [ $# -gt 0 ] && [ \"$1\" != -- ]; do shift; done; shift; dateline \"$@\";\n\
           else echo \"cargo $*: not for this test\" >&2; return 1; fi\n\
         }\n\
         curl() { command curl --write-out '%{stderr}@@http %{http_code}\\n' \"$@\"; }\n",
    );
    for (i, b) in blocks.iter().enumerate() {
        let text = b.text.replace("localhost:8080", &server).replace("localhost:9000", &hooks);
        let _ = write!(script, "echo '@@block {i}'; echo '@@block {i}' >&2\n{text}\necho\n");
    }
    // Off the test's thread, which serves the app the script talks to.
    let mut bash = std::process::Command::new("timeout");
    bash.args(["180", "bash", "-c", &script])
        .current_dir(home.path())
        .env("DATELINE_BIN", env!("CARGO_BIN_EXE_dateline"))
        .env("DATABASE_URL", &app.state.config.db.database_url)
        .env_remove("RUST_LOG");
    let out = tokio::task::spawn_blocking(move || bash.output()).await.unwrap().unwrap();
    assert_ne!(out.status.code(), Some(124), "the README ran for 3 minutes");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();

    let part = |all: &str, i: usize| -> String {
        let start = format!("@@block {i}\n");
        let from = all.find(&start).map(|p| p + start.len());
        let Some(from) = from else { return String::new() };
        let end = all[from..].find(&format!("@@block {}\n", i + 1)).map_or(all.len(), |p| from + p);
        all[from..end].to_owned()
    };
    let mut problems = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        let (said, logged) = (part(&stdout, i), part(&stderr, i));
        // Each status a comment names stands for one answer; no answer at
        // all (curl could not connect) is a status of 0.
        let mut allowed = expected_statuses(&b.text);
        for l in logged.lines().filter_map(|l| l.strip_prefix("@@http ")) {
            let status: u16 = l.trim().parse().unwrap_or(0);
            if status != 0 && status < 400 {
                continue;
            }
            match allowed.iter().position(|a| *a == status) {
                Some(i) => {
                    allowed.swap_remove(i);
                }
                None => problems.push(format!("README line {}: HTTP {status}", b.line)),
            }
        }
        let streams = b.text.contains("--max-time") || b.text.contains(" -m ");
        for l in logged.lines().filter(|l| l.starts_with("@@exit ")) {
            if !(streams && l.starts_with("@@exit 28 ")) {
                problems.push(format!("README line {}: {l}", b.line));
            }
        }
        if said.contains("\"errors\":[") && !b.text.contains("errors") {
            problems.push(format!("README line {}: a GraphQL answer with errors", b.line));
        }
        if !problems.is_empty() && problems.iter().any(|p| p.starts_with(&format!("README line {}:", b.line)))
        {
            problems.push(format!(
                "  the block:\n{}\n  its output:\n{}\n  its stderr:\n{}",
                b.text,
                said.chars().take(1500).collect::<String>(),
                logged.chars().take(1500).collect::<String>()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // The webhook example's endpoint hears from Dateline.
    let sent = app.deliver_webhooks().await;
    assert!(sent > 0, "no webhook delivery was due");
    assert!(!receiver.received().is_empty(), "the receiver heard nothing");
}
