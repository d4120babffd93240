//! Dateline's configuration: one struct, filled from flags and environment.

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;

fn secret(s: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(s))
}

/// A network in CIDR form, or one address.
fn network(s: &str) -> Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("`{s}` is neither a network (10.0.0.0/8) nor an address"))
}

/// An address to listen on: HOST:PORT where HOST is an IP address or a
/// name that resolves.
fn bind_address(s: &str) -> Result<String, String> {
    use std::net::ToSocketAddrs;
    match s.to_socket_addrs().map(|mut addrs| addrs.next()) {
        Ok(Some(_)) => Ok(s.to_owned()),
        Ok(None) => Err(format!("{s:?} names no address")),
        Err(e) => Err(format!("{s:?} is not HOST:PORT ({e})")),
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://dateline.db?mode=rwc";

/// The command line: the database every command works on (before or after
/// the command's name), then a command. Only `serve` takes the server's
/// settings, so each command's `--help` lists its own options.
#[derive(Debug, Parser)]
#[command(
    name = "dateline",
    version,
    about = "Dateline: a headless content API for news publishers",
    after_help = "With no command, dateline serves, configured by DATELINE_* variables (see `dateline serve --help`)."
)]
pub struct Cli {
    #[command(flatten, next_help_heading = "Database")]
    pub db: DatabaseArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The command to run (`serve` when none was named) and the whole
    /// configuration: the server's settings from `serve`'s flags, or for
    /// the other commands from the environment and the defaults.
    pub fn resolve(self) -> Result<(Command, Config), clap::Error> {
        let serve = match &self.command {
            Some(Command::Serve(args)) => (**args).clone(),
            _ => ServeArgs::from_env()?,
        };
        let command = self.command.unwrap_or_else(|| Command::Serve(Box::new(serve.clone())));
        Ok((command, Config::new(self.db, serve)))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default when no command is given).
    Serve(Box<ServeArgs>),
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL) to stdout.
    PrintSchema,
    /// Print the OpenAPI document of the REST API (pretty JSON) to stdout.
    PrintOpenapi,
    /// Generate deterministic, benchmark-sized content.
    Seed(SeedArgs),
    /// Manage people's accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Maintain comment threads.
    Comments {
        #[command(subcommand)]
        command: CommentsCommand,
    },
    /// Manage API keys for editors and integrators.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Write every story, drafts included, to FILE as NDJSON (`-` for stdout).
    Export { file: std::path::PathBuf },
    /// Create or replace stories from an NDJSON archive, by externalId (or id).
    Import { file: std::path::PathBuf },
    /// Copy an SQLite database to FILE, consistent even while servers
    /// write to it (`VACUUM INTO`). PostgreSQL and MariaDB have their own
    /// tools: pg_dump, mariadb-dump --single-transaction.
    Backup { file: std::path::PathBuf },
    /// Manage the GraphQL documents clients may send by id.
    Operations {
        #[command(subcommand)]
        command: OperationsCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum OperationsCommand {
    /// Add the operations of a manifest as trusted documents: Relay's
    /// persisted_queries.json, GraphQL Code Generator's persisted documents
    /// or Apollo's persisted query manifest.
    Add { file: std::path::PathBuf },
    /// List the documents held: id, origin, operation name.
    List,
    /// Forget a document by its id (running instances within a minute).
    Remove { id: String },
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Give the person with this email a role: READER, MODERATOR, EDITOR or ADMIN.
    SetRole {
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CommentsCommand {
    /// Recompute every comment, reply, reaction and flag count from the rows, repairing any that drifted.
    Recount,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print it once; only its hash is stored.
    Create {
        /// What the key is for, e.g. "Newsletter tool".
        #[arg(long)]
        name: String,
        /// A scope to grant; repeat for several. One of: content:write,
        /// content:read-drafts, comments:moderate, sync:read, webhooks:manage.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// Requests per second this key may make, whatever address it
        /// calls from (default: --key-rate-limit-per-second).
        #[arg(long = "rate-limit")]
        rate_limit: Option<u32>,
    },
    /// List keys (never their secrets).
    List,
    /// Revoke a key by its id; requests with it fail from then on.
    Revoke { id: String },
}

#[derive(Debug, Clone, Args)]
pub struct SeedArgs {
    /// Number of articles to generate.
    #[arg(long, default_value_t = 1000)]
    pub articles: u32,
    /// Number of comments to generate across all articles.
    #[arg(long, default_value_t = 5000)]
    pub comments: u32,
    /// Random seed; the same seed gives the same content.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// Every setting, in groups that match the parts of Dateline they steer.
#[derive(Debug, Clone)]
pub struct Config {
    pub db: DatabaseArgs,
    pub server: ServerArgs,
    pub site: SiteArgs,
    pub graphql: GraphqlArgs,
    pub http: HttpArgs,
    pub accounts: AccountArgs,
    pub comments: CommentArgs,
    pub live: LiveArgs,
    pub read_cache: ReadCacheArgs,
    pub caching: CacheArgs,
    pub purges: PurgeArgs,
    pub workers: WorkerArgs,
    pub webhooks: WebhookArgs,
}

impl Config {
    pub fn new(db: DatabaseArgs, serve: ServeArgs) -> Self {
        let ServeArgs {
            server,
            site,
            graphql,
            http,
            accounts,
            comments,
            live,
            read_cache,
            caching,
            purges,
            workers,
            webhooks,
        } = serve;
        Self {
            db,
            server,
            site,
            graphql,
            http,
            accounts,
            comments,
            live,
            read_cache,
            caching,
            purges,
            workers,
            webhooks,
        }
    }
}

/// The server's settings: `dateline serve`'s flags, each with its variable.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten, next_help_heading = "Server")]
    pub server: ServerArgs,
    #[command(flatten, next_help_heading = "Site")]
    pub site: SiteArgs,
    #[command(flatten, next_help_heading = "GraphQL")]
    pub graphql: GraphqlArgs,
    #[command(flatten, next_help_heading = "HTTP limits")]
    pub http: HttpArgs,
    #[command(flatten, next_help_heading = "Accounts")]
    pub accounts: AccountArgs,
    #[command(flatten, next_help_heading = "Comments")]
    pub comments: CommentArgs,
    #[command(flatten, next_help_heading = "Live comments")]
    pub live: LiveArgs,
    #[command(flatten, next_help_heading = "Read cache")]
    pub read_cache: ReadCacheArgs,
    #[command(flatten, next_help_heading = "HTTP caching")]
    pub caching: CacheArgs,
    #[command(flatten, next_help_heading = "Purges")]
    pub purges: PurgeArgs,
    #[command(flatten, next_help_heading = "Background work")]
    pub workers: WorkerArgs,
    #[command(flatten, next_help_heading = "Webhooks")]
    pub webhooks: WebhookArgs,
}

/// `serve`'s settings alone, for the commands that take them from the
/// environment.
#[derive(Debug, Parser)]
#[command(name = "dateline")]
struct FromEnv {
    #[command(flatten)]
    serve: ServeArgs,
}

impl ServeArgs {
    /// The settings the environment gives (DATELINE_*), else the defaults.
    pub fn from_env() -> Result<Self, clap::Error> {
        FromEnv::try_parse_from(["dateline"]).map(|f| f.serve)
    }
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database URL: sqlite://FILE?mode=rwc, postgres://..., or mysql://...
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true, global = true)]
    pub database_url: String,

    /// Largest number of pooled database connections; 0 sizes the pool for
    /// the CPUs this process may use (two per CPU).
    #[arg(long, env = "DATELINE_DB_MAX_CONNECTIONS", default_value_t = 0, global = true)]
    pub db_max_connections: u32,

    /// How long opening a database connection may take, in milliseconds.
    /// Short, so that while the database is away requests fail at once
    /// (503) rather than hang.
    #[arg(long, env = "DATELINE_DB_CONNECT_TIMEOUT_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub db_connect_timeout_ms: u64,

    /// How long a request may wait for a pooled connection, in milliseconds.
    #[arg(long, env = "DATELINE_DB_ACQUIRE_TIMEOUT_MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub db_acquire_timeout_ms: u64,

    /// Log SQL statements slower than this many milliseconds.
    #[arg(long, env = "DATELINE_SLOW_SQL_MS", default_value_t = 250, global = true)]
    pub slow_sql_ms: u64,

    /// SQLite: the page cache of each pooled connection, in KiB. Small,
    /// since the operating system keeps the file's pages in memory anyway
    /// and a read that misses here costs a copy, not a disk read.
    #[arg(long, env = "DATELINE_DB_SQLITE_CACHE_KIB", default_value_t = 512, value_parser = clap::value_parser!(u32).range(64..), global = true)]
    pub db_sqlite_cache_kib: u32,

    /// A PostgreSQL streaming replica (repeatable; the variable takes a
    /// comma-separated list): reads without credentials go to a replica
    /// that has replayed every write they must see, everything else to the
    /// primary.
    #[arg(
        long = "database-replica-url",
        env = "DATABASE_REPLICA_URLS",
        value_delimiter = ',',
        hide_env_values = true,
        global = true
    )]
    pub database_replica_urls: Vec<String>,

    /// A replica further behind the primary than this many milliseconds,
    /// or not answering, is skipped until it catches up.
    #[arg(long, env = "DATELINE_REPLICA_MAX_LAG_MS", default_value_t = 1000, global = true)]
    pub replica_max_lag_ms: u64,

    /// How often each replica's position is read, in milliseconds.
    #[arg(long, env = "DATELINE_REPLICA_CHECK_MS", default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub replica_check_ms: u64,
}

