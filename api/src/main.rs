//! The `dateline` binary: serve, migrate, print-schema, print-openapi, seed.

use api::cli::CliError;
use api::clock::Clock;
use api::config::{Cli, Command, CommentsCommand, Config, KeysCommand, OperationsCommand, UsersCommand};
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
    api::allocator::give_back_freed_memory_at_once();
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
    let (command, config) = cli.resolve().unwrap_or_else(|e| e.exit());
    telemetry::init(config.server.log_json);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dateline: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match command {
            Command::Serve(_) => serve(config).await,
            Command::Migrate => {
                startup::prepare(config, Clock::system()).await.map(|_| ()).map_err(CliError::from)
            }
            Command::Seed(args) => seed(config, args).await,
            Command::Keys { command } => keys(config, command).await,
            Command::Users { command } => users(config, command).await,
            Command::Comments { command } => comments(config, command).await,
            Command::Export { file } => export(config, file).await,
            Command::Import { file } => import(config, file).await,
            Command::Backup { file } => api::backup::run(&config.db.database_url, &file).await,
            Command::Operations { command } => operations(config, command).await,
            Command::PrintSchema | Command::PrintOpenapi => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dateline: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

async fn serve(config: Config) -> Result<(), CliError> {
    let demo = config.server.demo;
    let example_page = config.server.example_page;
    let bind = config.server.bind.clone();
    let open_files = api::fd_limit::raise();
    // The address first: a port in use (or not ours to take) fails before
    // anything touches the database.
    let bind_error =
        |e: std::io::Error| startup::StartError::Bind { addr: bind.clone(), reason: e.to_string() };
    let listener = TcpListener::bind(&bind).map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    let state = startup::prepare(config, Clock::system()).await?;
    if demo {
        let loaded = fixtures::demo::load_if_empty(&state.db, state.clock.now()).await.map_err(|e| {
            CliError::Start(startup::StartError::Setup(format!("cannot load demo content: {e}")))
        })?;
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
    let server = startup::run(state, listener)?;
    // The log stream says it too, for whoever reads only stderr.
    tracing::info!(address = %format!("http://{addr}"), "Dateline is serving");
    println!("Dateline is serving on http://{addr}");
    println!("  GraphiQL explorer: http://{addr}/graphql");
    println!("  REST:              http://{addr}/v1/articles");
    println!("  API docs:          http://{addr}/docs  (OpenAPI: /openapi.json)");
    if example_page {
        println!("  Example page:      http://{addr}/example/");
    }
    server
        .serve_until(startup::shutdown_signal())
        .await
        .map_err(|e| CliError::Start(startup::StartError::Setup(e)))
}

async fn seed(config: Config, args: api::config::SeedArgs) -> Result<(), CliError> {
    let state = startup::prepare(bulk(config), Clock::system()).await?;
    let report = fixtures::seed::run(&state.db, &args, state.clock.now()).await?;
    println!("{report}");
    Ok(())
}

async fn keys(config: Config, command: KeysCommand) -> Result<(), CliError> {
    let state = startup::prepare(config, Clock::system()).await?;
    let now = state.clock.now();
    match command {
        KeysCommand::Create { name, scopes, rate_limit } => {
            let mut parsed = Vec::new();
            for s in &scopes {
                parsed.push(Scope::parse(s).ok_or_else(|| CliError::Usage(format!("unknown scope {s:?}")))?);
            }
            let (key, secret) = api_keys::create(&state.db, &name, &parsed, rate_limit, now).await?;
            println!("{secret}");
            eprintln!(
                "created key {} ({}) with scopes: {}; store it now, it is not shown again",
                key.id, key.name, key.scopes
            );
        }
        KeysCommand::List => {
            for k in api_keys::list(&state.db).await? {
                let state = if k.revoked_at.is_some() { "revoked" } else { "active" };
                println!("{}\t{}\t{}…\t{}\t{}", k.id, state, k.key_prefix, k.name, k.scopes);
            }
        }
        KeysCommand::Revoke { id } => {
            let id =
                uuid::Uuid::parse_str(&id).map_err(|_| CliError::Usage(format!("{id:?} is not a key id")))?;
            api_keys::revoke(&state.db, id, now).await?;
            println!("revoked {id}");
        }
    }
    Ok(())
}

async fn operations(config: Config, command: OperationsCommand) -> Result<(), CliError> {
    use api::domain::persisted::{manifest, store};
    let state = startup::prepare(config, Clock::system()).await?;
    match command {
        OperationsCommand::Add { file } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| CliError::Io(format!("cannot read {}: {e}", file.display())))?;
            let entries = manifest::parse(&bytes)?;
            let done = store::add_trusted(&state.db, &entries, state.clock.now()).await?;
            println!("{} trusted operation(s) added, {} already held", done.added, done.unchanged);
        }
        OperationsCommand::List => {
            for op in store::list(&state.db).await? {
                let origin = match op.origin {
                    store::Origin::Trusted => "trusted",
                    store::Origin::Automatic => "automatic",
                };
                println!("{}\t{origin}\t{}", op.id, op.name.as_deref().unwrap_or("-"));
            }
        }
        OperationsCommand::Remove { id } => {
            store::remove(&state.db, &id).await?;
            println!("removed {id}");
        }
    }
    Ok(())
}

