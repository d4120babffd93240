//! The `dateline` binary: serve, migrate, print-schema, print-openapi, seed.

use api::clock::Clock;
use api::config::{Cli, Command, CommentsCommand, Config, KeysCommand, UsersCommand};
use api::domain::accounts::{Scope, api_keys};
use api::{fixtures, graphql, startup, telemetry};
use clap::Parser;
use std::net::TcpListener;
use std::process::ExitCode;

// A request allocates and frees many small objects (rows, values, response
// trees) across threads; mimalloc does that with less CPU and less
// fragmentation than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // mimalloc asks for huge pages on its arenas where the kernel offers
    // them on request, and each touched 2 MB page then counts whole: about
    // 15 MB of resident memory for no measured gain in throughput.
    #[cfg(target_os = "linux")]
    let _ = nix::sys::prctl::set_thp_disable(true);
    let cli = Cli::parse();
    if matches!(cli.command, Some(Command::PrintSchema)) {
        print!("{}", graphql::sdl());
        return ExitCode::SUCCESS;
    }
    if matches!(cli.command, Some(Command::PrintOpenapi)) {
        return match startup::openapi_pretty() {
            Ok(doc) => {
                print!("{doc}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("dateline: cannot render the OpenAPI document: {e}");
                ExitCode::FAILURE
            }
        };
    }
    telemetry::init(cli.config.log_json);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dateline: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            None | Some(Command::Serve) => serve(cli.config).await,
            Some(Command::Migrate) => {
                startup::prepare(cli.config, Clock::system()).await.map(|_| ()).map_err(|e| e.to_string())
            }
            Some(Command::Seed(args)) => seed(cli.config, args).await,
            Some(Command::Keys { command }) => keys(cli.config, command).await,
            Some(Command::Users { command }) => users(cli.config, command).await,
            Some(Command::Comments { command }) => comments(cli.config, command).await,
            Some(Command::Export { file }) => export(cli.config, file).await,
            Some(Command::Import { file }) => import(cli.config, file).await,
            Some(Command::PrintSchema | Command::PrintOpenapi) => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("dateline: {msg}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<(), String> {
    let demo = config.demo;
    let json_logs = config.log_json;
    let bind = config.bind.clone();
    let open_files = api::fd_limit::raise();
    let state = startup::prepare(config, Clock::system()).await.map_err(|e| e.to_string())?;
    if demo {
        let loaded = fixtures::demo::load_if_empty(&state.db, state.clock.now())
            .await
            .map_err(|e| format!("cannot load demo content: {e}"))?;
        if loaded {
            tracing::info!("loaded demo content into the empty database");
        }
    }
    if let Some((soft, hard)) = open_files {
        let streams = state.community.stream_slots.capacity();
        tracing::info!(
            soft,
            hard,
            live_streams = streams,
            "open files: soft and hard limits, and live streams allowed"
        );
    }
    let listener = TcpListener::bind(&bind).map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let server = startup::run(state, listener).map_err(|e| e.to_string())?;
    if json_logs {
        // The log stream stays one JSON object per line.
        tracing::info!(address = %format!("http://{addr}"), "Dateline is serving");
    } else {
        println!("Dateline is serving on http://{addr}");
        println!("  GraphiQL explorer: http://{addr}/graphql");
        println!("  REST:              http://{addr}/v1/articles");
        println!("  API docs:          http://{addr}/docs  (OpenAPI: /openapi.json)");
    }
    server.serve_until(startup::shutdown_signal()).await
}

async fn seed(config: Config, args: api::config::SeedArgs) -> Result<(), String> {
    let state = startup::prepare(config, Clock::system()).await.map_err(|e| e.to_string())?;
    let report = fixtures::seed::run(&state.db, &args, state.clock.now()).await.map_err(|e| e.to_string())?;
    println!("{report}");
    Ok(())
}

async fn keys(config: Config, command: KeysCommand) -> Result<(), String> {
    let state = startup::prepare(config, Clock::system()).await.map_err(|e| e.to_string())?;
    let now = state.clock.now();
    match command {
        KeysCommand::Create { name, scopes } => {
            let mut parsed = Vec::new();
            for s in &scopes {
                parsed.push(Scope::parse(s).ok_or_else(|| format!("unknown scope {s:?}"))?);
            }
            let (key, secret) =
                api_keys::create(&state.db, &name, &parsed, now).await.map_err(|e| e.to_string())?;
            println!("{secret}");
            eprintln!(
                "created key {} ({}) with scopes: {}; store it now, it is not shown again",
                key.id, key.name, key.scopes
            );
        }
        KeysCommand::List => {
            for k in api_keys::list(&state.db).await.map_err(|e| e.to_string())? {
                let state = if k.revoked_at.is_some() { "revoked" } else { "active" };
                println!("{}\t{}\t{}…\t{}\t{}", k.id, state, k.key_prefix, k.name, k.scopes);
            }
        }
        KeysCommand::Revoke { id } => {
            let id = uuid::Uuid::parse_str(&id).map_err(|_| format!("{id:?} is not a key id"))?;
            api_keys::revoke(&state.db, id, now).await.map_err(|e| e.to_string())?;
            println!("revoked {id}");
        }
    }
    Ok(())
}

async fn users(config: Config, command: UsersCommand) -> Result<(), String> {
    use api::domain::accounts::{Actor, Role, users};
    let state = startup::prepare(config, Clock::system()).await.map_err(|e| e.to_string())?;
    match command {
        UsersCommand::SetRole { email, role } => {
            let role = Role::parse(&role).ok_or_else(|| format!("unknown role {role:?}"))?;
            let user = users::by_email(&state.db, &email)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no account has the email {email:?}"))?;
            let u = users::set_role(&state.db, &Actor::system(), user.id, role, state.clock.now())
                .await
                .map_err(|e| e.to_string())?;
            println!("{} ({}) is now {}", u.email, u.id, u.role);
        }
    }
    Ok(())
}

async fn comments(config: Config, command: CommentsCommand) -> Result<(), String> {
    let state = startup::prepare(config, Clock::system()).await.map_err(|e| e.to_string())?;
    match command {
        CommentsCommand::Recount => {
            let repairs =
                api::domain::comments::recount::recount(&state.db).await.map_err(|e| e.to_string())?;
            for r in &repairs {
                println!("repaired {} of {}: {} -> {}", r.what, r.id, r.stored, r.actual);
            }
            println!("{} count(s) repaired", repairs.len());
        }
    }
    Ok(())
}

/// The CLI acts with every scope: whoever runs it holds the database.
fn operator() -> api::domain::accounts::Actor {
    use api::domain::accounts::{Actor, Scope};
    Actor::api_key(uuid::Uuid::nil(), Scope::ALL.to_vec())
}

async fn export(config: Config, file: std::path::PathBuf) -> Result<(), String> {
    use futures_util::StreamExt;
    use tokio::io::AsyncWriteExt;
    let state = startup::prepare(config, Clock::system()).await.map_err(|e| e.to_string())?;
    let to_stdout = file.as_os_str() == "-";
    let mut out: Box<dyn tokio::io::AsyncWrite + Unpin> = if to_stdout {
        Box::new(tokio::io::stdout())
    } else {
        Box::new(
            tokio::fs::File::create(&file)
                .await
                .map_err(|e| format!("cannot create {}: {e}", file.display()))?,
        )
    };
    let mut out = tokio::io::BufWriter::new(&mut out);
    let lines =
        api::domain::sync::archive::export(state.db.clone(), &operator()).map_err(|e| e.to_string())?;
    let mut lines = std::pin::pin!(lines);
    let mut n = 0u64;
    while let Some(line) = lines.next().await {
        let line = line.map_err(|e| e.to_string())?;
        out.write_all(line.as_bytes()).await.map_err(|e| e.to_string())?;
        n += 1;
    }
    out.flush().await.map_err(|e| e.to_string())?;
    if !to_stdout {
        println!("exported {n} stories to {}", file.display());
    }
    Ok(())
}

async fn import(config: Config, file: std::path::PathBuf) -> Result<(), String> {
    use api::domain::sync::import::{BATCH, Importer};
    use tokio::io::AsyncBufReadExt;
    let state = startup::prepare(config, Clock::system()).await.map_err(|e| e.to_string())?;
    let f = tokio::fs::File::open(&file).await.map_err(|e| format!("cannot open {}: {e}", file.display()))?;
    let size = f.metadata().await.map(|m| m.len()).unwrap_or(0);
    let bar = indicatif::ProgressBar::new(size).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut importer = Importer::new(&operator(), state.clock.now()).map_err(|e| e.to_string())?;
    let mut reader = tokio::io::BufReader::new(f).lines();
    let mut batch = Vec::with_capacity(BATCH);
    let mut n = 0usize;
    loop {
        let next = reader.next_line().await.map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let done = next.is_none();
        if let Some(line) = next {
            n += 1;
            bar.inc(line.len() as u64 + 1);
            if !line.trim().is_empty() {
                batch.push((n, line));
            }
        }
        if batch.len() >= BATCH || (done && !batch.is_empty()) {
            importer.batch(&state.db, &batch).await.map_err(|e| e.to_string())?;
            batch.clear();
            let t = &importer.totals;
            bar.set_message(format!(
                "{} created, {} updated, {} unchanged, {} rejected",
                t.created, t.updated, t.unchanged, t.rejected
            ));
        }
        if done {
            break;
        }
    }
    importer.finish(&state.db).await.map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    let (problems, unlisted) = std::mem::take(&mut importer.problems).listed();
    for r in &problems {
        eprintln!("line {}: {}", r.line, r.reason.as_deref().unwrap_or("rejected"));
    }
    if unlisted > 0 {
        eprintln!("... and {unlisted} more line(s) with problems");
    }
    let t = &importer.totals;
    println!(
        "imported {}: {} created, {} updated, {} unchanged, {} rejected",
        file.display(),
        t.created,
        t.updated,
        t.unchanged,
        t.rejected
    );
    if t.rejected > 0 {
        return Err(format!("{} line(s) rejected", t.rejected));
    }
    Ok(())
}