#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// Address to listen on (HOST:PORT; checked before anything else is done).
    #[arg(long, env = "DATELINE_BIND", default_value = "127.0.0.1:8080", value_parser = bind_address)]
    pub bind: String,

    /// Seconds a shutdown (SIGTERM or SIGINT) waits for requests in flight
    /// and background steps to finish before the process exits anyway.
    #[arg(long, env = "DATELINE_SHUTDOWN_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub shutdown_timeout_secs: u64,

    /// Load demo content into an empty database (`--demo false` to start empty).
    #[arg(long, env = "DATELINE_DEMO", default_value_t = true, action = clap::ArgAction::Set)]
    pub demo: bool,

    /// Serve the example article page at `/example/` (`--example-page false` turns it off).
    #[arg(long, env = "DATELINE_EXAMPLE_PAGE", default_value_t = true, action = clap::ArgAction::Set)]
    pub example_page: bool,

    /// Serve `/metrics` on this address only, instead of on the public one.
    #[arg(long, env = "DATELINE_METRICS_BIND")]
    pub metrics_bind: Option<String>,

    /// Log as JSON lines instead of human-readable text.
    #[arg(long, env = "DATELINE_LOG_JSON", default_value_t = false)]
    pub log_json: bool,

    /// Log one line per finished request (method, route, status, duration, request id).
    #[arg(long, env = "DATELINE_ACCESS_LOG", default_value_t = true, action = clap::ArgAction::Set)]
    pub access_log: bool,

    /// Browser origins that may make credentialed (cookie) requests, comma-separated.
    /// Any origin may read without credentials.
    #[arg(long, env = "DATELINE_CORS_CREDENTIALS_ORIGINS", value_delimiter = ',')]
    pub cors_credentials_origins: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct SiteArgs {
    /// The publisher's site, where stories are read: the home link of feeds
    /// and sitemaps, and `{site}` in the URL template.
    #[arg(long, env = "DATELINE_SITE_URL", default_value = "http://localhost:8080")]
    pub site_url: String,

    /// The site's name in feeds and the news sitemap.
    #[arg(long, env = "DATELINE_SITE_TITLE", default_value = "Dateline")]
    pub site_title: String,

    /// The language of the site's stories (BCP 47), for feeds and the news sitemap.
    #[arg(long, env = "DATELINE_SITE_LANGUAGE", default_value = "en")]
    pub site_language: String,

    /// A story's public address; `{site}`, `{section}`, `{slug}`, `{id}`,
    /// `{externalId}`, `{yyyy}`, `{mm}`, `{dd}` are replaced
    /// (default `{site}/{section}/{slug}`).
    #[arg(long, env = "DATELINE_PUBLIC_URL_TEMPLATE")]
    pub public_url_template: Option<String>,

    /// Image CDN URL template for renditions; `{url}` and `{width}` are replaced.
    #[arg(long, env = "DATELINE_IMAGE_CDN_TEMPLATE")]
    pub image_cdn_template: Option<String>,

    /// URLs per sitemap page (at most 50,000, the sitemap protocol's limit).
    #[arg(long, env = "DATELINE_SITEMAP_PAGE_SIZE", default_value_t = 50_000, value_parser = clap::value_parser!(u64).range(1..=50_000))]
    pub sitemap_page_size: u64,
}