async fn users(config: Config, command: UsersCommand) -> Result<(), CliError> {
    use api::domain::accounts::{Actor, Role, users};
    let state = startup::prepare(config, Clock::system()).await?;
    let purges = command_purges(&state)?;
    match command {
        UsersCommand::SetRole { email, role } => {
            let role = Role::parse(&role).ok_or_else(|| CliError::Usage(format!("unknown role {role:?}")))?;
            let user = users::by_email(&state.db, &email)
                .await?
                .ok_or_else(|| CliError::Usage(format!("no account has the email {email:?}")))?;
            let u = users::set_role(&state.db, &Actor::system(), user.id, role, state.clock.now()).await?;
            println!("{} ({}) is now {}", u.email, u.id, u.role.as_str());
        }
    }
    finish_purges(purges).await;
    Ok(())
}

async fn comments(config: Config, command: CommentsCommand) -> Result<(), CliError> {
    let state = startup::prepare(config, Clock::system()).await?;
    let purges = command_purges(&state)?;
    match command {
        CommentsCommand::Recount => {
            let repairs = api::domain::comments::recount::recount(&state.db).await?;
            for r in &repairs {
                println!("repaired {} of {}: {} -> {}", r.what, r.id, r.stored, r.actual);
            }
            println!("{} count(s) repaired", repairs.len());
        }
    }
    finish_purges(purges).await;
    Ok(())
}

/// A command's writes purge the cache in front as the server's do.
fn command_purges(state: &api::state::AppState) -> Result<api::workers::purger::CommandPurges, CliError> {
    api::workers::purger::CommandPurges::start(state).map_err(CliError::Usage)
}

/// The writes are done whether or not the cache in front heard of them.
async fn finish_purges(purges: api::workers::purger::CommandPurges) {
    if let Err(why) = purges.finish().await {
        eprintln!(
            "dateline: the cache in front was not purged ({why}); its answers expire by their s-maxage"
        );
    }
}

/// The CLI acts with every scope: whoever runs it holds the database.
fn operator() -> api::domain::accounts::Actor {
    use api::domain::accounts::{Actor, Scope};
    Actor::api_key(uuid::Uuid::nil(), Scope::ALL.to_vec())
}

async fn export(config: Config, file: std::path::PathBuf) -> Result<(), CliError> {
    use futures_util::StreamExt;
    use tokio::io::AsyncWriteExt;
    let state = startup::prepare(config, Clock::system()).await?;
    let to_stdout = file.as_os_str() == "-";
    let mut out: Box<dyn tokio::io::AsyncWrite + Unpin> = if to_stdout {
        Box::new(tokio::io::stdout())
    } else {
        Box::new(
            tokio::fs::File::create(&file)
                .await
                .map_err(|e| CliError::Io(format!("cannot create {}: {e}", file.display())))?,
        )
    };
    let mut out = tokio::io::BufWriter::new(&mut out);
    let lines = api::domain::sync::archive::export(state.db.clone(), &operator())?;
    let mut lines = std::pin::pin!(lines);
    let mut n = 0u64;
    while let Some(line) = lines.next().await {
        let line = line?;
        out.write_all(line.as_bytes()).await.map_err(write_error(&file))?;
        n += 1;
    }
    out.flush().await.map_err(write_error(&file))?;
    if !to_stdout {
        println!("exported {n} stories to {}", file.display());
    }
    Ok(())
}

fn write_error(file: &std::path::Path) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |e| CliError::Io(format!("cannot write {}: {e}", file.display()))
}

/// A bulk command's statements are large by design: the slow-statement
/// log stays quiet for them rather than fill the terminal under its
/// progress bars.
fn bulk(mut config: Config) -> Config {
    config.db.slow_sql_ms = u64::MAX;
    config
}

async fn import(config: Config, file: std::path::PathBuf) -> Result<(), CliError> {
    use api::domain::sync::import::Importer;
    use tokio::io::AsyncBufReadExt;
    let state = startup::prepare(bulk(config), Clock::system()).await?;
    let f = tokio::fs::File::open(&file)
        .await
        .map_err(|e| CliError::Io(format!("cannot open {}: {e}", file.display())))?;
    let size = f.metadata().await.map(|m| m.len()).unwrap_or(0);
    let bar = api::telemetry::progress_bar(size).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let purges = command_purges(&state)?;
    let mut importer = Importer::new(&operator(), state.clock.now(), &state.imports)?;
    let mut reader = tokio::io::BufReader::with_capacity(256 * 1024, f);
    loop {
        let chunk = reader
            .fill_buf()
            .await
            .map_err(|e| CliError::Io(format!("cannot read {}: {e}", file.display())))?;
        if chunk.is_empty() {
            break;
        }
        let len = chunk.len();
        importer.feed(&state.db, chunk).await?;
        reader.consume(len);
        bar.inc(len as u64);
        let t = &importer.totals;
        bar.set_message(format!(
            "{} created, {} updated, {} unchanged, {} rejected",
            t.created, t.updated, t.unchanged, t.rejected
        ));
    }
    importer.end(&state.db).await?;
    bar.finish_and_clear();
    let t = &importer.totals;
    if t.created + t.updated > 0 {
        api::db::statistics::refresh(&state.db).await.map_err(api::error::AppError::from)?;
    }
    finish_purges(purges).await;
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
        return Err(CliError::Rejected(t.rejected as u64));
    }
    Ok(())
}
