//! Benchmark support for `scripts/bench.sh`, kept out of the server binary.
//!
//! - `bench seed N PRODUCT`: N companies, each authorized for PRODUCT with a grant of its own at
//!   the provider. The provider is a built-in sandbox running as a process of its own, on its own
//!   database (`BENCH_PROVIDER_DATABASE`): each grant is made the way its consent makes one (a
//!   code for the grant, taken, then a token pair), minus the browser, and the service stores the
//!   same pair as its opt-in would. Settings come from `OPTIN_*`, as for the server.
//! - `bench provider-refreshes`: how many refresh tokens the provider has issued.

use model::Product;
use optin_core::{
    audit::Actor,
    clock::now,
    secret::{random_token, token_hash},
    store::{Database, SandboxToken, Store},
    ups::TokenGrant,
};
use server::settings::Settings;
use std::{process::ExitCode, time::Duration};

/// The sandbox user every seeded grant belongs to.
const USER: &str = "shipper.one";
/// How long seeded tokens live: long enough that none comes due before the storm is started.
const LIFETIME_SECS: i64 = 4 * 60 * 60;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let run = async {
        match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["seed", count, product] => {
                let count: usize = count.parse().map_err(|_| format!("not a count: {count}"))?;
                let product = Product::parse(product).map_err(|error| error.to_string())?;
                seed(count, product).await
            }
            ["provider-refreshes"] => {
                Ok(provider().await?.sandbox_refresh_tokens().await.map_err(|e| e.to_string())?.to_string())
            }
            _ => Err("usage: bench seed N PRODUCT | bench provider-refreshes".to_owned()),
        }
    };
    match run.await {
        Ok(said) => {
            println!("{said}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("bench: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The provider's store, with a throwaway key (the sandbox seals nothing).
async fn provider() -> Result<Store, String> {
    let url = std::env::var("BENCH_PROVIDER_DATABASE").map_err(|_| "set BENCH_PROVIDER_DATABASE".to_owned())?;
    let key = optin_core::keyring::KeyRing::generate_key();
    let ring = optin_core::keyring::KeyRing::new(&key, &[]).map_err(|e| e.to_string())?;
    Store::connect(&Database::parse(&url).map_err(|e| e.to_string())?, ring, 8).await.map_err(|e| e.to_string())
}

async fn seed(count: usize, product: Product) -> Result<String, String> {
    let settings = Settings::load(None).map_err(|e| e.to_string())?;
    let core = server::startup::open_admin_core(&settings).await.map_err(|e| e.to_string())?;
    let provider = provider().await?;
    server::sandbox::seed(&provider).await.map_err(|e| e.to_string())?;
    let client_id = format!("sandbox-{}", product.slug());
    let mut seeding = tokio::task::JoinSet::new();
    let started = std::time::Instant::now();
    // Names unique to this run: a script may seed more than once.
    let run = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis();
    for index in 0..count {
        let (core, provider, client_id) = (core.clone(), provider.clone(), client_id.clone());
        seeding.spawn(async move {
            let company = optin_core::companies::create_company(&core, &format!("Bench {run}-{index:05}"))
                .await
                .map_err(|e| e.to_string())?;
            let code = random_token();
            let (code_hash, expires) = (token_hash(code.expose()), now() + 60);
            let redirect = format!("http://127.0.0.1/oauth/{}/callback", product.slug());
            provider
                .sandbox_issue_code(&client_id, USER, &code_hash, &redirect, None, expires)
                .await
                .map_err(|e| e.to_string())?;
            let grant =
                provider.sandbox_take_code(&code_hash).await.map_err(|e| e.to_string())?.ok_or("no code")?.grant_id;
            let (access, refresh) = (random_token(), random_token());
            let (access_hash, refresh_hash) = (token_hash(access.expose()), token_hash(refresh.expose()));
            let expires_at = now() + LIFETIME_SECS;
            provider
                .sandbox_issue_tokens(
                    grant,
                    SandboxToken { hash: &access_hash, expires_at },
                    SandboxToken { hash: &refresh_hash, expires_at: now() + 60 * 24 * 60 * 60 },
                )
                .await
                .map_err(|e| e.to_string())?;
            let pair = TokenGrant {
                access_token: access,
                refresh_token: Some(refresh),
                expires_in: Duration::from_secs(LIFETIME_SECS as u64),
                refresh_expires_in: None,
            };
            core.store.store_grant(&Actor::Service, company, product, &pair).await.map_err(|e| e.to_string())?;
            Ok::<_, String>(())
        });
        // A few at a time: the databases, not this loop, set the pace.
        while seeding.len() >= 16 {
            seeding.join_next().await.expect("a task").map_err(|e| e.to_string())??;
        }
    }
    while let Some(done) = seeding.join_next().await {
        done.map_err(|e| e.to_string())??;
    }
    Ok(format!("seeded {count} authorizations of {} in {:.1} s", product.slug(), started.elapsed().as_secs_f64()))
}