#[derive(Debug, Clone, Args)]
pub struct GraphqlArgs {
    /// Deepest GraphQL selection accepted (introspection subtrees count as one level).
    #[arg(long, env = "DATELINE_GRAPHQL_MAX_DEPTH", default_value_t = 12)]
    pub graphql_max_depth: usize,

    /// Whether GraphQL introspection (`__schema`, `__type`) is answered; GraphiQL and codegen need it.
    #[arg(long, env = "DATELINE_GRAPHQL_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub graphql_introspection: bool,

    /// Largest GraphQL query complexity accepted (list fields multiply by page size).
    #[arg(long, env = "DATELINE_GRAPHQL_MAX_COMPLEXITY", default_value_t = 5000)]
    pub graphql_max_complexity: usize,

    /// Most lexical tokens in one GraphQL document.
    #[arg(long, env = "DATELINE_GRAPHQL_MAX_TOKENS", default_value_t = 10_000)]
    pub graphql_max_tokens: usize,

    /// Most brackets open at once in a GraphQL document (and JSON nesting of variables).
    #[arg(long, env = "DATELINE_GRAPHQL_MAX_NESTING", default_value_t = 32)]
    pub graphql_max_nesting: usize,

    /// Most aliased fields in one GraphQL document.
    #[arg(long, env = "DATELINE_GRAPHQL_MAX_ALIASES", default_value_t = 30)]
    pub graphql_max_aliases: usize,

