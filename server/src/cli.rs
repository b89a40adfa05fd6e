//! Command-line administration: users, companies, memberships, and the sandbox's UPS.com
//! password change. New passwords come from `OPTIN_NEW_PASSWORD` (never a command-line argument,
//! which other local users can read) or are generated and printed once.

use crate::{sandbox, settings::Settings, startup::open_admin_core};
use clap::{Parser, Subcommand};
use model::Product;
use optin_core::{
    accounts::{create_user, find_user},
    api_keys,
    companies::{add_admin, create_company, find_company},
    secret::{random_token, SecretString},
    CoreError,
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
    /// Make a user an admin of a company.
    #[command(subcommand)]
    Member(MemberCommand),
    /// The built-in UPS sandbox.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// API keys for the products' backends (the token API).
    #[command(subcommand)]
    ApiKey(ApiKeyCommand),
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key for one product; the key is shown once.
    Create {
        /// reverse-logistics, pickup-manager or data-management
        product: String,
        #[arg(long, default_value = "")]
        label: String,
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
    },
}

#[derive(Debug, Subcommand)]
pub enum CompanyCommand {
    Add { name: String },
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    Add { sign_in_name: String, company: String },
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

/// Runs an administration command; `Ok(message)` is printed to stdout.
pub async fn run(settings: &Settings, command: Command) -> Result<String, String> {
    let core = open_admin_core(settings).await.map_err(|e| e.to_string())?;
    let db = &core;
    let fail = |e: CoreError| e.to_string();
    match command {
        Command::Serve { .. } => Err("serve is not an administration command".into()),
        Command::User(UserCommand::Add { sign_in_name, display_name, company }) => {
            let company = match company {
                Some(name) => Some(find_company(db, &name).await.map_err(fail)?),
                None => None,
            };
            let (password, generated) = new_password();
            let user = create_user(db, &sign_in_name, &display_name, password.clone()).await.map_err(fail)?;
            if let Some(company) = company {
                add_admin(db, user, company).await.map_err(fail)?;
            }
            Ok(match generated {
                true => format!("Added {sign_in_name}. Password (shown once): {}", password.expose()),
                false => format!("Added {sign_in_name}."),
            })
        }
        Command::Company(CompanyCommand::Add { name }) => {
            let id = create_company(db, &name).await.map_err(fail)?;
            Ok(format!("Added company {name} (number {id})."))
        }
        Command::Member(MemberCommand::Add { sign_in_name, company }) => {
            let user = find_user(db, &sign_in_name).await.map_err(fail)?;
            let company_id = find_company(db, &company).await.map_err(fail)?;
            add_admin(db, user, company_id).await.map_err(fail)?;
            Ok(format!("{sign_in_name} now administers {company}."))
        }
        Command::ApiKey(ApiKeyCommand::Create { product, label }) => {
            let product = Product::parse(&product).map_err(|e| e.to_string())?;
            let (prefix, key) = api_keys::create(db, product, &label).await.map_err(fail)?;
            Ok(format!("Created API key {prefix}… for {product}. Key (shown once): {}", key.expose()))
        }
        Command::ApiKey(ApiKeyCommand::Revoke { prefix }) => {
            match api_keys::revoke(db, &prefix).await.map_err(fail)? {
                true => Ok(format!("Revoked API key {prefix}.")),
                false => Err(format!("No active API key has the prefix {prefix}.")),
            }
        }
        Command::Sandbox(SandboxCommand::SetPassword { username }) => {
            sandbox::seed(&core.store).await.map_err(|e| e.to_string())?;
            let (password, generated) = new_password();
            let revoked =
                sandbox::set_password(&core.store, &username, password.clone()).await.map_err(|e| e.to_string())?;
            let shown =
                if generated { format!(" New password (shown once): {}.", password.expose()) } else { String::new() };
            Ok(format!("Changed the sandbox password of {username}; {revoked} grant(s) invalidated.{shown}"))
        }
    }
}
