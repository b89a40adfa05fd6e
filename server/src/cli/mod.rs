//! Command-line administration: users, companies, memberships, API keys, keys, webhooks, backups
//! and copies of the database,
//! the sandbox's UPS.com password change, and `check` (the settings and what they point at,
//! changing nothing; see `check`). New passwords come from `OPTIN_NEW_PASSWORD` (never a
//! command-line argument, which other local users can read) or are generated and printed once.

use crate::{
    check::{self, Network},
    keyfile,
    sandbox::{self, SandboxError},
    settings::Settings,
    startup::{open_admin_core, StartupError},
};
mod consent_links;
mod database;
mod users;
mod webhooks;

pub use consent_links::ConsentLinkCommand;

use clap::{Parser, Subcommand};
use model::{Product, Role};
use optin_core::{
    accounts::find_user,
    api_keys, backups,
    companies::{create_company, find_company, set_role},
    keyring::KeyRing,
    keys, operations,
    secret::{random_token, SecretString},
    store::StoreError,
    Core, CoreError,
};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "server", about = "UPS Customer Solutions OAuth Opt-In service")]
pub struct Cli {
    /// A TOML settings file (see README); environment variables OPTIN_* override it.
    #[arg(long, env = "OPTIN_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the application (the default).
    Serve {
        /// Also serve a demo host portal per product, each on its own port (its own origin),
        /// allowed to embed that product's widget.
        #[arg(long)]
        demo_portals: bool,
        /// The first demo portal's port; the others follow. Default: the service's port + 1.
        #[arg(long)]
        demo_portal_port: Option<u16>,
    },
    /// Application users (company admins).
    #[command(subcommand)]
    User(UserCommand),
    /// Registered companies.
    #[command(subcommand)]
    Company(CompanyCommand),
    /// Make a user an admin or a viewer of a company.
    #[command(subcommand)]
    Member(MemberCommand),
    /// The built-in UPS sandbox.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// API keys for the products' backends (the token API).
    #[command(subcommand)]
    ApiKey(ApiKeyCommand),
    /// The key ring that encrypts tokens at rest: rotate, rewrap, list.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Webhook endpoints that hear about each product's authorizations.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Consent links for whoever holds a company's UPS.com user: create, list, revoke.
    #[command(subcommand)]
    ConsentLink(ConsentLinkCommand),
    /// The stored UPS tokens.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// The database as a whole: copy it into another.
    #[command(subcommand)]
    Db(DbCommand),
    /// Copy the embedded SQLite database, consistent, to FILE while the service runs (on
    /// PostgreSQL, use pg_dump). FILE must not exist yet.
    Backup { file: PathBuf },
    /// Check the settings and what they point at (database, key ring, UPS registrations, URLs,
    /// webhooks, email), changing nothing: one line per check, and a failing exit status when
    /// any check fails.
    Check {
        /// Also open a TCP connection to each webhook endpoint of the settings and to the SMTP
        /// server.
        #[arg(long)]
        network: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Copy every row of the configured database into another, empty one (SQLite to PostgreSQL,
    /// or back), then open every sealed secret there with the key ring. The service may keep
    /// running: the copy is one consistent snapshot. Point the service at the target afterwards.
    Copy {
        /// postgres://user:password@host/database, or an SQLite file (sqlite://path or a path).
        #[arg(long)]
        to: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Make every active token (of one product, with --product) due for refresh now: the
    /// running instances' workers refresh them all (after a suspected leak, say).
    RefreshAll {
        #[arg(long)]
        product: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Register an endpoint for a product's events; its signing secret is shown once.
    Add { product: String, url: String },
    /// Every endpoint (never its secret).
    List,
    /// Stop sending to an endpoint; its pending deliveries are given up.
    Remove { id: i64 },
    /// A new signing secret (shown once); the old one keeps signing beside it for 24 hours.
    RotateSecret { id: i64 },
    /// Send an event again (same `evt_…` id) to every current endpoint of its product.
    Replay { event_id: String },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// The ring's keys and how many stored secrets each seals.
    List,
    /// Put a new current key at the top of the key file; the old ones keep opening what they
    /// sealed. Restart every instance afterwards, then run `keys rewrap`.
    Rotate,
    /// Re-seal every stored token with the current key, in small batches, while the service runs.
    Rewrap,
    /// Print a new random key (for keys kept in the settings rather than the key file).
    Generate,
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key for one product; the key is shown once.
    Create {
        /// reverse-logistics, pickup-manager or data-management
        product: String,
        #[arg(long, default_value = "")]
        label: String,
        /// Limit the key to this company (by name; repeat for several). Without it, the key
        /// reaches every company that opts in to the product.
        #[arg(long = "company")]
        companies: Vec<String>,
    },
    /// Revoke the key with this prefix (the `optin_…` start shown at creation).
    Revoke { prefix: String },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is OPTIN_NEW_PASSWORD, or generated and printed.
    Add {
        sign_in_name: String,
        #[arg(long, default_value = "")]
        display_name: String,
        /// Also make the user an admin of this (existing) company.
        #[arg(long)]
        company: Option<String>,
        /// Where the user's notification emails go (re-authorization required).
        #[arg(long)]
        email: Option<String>,
    },
    /// Set (or, without an address, remove) where a user's notification emails go.
    SetEmail { sign_in_name: String, email: Option<String> },
    /// Set a user's password (OPTIN_NEW_PASSWORD, or generated and printed); every session the
    /// user has is ended.
    SetPassword { sign_in_name: String },
    /// Remove every second factor and recovery code of a user who has lost them all (and end
    /// their sessions): their next sign-in is by password alone, or adds a factor where one is
    /// required.
    ResetSecondFactors { sign_in_name: String },
}

#[derive(Debug, Subcommand)]
pub enum CompanyCommand {
    Add { name: String },
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Make a user a member of a company, or change their role there.
    Add {
        sign_in_name: String,
        company: String,
        /// admin (opts in and out, clears, checks with UPS) or viewer (sees the status, the token
        /// grid and Activity; every change refused).
        #[arg(long, default_value = "admin", value_parser = parse_role)]
        role: Role,
    },
}

fn parse_role(value: &str) -> Result<Role, String> {
    Role::parse(value).map_err(|unknown| unknown.to_string())
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Change a sandbox UPS.com user's password, which invalidates every grant they made.
    SetPassword { username: String },
}

fn new_password() -> (SecretString, bool) {
    match std::env::var("OPTIN_NEW_PASSWORD") {
        Ok(password) if !password.is_empty() => (SecretString::new(password), false),
        _ => (random_token(), true),
    }
}

/// Why an administration command failed: printed to stderr, with a failing exit status.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The service's settings, database or key file could not be opened.
    #[error(transparent)]
    Startup(#[from] StartupError),
    /// The core refused the command (an unknown name, invalid input) or could not carry it out.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// The built-in sandbox's tables could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The sandbox refused (an unknown user).
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    /// What the command was given names nothing here (a product, a key prefix, a database URL),
    /// or the key file could not be rotated.
    #[error("{0}")]
    Refused(String),
    /// The command ran, and its report says what failed (`check`, `keys rewrap`, `db copy`).
    #[error("{0}")]
    Report(String),
}

/// Runs an administration command; `Ok(message)` is printed to stdout.
pub async fn run(settings: &Settings, command: Command) -> Result<String, CliError> {
    match command {
        // Neither needs the database; rotating must not open it (that would create a key).
        Command::Keys(KeysCommand::Generate) => return Ok(KeyRing::generate_key().expose().to_owned()),
        Command::Keys(KeysCommand::Rotate) => {
            let (new, previous) = keyfile::rotate(settings).map_err(CliError::Refused)?;
            return Ok(format!(
                "New current key {new} (was {previous}) in {}. Restart every instance so they seal with it, then \
                 run `server keys rewrap`; keep {previous} in the file until `server keys list` shows it seals nothing.",
                settings.secret_key_file.display()
            ));
        }
        // It must change nothing: opening the admin core would migrate the database.
        Command::Check { network } => {
            let network = if network { Network::Connect } else { Network::Skip };
            let report = check::run(settings, network).await;
            return if report.failed() { Err(CliError::Report(report.to_string())) } else { Ok(report.to_string()) };
        }
        _ => {}
    }
    let core = open_admin_core(settings).await?;
    match command {
        Command::Serve { .. } => Err(CliError::Refused("serve is not an administration command".into())),
        Command::Check { .. } => Err(CliError::Refused("handled before the database is opened".into())),
        Command::User(command) => Ok(users::run(&core, command).await?),
        Command::Company(CompanyCommand::Add { name }) => {
            let id = create_company(&core, &name).await?;
            Ok(format!("Added company {name} (number {id})."))
        }
        Command::Member(MemberCommand::Add { sign_in_name, company, role }) => {
            let user = find_user(&core, &sign_in_name).await?;
            let company_id = find_company(&core, &company).await?;
            set_role(&core, user, company_id, role).await?;
            Ok(match role {
                Role::Admin => format!("{sign_in_name} now administers {company}."),
                Role::Viewer => format!("{sign_in_name} can now view {company} (and change nothing)."),
            })
        }
        Command::ApiKey(ApiKeyCommand::Create { product, label, companies }) => {
            let product = Product::parse(&product).map_err(|e| CliError::Refused(e.to_string()))?;
            let mut ids = Vec::new();
            for company in &companies {
                ids.push(find_company(&core, company).await?);
            }
            let (prefix, key) = api_keys::create(&core, product, &label, &ids).await?;
            let reach = match companies.is_empty() {
                true => "every company".to_owned(),
                false => companies.join(", "),
            };
            Ok(format!("Created API key {prefix}… for {product} ({reach}). Key (shown once): {}", key.expose()))
        }
        Command::ApiKey(ApiKeyCommand::Revoke { prefix }) => match api_keys::revoke(&core, &prefix).await? {
            true => Ok(format!("Revoked API key {prefix}.")),
            false => Err(CliError::Refused(format!("No active API key has the prefix {prefix}."))),
        },
        Command::Keys(command) => keys_command(&core, command).await,
        Command::Webhook(command) => Ok(webhooks::run(&core, command).await?),
        Command::ConsentLink(command) => Ok(consent_links::run(&core, command).await?),
        Command::Tokens(TokensCommand::RefreshAll { product }) => {
            let product =
                product.map(|slug| Product::parse(&slug).map_err(|e| CliError::Refused(e.to_string()))).transpose()?;
            let due = operations::refresh_all_now(&core, product).await?;
            Ok(format!("{due} token(s) are due for refresh now; the running workers refresh them."))
        }
        Command::Backup { file } => {
            let written = backups::back_up(&core, &file).await?;
            Ok(format!(
                "Backed up the database to {} ({written} bytes). Restore it by stopping the service and putting it in \
                 place of {} (see README, Operations); it opens only with the same key ring.",
                file.display(),
                settings.database.display()
            ))
        }
        Command::Db(DbCommand::Copy { to }) => database::copy(&core, &to).await,
        Command::Sandbox(SandboxCommand::SetPassword { username }) => {
            sandbox::seed(&core.store).await?;
            let (password, generated) = new_password();
            let revoked = sandbox::set_password(&core.store, &username, password.clone()).await?;
            let shown =
                if generated { format!(" New password (shown once): {}.", password.expose()) } else { String::new() };
            Ok(format!("Changed the sandbox password of {username}; {revoked} grant(s) invalidated.{shown}"))
        }
    }
}

async fn keys_command(core: &Core, command: KeysCommand) -> Result<String, CliError> {
    match command {
        KeysCommand::List => {
            let report = keys::report(core).await?;
            let mut lines = Vec::new();
            for (id, sealed) in &report.ring {
                let role = if *id == report.current { "current" } else { "older  " };
                lines.push(format!("{role} {id}  seals {sealed} stored secret(s)"));
            }
            for (id, sealed) in &report.missing {
                lines.push(format!(
                    "MISSING {id}  seals {sealed} stored secret(s) that cannot be opened: add this key back"
                ));
            }
            if report.unlabelled > 0 {
                lines.push(format!(
                    "{} stored secret(s) predate key ids: `server keys rewrap` re-seals them",
                    report.unlabelled
                ));
            }
            Ok(lines.join("\n"))
        }
        KeysCommand::Rewrap => {
            let done = keys::rewrap(core).await?;
            let current = keys::current(core);
            match done.unreadable.is_empty() {
                true => Ok(format!("Re-sealed {} token row(s), webhook secret(s) and second factor(s) with key {current}.", done.rewrapped)),
                false => Err(CliError::Report(format!(
                    "Re-sealed {} token row(s), webhook secret(s) and second factor(s) with key {current}; {} did not open with any key of the ring:\n{}",
                    done.rewrapped,
                    done.unreadable.len(),
                    done.unreadable.join("\n")
                ))),
            }
        }
        KeysCommand::Rotate | KeysCommand::Generate => {
            Err(CliError::Refused("handled before the database is opened".into()))
        }
    }
}