    /// Most root fields in one GraphQL operation.
    #[arg(long, env = "DATELINE_GRAPHQL_MAX_ROOT_FIELDS", default_value_t = 20)]
    pub graphql_max_root_fields: usize,

    /// Most directives on one field, fragment or operation.
    #[arg(long, env = "DATELINE_GRAPHQL_MAX_DIRECTIVES", default_value_t = 5)]
    pub graphql_max_directives: usize,

    /// Most field selections in one GraphQL document with fragments expanded.
    #[arg(long, env = "DATELINE_GRAPHQL_MAX_SELECTIONS", default_value_t = 2_000)]
    pub graphql_max_selections: usize,

    /// Most documents clients may register as automatic persisted queries;
    /// past it the oldest are forgotten (clients then send them again).
    #[arg(long, env = "DATELINE_GRAPHQL_PERSISTED_MAX", default_value_t = 10_000)]
    pub graphql_persisted_max: u64,

    /// Run only trusted documents (`dateline operations add`) for callers
    /// without an API key; callers with a key run any document.
    #[arg(long, env = "DATELINE_GRAPHQL_TRUSTED_DOCUMENTS_ONLY", default_value_t = false, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub graphql_trusted_documents_only: bool,
}

#[derive(Debug, Clone, Args)]
pub struct HttpArgs {
    /// Largest request body in bytes, counted as it is read (chunked or not).
    #[arg(long, env = "DATELINE_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Largest archive `POST /v1/import` takes, in bytes (larger ones: `dateline import`).
    #[arg(long, env = "DATELINE_IMPORT_MAX_BYTES", default_value_t = 256 * 1024 * 1024)]
    pub import_max_bytes: usize,

    /// Seconds `POST /v1/import` may take, body and work included.
    #[arg(long, env = "DATELINE_IMPORT_TIMEOUT_SECS", default_value_t = 1800)]
    pub import_timeout_secs: u64,

    /// Most `POST /v1/import`s running at once; more are refused with 503
    /// and Retry-After. 0: a quarter of the pool's connections, at least one.
    #[arg(long, env = "DATELINE_IMPORT_MAX_RUNNING", default_value_t = 0)]
    pub import_max_running: usize,

    /// Largest single request header value in bytes.
    #[arg(long, env = "DATELINE_MAX_HEADER_BYTES", default_value_t = 8 * 1024)]
    pub max_header_bytes: usize,

    /// Seconds a client has to send its whole request body.
    #[arg(long, env = "DATELINE_BODY_TIMEOUT_SECS", default_value_t = 10)]
    pub body_timeout_secs: u64,

    /// Seconds a request may take in all before it is abandoned (503).
    #[arg(long, env = "DATELINE_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// Requests per second each client may make (0 turns rate limiting off).
    #[arg(long, env = "DATELINE_RATE_LIMIT_PER_SECOND", default_value_t = 50)]
    pub rate_limit_per_second: u64,

    /// Requests per second each API key may make, from any number of
    /// addresses, unless the key was created with its own `--rate-limit`.
    #[arg(long, env = "DATELINE_KEY_RATE_LIMIT_PER_SECOND", default_value_t = 50)]
    pub key_rate_limit_per_second: u64,

    /// GraphQL cost (complexity) that spends one request of the budget: a
    /// query of cost 1,000 spends 10 requests at the default.
    #[arg(long, env = "DATELINE_GRAPHQL_COST_PER_REQUEST", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    pub graphql_cost_per_request: u64,

    /// Requests a client may make in a burst above the steady rate.
    #[arg(long, env = "DATELINE_RATE_LIMIT_BURST", default_value_t = 200)]
    pub rate_limit_burst: u32,

    /// Where instances add up what callers spent of their rate budgets:
    /// `database` (the one they share), `redis` (`--redis-url`), `local`
    /// (each instance counts alone), or `auto`: redis when a Redis URL is
    /// set, else the database on PostgreSQL and MariaDB, local on SQLite.
    #[arg(long, env = "DATELINE_RATE_LIMIT_STORE", value_enum, default_value_t = BudgetStore::Auto)]
    pub rate_limit_store: BudgetStore,

