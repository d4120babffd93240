//! The `dateline` command as an operator meets it: help that lists each
//! command's own options and never a secret, a bad address refused before
//! the database is touched, NO_COLOR, quiet seeding, and backups.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Story, TestApp, t0};
use chrono::TimeDelta;
use std::process::{Command, Output};

fn dateline(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dateline"));
    c.args(args).env_remove("DATABASE_URL").env_remove("RUST_LOG");
    c
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn help_shows_each_command_its_own_options_and_never_a_secret() {
    let secrets = [
        ("DATABASE_URL", "postgres://news:db-pass-1234@db.internal/news"),
        ("DATABASE_REPLICA_URLS", "postgres://news:replica-pass-1234@replica.internal/news"),
        ("DATELINE_SSO_SECRET", "sso-secret-value-that-is-32-bytes-long"),
        ("DATELINE_REDIS_URL", "redis://:redis-pass-1234@cache.internal/0"),
        ("DATELINE_PURGE_URL", "https://purge.internal/?token=purge-token-1234"),
        ("DATELINE_PURGE_HEADERS", "Authorization: Bearer purge-header-1234"),
    ];
    let help = |args: &[&str]| {
        let mut c = dateline(args);
        for (k, v) in secrets {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        let shown = text(&out);
        for (k, v) in secrets {
            for part in ["pass-1234", "secret-value", "token-1234", "header-1234"] {
                assert!(!(v.contains(part) && shown.contains(part)), "{args:?} shows {k}: {shown}");
            }
        }
        shown
    };
    let top = help(&["--help"]);
    assert!(top.contains("serve") && top.contains("backup") && top.contains("--database-url"), "{top}");
    assert!(!top.contains("--bind"), "server options belong to serve: {top}");
    let serve = help(&["serve", "--help"]);
    for flag in ["--bind", "--rate-limit-per-second", "--example-page", "--database-url", "--sso-secret"] {
        assert!(serve.contains(flag), "serve --help lacks {flag}");
    }
    let keys = help(&["keys", "create", "--help"]);
    assert!(
        keys.contains("--scope") && keys.contains("--rate-limit") && keys.contains("--database-url"),
        "{keys}"
    );
    for flag in ["--bind", "--rate-limit-per-second", "--read-cache-mb", "--webhooks-poll-ms"] {
        assert!(!keys.contains(flag), "keys create --help lists {flag}: {keys}");
    }
    assert!(keys.lines().count() < 40, "keys create --help is {} lines", keys.lines().count());
    for command in
        [&["migrate", "--help"][..], &["backup", "--help"], &["import", "--help"], &["seed", "--help"]]
    {
        let h = help(command);
        assert!(!h.contains("--bind"), "{command:?} lists --bind");
    }
}

#[test]
fn a_bad_address_is_refused_before_the_database_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("never.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let out = dateline(&["--database-url", &url, "serve", "--bind", "no-port-here"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("--bind"), "{}", text(&out));
    assert!(!db.exists(), "the database was created");

    // A port someone else holds: refused at start, still before the database.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = dateline(&["--database-url", &url, "serve", "--bind", &addr]).output().unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains(&addr), "{}", text(&out));
    assert!(!db.exists(), "the database was created");
}

/// Runs `args` on a pseudo-terminal (util-linux `script`), so that the
/// logger believes a person is reading.
fn on_a_terminal(args: &[&str], no_color: bool) -> String {
    let line = std::iter::once(env!("CARGO_BIN_EXE_dateline"))
        .chain(args.iter().copied())
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut c = Command::new("script");
    c.args(["-qec", &line, "/dev/null"]).env("RUST_LOG", "info").env_remove("NO_COLOR");
    if no_color {
        c.env("NO_COLOR", "1");
    }
    text(&c.output().expect("util-linux script"))
}

#[test]
fn no_color_is_honoured_at_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let url = |name: &str| format!("sqlite://{}?mode=rwc", dir.path().join(name).display());
    // A log line at a terminal is coloured, unless NO_COLOR says otherwise.
    // (Each on a new database, so that the migrations log.)
    let coloured = on_a_terminal(&["--database-url", &url("a.db"), "migrate"], false);
    assert!(coloured.contains("\u{1b}["), "no colour at a terminal: {coloured:?}");
    let plain = on_a_terminal(&["--database-url", &url("b.db"), "migrate"], true);
    assert!(plain.contains("INFO") && !plain.contains("\u{1b}["), "colour despite NO_COLOR: {plain:?}");
}

#[test]
fn seeding_logs_no_slow_statement_warnings_for_its_own_bulk_writes() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("seed.db").display());
    let out = dateline(&[
        "--database-url",
        &url,
        "--slow-sql-ms",
        "0",
        "seed",
        "--articles",
        "300",
        "--comments",
        "600",
    ])
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("slow SQL"), "{}", text(&out));
    // The same threshold on a server does log (the setting works).
    let out =
        dateline(&["--database-url", &url, "--slow-sql-ms", "0", "comments", "recount"]).output().unwrap();
    assert!(text(&out).contains("slow SQL"), "{}", text(&out));
}

#[actix_web::test]
async fn backup_copies_a_live_sqlite_database_and_names_the_tools_of_the_others() {
    let app = TestApp::spawn().await;
    let url = app.state.config.db.database_url.clone();
    if !url.starts_with("sqlite:") {
        let out = dateline(&["--database-url", &url, "backup", "/tmp/never-written.db"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let tool = if url.starts_with("postgres") { "pg_dump" } else { "mariadb-dump" };
        assert!(text(&out).contains(tool), "{}", text(&out));
        return;
    }
    for i in 0..5 {
        app.story(&format!("kept-{i}"), "Kept", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.db");
    let path = file.to_str().unwrap().to_owned();
    // The server keeps serving (and writing) while the copy is made.
    let copying = tokio::task::spawn_blocking({
        let url = url.clone();
        let path = path.clone();
        move || dateline(&["--database-url", &url, "backup", &path]).output().unwrap()
    });
    for i in 5..10 {
        app.story(&format!("kept-{i}"), "Kept", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    }
    let out = copying.await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("backed up"), "{}", text(&out));

    // The copy is a whole Dateline database: another server serves it.
    let copy = TestApp::spawn_on(format!("sqlite://{path}?mode=rw"), None).await;
    let (_, list) = copy.get_json("/v1/articles?limit=50").await;
    let n = list["items"].as_array().unwrap().len();
    assert!((5..=10).contains(&n), "{n} stories in the copy");

    let again = dateline(&["--database-url", &url, "backup", &path]).output().unwrap();
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(text(&again).contains("exists"), "{}", text(&again));
}