    /// Redis for shared rate budgets, e.g. redis://127.0.0.1:6379/0.
    #[arg(long, env = "DATELINE_REDIS_URL", hide_env_values = true, value_parser = secret)]
    pub redis_url: Option<SecretString>,

    /// Prefix of Dateline's keys in Redis, so that several deployments can
    /// share one.
    #[arg(long, env = "DATELINE_REDIS_KEY_PREFIX", default_value = "dateline:")]
    pub redis_key_prefix: String,

    /// Milliseconds between sends of what this instance's callers spent to
    /// the shared store: instances together admit the limit plus what each
    /// admits in this time. 0: never (tests send by hand).
    #[arg(long, env = "DATELINE_RATE_LIMIT_SYNC_MS", default_value_t = 50)]
    pub rate_limit_sync_ms: u64,

    /// Proxies in front of Dateline that append to X-Forwarded-For; the client
    /// is the address the outermost of them appended. 0 uses the peer address.
    #[arg(long, env = "DATELINE_TRUSTED_PROXIES", default_value_t = 0)]
    pub trusted_proxies: usize,

    /// Same as `--trusted-proxies 1` (one load balancer in front).
    #[arg(long, env = "DATELINE_TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,

    /// Networks (or addresses) the trusted proxies connect from, comma
    /// separated; X-Forwarded-For from anywhere else is ignored, so a caller
    /// that reaches Dateline directly cannot pose as another. The default
    /// is loopback and the private networks; name a CDN's published ranges
    /// when it connects directly.
    #[arg(
        long = "trusted-proxy-addresses",
        env = "DATELINE_TRUSTED_PROXY_ADDRESSES",
        value_delimiter = ',',
        value_parser = network,
        default_value = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"
    )]
    pub trusted_proxy_addresses: Vec<ipnet::IpNet>,

    /// IPv6 clients are told apart by this many leading bits of their
    /// address (a /64 is what one subscriber usually gets); IPv4 by all 32.
    #[arg(long, env = "DATELINE_IPV6_CLIENT_PREFIX", default_value_t = 64, value_parser = clap::value_parser!(u8).range(1..=128))]
    pub ipv6_client_prefix: u8,
}

#[derive(Debug, Clone, Args)]
pub struct AccountArgs {
    /// Days a reader's session lasts before they must sign in again.
    #[arg(long, env = "DATELINE_SESSION_DAYS", default_value_t = 30)]
    pub session_days: u32,

    /// HS256 secret (at least 32 bytes) shared with the publisher's identity provider, for `signInWithJwt`.
    #[arg(long, env = "DATELINE_SSO_SECRET", hide_env_values = true, value_parser = secret)]
    pub sso_secret: Option<SecretString>,

    /// The identity provider's RS256 or ES256 public key (PEM), instead of a secret.
    #[arg(long, env = "DATELINE_SSO_PUBLIC_KEY", hide_env_values = true)]
    pub sso_public_key: Option<String>,

    /// The audience (`aud`) publisher tokens must name.
    #[arg(long, env = "DATELINE_SSO_AUDIENCE")]
    pub sso_audience: Option<String>,

    /// Sign-in and registration attempts per address (and person) per minute (0: no limit).
    #[arg(long, env = "DATELINE_RATE_AUTH_PER_MINUTE", default_value_t = 10)]
    pub rate_auth_per_minute: u32,

    /// Registrations one client address may make per hour; 0 turns this off.
    /// Registering tells whether an email has an account (no e-mail is sent
    /// to confirm one), so this bounds how many emails an address can probe.
    #[arg(long, env = "DATELINE_RATE_REGISTRATIONS_PER_HOUR", default_value_t = 20)]
    pub rate_registrations_per_hour: u32,

    /// Failed sign-ins in a row an account allows before each further try
    /// must wait, doubling from 1 s to at most 5 minutes; 0 turns this off.
    #[arg(long, env = "DATELINE_SIGN_IN_FREE_FAILURES", default_value_t = 5)]
    pub sign_in_free_failures: u32,
}

#[derive(Debug, Clone, Args)]
pub struct CommentArgs {
    /// Levels a comment thread may have (at least 2); a deeper reply joins the deepest level.
    #[arg(long, env = "DATELINE_COMMENTS_MAX_DEPTH", default_value_t = 5, value_parser = clap::value_parser!(i32).range(2..=20))]
    pub comments_max_depth: i32,

    /// Minutes after posting during which an author may edit a comment.
    #[arg(long, env = "DATELINE_COMMENTS_EDIT_MINUTES", default_value_t = 15)]
    pub comments_edit_minutes: u32,

    /// Days after publication when a story's comments close (0: never).
    #[arg(long, env = "DATELINE_COMMENTS_AUTO_CLOSE_DAYS", default_value_t = 0)]
    pub comments_auto_close_days: u32,

    /// Hold every new comment for approval (an article may override).
    #[arg(long, env = "DATELINE_COMMENTS_PREMODERATION", default_value_t = false, action = clap::ArgAction::Set)]
    pub comments_premoderation: bool,

    /// Flags that send an approved comment back to the moderation queue.
    #[arg(long, env = "DATELINE_COMMENTS_FLAG_THRESHOLD", default_value_t = 3, value_parser = clap::value_parser!(i32).range(1..))]
    pub comments_flag_threshold: i32,

    /// Hold a person's first N comments for approval (0: off).
    #[arg(long, env = "DATELINE_COMMENTS_HOLD_FIRST", default_value_t = 0, value_parser = clap::value_parser!(i32).range(0..))]
    pub comments_hold_first: i32,

    /// Hold comments that contain links for approval.
    #[arg(long, env = "DATELINE_COMMENTS_HOLD_LINKS", default_value_t = false, action = clap::ArgAction::Set)]
    pub comments_hold_links: bool,

    /// Words that refuse a comment, comma-separated (matched ignoring case, accents and look-alikes).
    #[arg(long, env = "DATELINE_COMMENTS_BANNED_WORDS", value_delimiter = ',')]
    pub comments_banned_words: Vec<String>,

    /// Words that hold a comment for review, comma-separated.
    #[arg(long, env = "DATELINE_COMMENTS_SUSPECT_WORDS", value_delimiter = ',')]
    pub comments_suspect_words: Vec<String>,

    /// Comments, reactions and flags each person and each address may post per minute (0: no limit).
    #[arg(long, env = "DATELINE_RATE_COMMENTS_PER_MINUTE", default_value_t = 10)]
    pub rate_comments_per_minute: u32,
}

#[derive(Debug, Clone, Args)]
pub struct LiveArgs {
    /// How often live comment updates are read from the database, in milliseconds.
    #[arg(long, env = "DATELINE_LIVE_POLL_MS", default_value_t = 250, value_parser = clap::value_parser!(u64).range(10..))]
    pub live_poll_ms: u64,

    /// Live streams (WebSocket connections, their subscriptions and event
    /// streams) one client may hold open at once.
    #[arg(long, env = "DATELINE_LIVE_MAX_PER_CLIENT", default_value_t = 20)]
    pub live_max_per_client: usize,

    /// Live streams the whole process may hold open at once; 0 takes half
    /// the file descriptors the process may open, at most 10,000.
    #[arg(long, env = "DATELINE_LIVE_MAX_STREAMS", default_value_t = 0)]
    pub live_max_streams: usize,

    /// Seconds between keep-alive comments on an event stream; a closed
    /// stream is noticed (and its slot freed) at the next one.
    #[arg(long, env = "DATELINE_LIVE_KEEPALIVE_SECS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..))]
    pub live_keepalive_secs: u64,

    /// Subscriptions one WebSocket connection may run at once.
    #[arg(long, env = "DATELINE_LIVE_MAX_PER_CONNECTION", default_value_t = 5)]
    pub live_max_per_connection: usize,
}

#[derive(Debug, Clone, Args)]
pub struct ReadCacheArgs {
    /// Memory for public answers (requests without credentials) kept
    /// between writes, in MiB; 0 turns the cache off.
    #[arg(long, env = "DATELINE_READ_CACHE_MB", default_value_t = 16)]
    pub read_cache_mb: u64,

    /// Longest a kept answer is served, in milliseconds. Writes through
    /// this process replace answers at once; this bounds how late a write
    /// made by another process on the same database (another instance, a
    /// `dateline` command) is seen.
    #[arg(long, env = "DATELINE_READ_CACHE_TTL_MS", default_value_t = 5000)]
    pub read_cache_ttl_ms: u64,
}

/// What public answers tell caches in front (browsers, CDNs, Varnish).
#[derive(Debug, Clone, Args)]
pub struct CacheArgs {
    /// Seconds a browser may reuse a public answer (`max-age`).
    #[arg(long, env = "DATELINE_CACHE_MAX_AGE", default_value_t = 60)]
    pub cache_max_age: u32,

    /// Seconds a shared cache may reuse a public answer (`s-maxage`); with
    /// purges configured it can be long, as each write purges what it
    /// changed.
    #[arg(long, env = "DATELINE_CACHE_S_MAXAGE", default_value_t = 60)]
    pub cache_s_maxage: u32,

    /// Seconds past that a cache may serve the old answer while it fetches
    /// a new one (`stale-while-revalidate`).
    #[arg(long, env = "DATELINE_CACHE_STALE_WHILE_REVALIDATE", default_value_t = 300)]
    pub cache_stale_while_revalidate: u32,
}

/// Telling a cache in front what changed: surrogate keys on answers, and
/// a purge request per write.
#[derive(Debug, Clone, Args)]
pub struct PurgeArgs {
    /// The response header listing an answer's surrogate keys: Surrogate-Key
    /// (Fastly, Varnish with xkey) or Cache-Tag (Cloudflare, comma-separated).
    #[arg(long, env = "DATELINE_SURROGATE_KEY_HEADER", default_value = "Surrogate-Key")]
    pub surrogate_key_header: String,

    /// Where each write's keys are sent to be purged once it commits; none
    /// by default (webhooks still get `cache.purge`).
    #[arg(long, env = "DATELINE_PURGE_URL", hide_env_values = true)]
    pub purge_url: Option<String>,

    /// How the keys are sent: varnish (PURGE with an xkey-purge header, as
    /// deploy/varnish takes it), fastly (POST {"surrogate_keys": [...]}) or
    /// cloudflare (POST {"tags": [...]}).
    #[arg(long, env = "DATELINE_PURGE_FORMAT", value_enum, default_value_t = PurgeFormat::Varnish)]
    pub purge_format: PurgeFormat,

    /// A header sent with every purge request, `Name: value` (an API token:
    /// never logged or shown); repeat for several.
    #[arg(long = "purge-header", env = "DATELINE_PURGE_HEADERS", value_delimiter = '\n', value_parser = secret, hide_env_values = true)]
    pub purge_headers: Vec<SecretString>,

    /// Milliseconds after which each purge is sent once more, for answers a
    /// cache was fetching while the first arrived, and for what other
    /// processes on the database still kept. 0 (the default): one second
    /// on PostgreSQL, where instances tell each other of writes at once;
    /// elsewhere one second past --read-cache-ttl-ms.
    #[arg(long, env = "DATELINE_PURGE_AGAIN_MS", default_value_t = 0)]
    pub purge_again_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BudgetStore {
    Auto,
    Local,
    Database,
    Redis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PurgeFormat {
    Varnish,
    Fastly,
    Cloudflare,
}

#[derive(Debug, Clone, Args)]
pub struct WorkerArgs {
    /// How often the refresher re-ranks related lists that writes marked
    /// stale, in milliseconds; 0 turns it off (reads then rank marked lists
    /// themselves).
    #[arg(long, env = "DATELINE_RELATED_REFRESH_MS", default_value_t = 1000)]
    pub related_refresh_ms: u64,

    /// How often sections, tags and authors are read again, in
    /// milliseconds, so renames made through another instance on the same
    /// database show here; 0 never (renames through this instance show at once).
    #[arg(long, env = "DATELINE_TAXONOMY_RELOAD_MS", default_value_t = 30000)]
    pub taxonomy_reload_ms: u64,

    /// How often scheduled stories whose time has come are announced to the
    /// change feed and webhooks, in milliseconds; 0 runs no scheduler.
    #[arg(long, env = "DATELINE_SCHEDULER_POLL_MS", default_value_t = 1000)]
    pub scheduler_poll_ms: u64,
}

#[derive(Debug, Clone, Args)]
pub struct WebhookArgs {
    /// Allow webhook URLs on loopback, private and link-local addresses (an
    /// intranet receiver, tests). Never needed for receivers on the internet.
    #[arg(long, env = "DATELINE_WEBHOOKS_ALLOW_PRIVATE", default_value_t = false, action = clap::ArgAction::Set)]
    pub webhooks_allow_private: bool,

    /// How often due webhook deliveries are looked for, in milliseconds; 0
    /// runs no delivery worker in this instance.
    #[arg(long, env = "DATELINE_WEBHOOKS_POLL_MS", default_value_t = 500)]
    pub webhooks_poll_ms: u64,

    /// Seconds one webhook attempt may take, connection included.
    #[arg(long, env = "DATELINE_WEBHOOKS_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=120))]
    pub webhooks_timeout_secs: u64,

    /// Hours of nothing but failed attempts after which an endpoint is disabled.
    #[arg(long, env = "DATELINE_WEBHOOKS_DISABLE_AFTER_HOURS", default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..))]
    pub webhooks_disable_after_hours: u32,
}

impl Config {
    pub fn webhook_settings(&self) -> crate::domain::webhooks::Settings {
        crate::domain::webhooks::Settings {
            allow_private: self.webhooks.webhooks_allow_private,
            timeout: std::time::Duration::from_secs(self.webhooks.webhooks_timeout_secs),
            poll: std::time::Duration::from_millis(self.webhooks.webhooks_poll_ms),
            disable_after: chrono::TimeDelta::hours(i64::from(self.webhooks.webhooks_disable_after_hours)),
        }
    }

    /// The pool size: as configured, or sized for the usable CPUs. SQLite
    /// runs in-process, so requests wait on the CPU, not on connections:
    /// two per CPU, since each connection keeps its own page and statement
    /// caches. A database server answers from another process, so more
    /// statements in flight overlap: four per CPU.
    pub fn pool_size(&self) -> u32 {
        if self.db.db_max_connections > 0 {
            return self.db.db_max_connections;
        }
        let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let per_cpu = if self.db.database_url.starts_with("sqlite:") { 2 } else { 4 };
        u32::try_from(cpus * per_cpu).unwrap_or(8).max(2)
    }

    pub fn comment_settings(&self) -> crate::domain::comments::CommentSettings {
        use crate::domain::comments::rules::WordList;
        use chrono::TimeDelta;
        crate::domain::comments::CommentSettings {
            max_levels: self.comments.comments_max_depth,
            edit_window: TimeDelta::minutes(i64::from(self.comments.comments_edit_minutes)),
            auto_close_after: (self.comments.comments_auto_close_days > 0)
                .then(|| TimeDelta::days(i64::from(self.comments.comments_auto_close_days))),
            pre_moderation: self.comments.comments_premoderation,
            flag_threshold: self.comments.comments_flag_threshold,
            hold_first: self.comments.comments_hold_first,
            hold_links: self.comments.comments_hold_links,
            banned_words: WordList::new(&self.comments.comments_banned_words),
            suspect_words: WordList::new(&self.comments.comments_suspect_words),
            ..Default::default()
        }
    }

    pub fn session_ttl(&self) -> chrono::TimeDelta {
        chrono::TimeDelta::days(i64::from(self.accounts.session_days.max(1)))
    }

    /// How long after a purge it is sent again (`--purge-again-ms`).
    pub fn purge_again(&self) -> std::time::Duration {
        let ms = match self.purges.purge_again_ms {
            0 if self.db.database_url.starts_with("postgres") => 1000,
            0 => self.read_cache.read_cache_ttl_ms.saturating_add(1000),
            ms => ms,
        };
        std::time::Duration::from_millis(ms)
    }

    /// Whose `X-Forwarded-For` entries to trust, and how many.
    pub fn proxies(&self) -> crate::rate_limit::Proxies {
        let hops = if self.http.trust_forwarded_for {
            self.http.trusted_proxies.max(1)
        } else {
            self.http.trusted_proxies
        };
        crate::rate_limit::Proxies { hops, from: self.http.trusted_proxy_addresses.clone().into() }
    }

    /// The defaults the flags declare, on `url`, without demo content, rate
    /// limits or the related-list refresher (tests send bursts, count
    /// statements and run the refresher by hand). Settings from the
    /// environment apply as they would to the binary.
    pub fn for_database(url: impl Into<String>) -> Self {
        let url = url.into();
        let args = [
            "dateline",
            "--database-url",
            url.as_str(),
            "serve",
            "--demo",
            "false",
            "--related-refresh-ms",
            "0",
            "--rate-limit-per-second",
            "0",
            "--rate-comments-per-minute",
            "0",
            "--rate-auth-per-minute",
            "0",
            "--rate-registrations-per-hour",
            "0",
            // Background work would show in the tests' statement counts;
            // the tests that need it start it themselves.
            "--scheduler-poll-ms",
            "0",
            "--webhooks-poll-ms",
            "0",
            "--taxonomy-reload-ms",
            "0",
        ];
        // Only a broken flag declaration fails here, and every test would show it.
        match Cli::try_parse_from(args).and_then(Cli::resolve) {
            Ok((_, config)) => config,
            Err(e) => panic!("the declared defaults do not parse: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Config;

    #[test]
    fn secrets_never_print() {
        let mut c = Config::for_database("sqlite::memory:");
        c.accounts.sso_secret = Some("a-very-secret-value-that-is-32-bytes!".into());
        let shown = format!("{c:?}");
        assert!(!shown.contains("a-very-secret"), "{shown}");
        assert!(shown.contains("REDACTED"));
    }

    #[test]
    fn the_pool_is_sized_for_the_cpus_unless_configured() {
        let mut c = Config::for_database("sqlite::memory:");
        c.db.db_max_connections = 0;
        let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        assert_eq!(c.pool_size(), u32::try_from(cpus * 2).unwrap_or(8).max(2));
        c.db.database_url = "postgres://localhost/dateline".into();
        assert_eq!(c.pool_size(), u32::try_from(cpus * 4).unwrap_or(8).max(2));
        c.db.db_max_connections = 3;
        assert_eq!(c.pool_size(), 3);
    }
}
