//! The checks of what the service keeps: the key ring the settings name, the database (reachable,
//! every migration this build embeds applied, none it does not know), every stored secret
//! opening with the ring (counted per key), and the companies the identity providers' groups
//! name. The database is opened read-only and never migrated (`Store::inspect`); a missing key
//! file or SQLite file is reported, not created.

use super::Finding;
use crate::{core_setup, keyfile, settings::Settings};
use optin_core::{
    keyring::KeyRing,
    keys,
    store::{Database, MigrationStatus, Store},
    Core,
};

const DATABASE: &str = "database";
const KEY_RING: &str = "key ring";
const SECRETS: &str = "stored secrets";
const SSO_GROUPS: &str = "single sign-on groups";

/// Which ring the stored secrets are checked with.
enum Ring {
    /// The ring the settings name.
    Configured(KeyRing),
    /// None yet (no key file): every secret that names a key shows as sealed by a missing one,
    /// which is what it is.
    Absent,
    /// The settings name one that does not load: the secrets are not checked.
    Broken,
}

/// The key ring, the database and the stored secrets, in that order.
pub(super) async fn check(settings: &Settings) -> Vec<Finding> {
    let loaded = keyfile::existing(settings);
    let mut findings = vec![key_ring(settings, &loaded)];
    let ring = match loaded {
        Ok(Some(ring)) => Ring::Configured(ring),
        Ok(None) => Ring::Absent,
        Err(_) => Ring::Broken,
    };
    let database = match core_setup::database(settings) {
        Ok(database) => database,
        Err(error) => {
            findings.push(Finding::fail(DATABASE, error.to_string()));
            return findings;
        }
    };
    let name = describe(&database);
    if let Database::Sqlite(path) = &database {
        if !path.exists() {
            findings
                .push(Finding::warn(name, "does not exist yet: the first start creates it and applies the migrations"));
            return findings;
        }
    }
    // The store needs a ring to look at the database at all; a fresh key opens nothing stored.
    let cipher = match &ring {
        Ring::Configured(ring) => Ok(ring.clone()),
        Ring::Absent | Ring::Broken => KeyRing::new(&KeyRing::generate_key(), &[]),
    };
    let store = match cipher {
        Ok(cipher) => Store::inspect(&database, cipher).await.map_err(|error| error.to_string()),
        Err(error) => Err(error.to_string()),
    };
    let store = match store {
        Ok(store) => store,
        Err(error) => {
            findings.push(Finding::fail(name, format!("cannot be opened: {error}")));
            return findings;
        }
    };
    let complete = match store.migration_status().await {
        Ok(status) => {
            findings.push(migrations(name, &status));
            status.complete()
        }
        Err(error) => {
            findings.push(Finding::fail(name, format!("cannot read its migrations: {error}")));
            false
        }
    };
    findings.push(match (complete, &ring) {
        (false, _) => Finding::warn(SECRETS, "not checked until the database's migrations are in order"),
        (true, Ring::Broken) => Finding::warn(SECRETS, "not checked without a key ring that loads"),
        (true, Ring::Configured(_) | Ring::Absent) => match core_setup::admin_core(settings, store.clone()) {
            Ok(core) => secrets(&core, matches!(ring, Ring::Configured(_))).await,
            Err(error) => Finding::fail(SECRETS, error.to_string()),
        },
    });
    if complete {
        findings.extend(sso_groups(settings, &store).await);
    }
    store.close().await;
    findings
}

/// Whether every company the identity providers' group mappings name exists: a missing one is
/// the settings' mistake, and its group's members sign in without it. Nothing to say when no
/// provider maps groups.
async fn sso_groups(settings: &Settings, store: &Store) -> Option<Finding> {
    let mappings: Vec<(&str, &str, &str)> = settings
        .sso
        .providers
        .iter()
        .flat_map(|provider| {
            provider.companies.iter().map(|(group, company)| (provider.id.as_str(), group.as_str(), company.as_str()))
        })
        .collect();
    if mappings.is_empty() {
        return None;
    }
    let mut missing = Vec::new();
    for (provider, group, company) in &mappings {
        match store.find_company(company.trim()).await {
            Ok(Some(_)) => {}
            Ok(None) => missing.push(format!("{provider}'s group \"{group}\" names \"{company}\"")),
            Err(error) => return Some(Finding::fail(SSO_GROUPS, format!("cannot be checked: {error}"))),
        }
    }
    Some(match missing.is_empty() {
        true => Finding::ok(format!("{SSO_GROUPS}: all {} name companies that exist", mappings.len())),
        false => Finding::warn(
            SSO_GROUPS,
            format!(
                "no such company: {}; members of the group sign in without it (add the company, or correct sso.providers)",
                missing.join(", ")
            ),
        ),
    })
}

/// Where the ring comes from, and its keys by id (never the keys themselves).
fn key_ring(settings: &Settings, ring: &Result<Option<KeyRing>, String>) -> Finding {
    let file = settings.secret_key_file.display();
    match ring {
        Ok(Some(ring)) => {
            let older = ring.ids().len().saturating_sub(1);
            let source = match settings.secret_key {
                Some(_) => "secret_key".to_owned(),
                None => file.to_string(),
            };
            Finding::ok(format!("{KEY_RING} {source}: current key {}, {older} older key(s)", ring.current()))
        }
        Ok(None) => Finding::warn(KEY_RING, format!("{file} does not exist yet: the first start creates it")),
        Err(error) => Finding::fail(KEY_RING, error.clone()),
    }
}

/// `database` as it can be printed: the SQLite file, or the PostgreSQL server and database
/// without the user and password.
fn describe(database: &Database) -> String {
    format!("{DATABASE} {database}")
}

/// The database's migrations against this build's.
fn migrations(name: String, status: &MigrationStatus) -> Finding {
    if status.complete() {
        return Finding::ok(format!("{name}: reachable, all {} migrations applied", status.known));
    }
    let mut why = Vec::new();
    if !status.pending.is_empty() {
        why.push(format!(
            "{} of {} migration(s) not applied ({}): the next start applies them",
            status.pending.len(),
            status.known,
            status.pending.join(", ")
        ));
    }
    if !status.failed.is_empty() {
        why.push(format!(
            "migration(s) {} started and never finished: repair the database before starting",
            status.failed.join(", ")
        ));
    }
    if !status.altered.is_empty() {
        why.push(format!("migration(s) {} were applied with SQL other than this build's", status.altered.join(", ")));
    }
    if !status.unknown.is_empty() {
        let versions: Vec<String> = status.unknown.iter().map(i64::to_string).collect();
        why.push(format!(
            "migration(s) {} come from a newer version of the service: this one would refuse to start",
            versions.join(", ")
        ));
    }
    Finding::fail(name, why.join("; "))
}

/// Every stored secret, counted per key and opened with the ring.
async fn secrets(core: &Core, known_ring: bool) -> Finding {
    let report = match keys::report(core).await {
        Ok(report) => report,
        Err(error) => return Finding::fail(SECRETS, format!("cannot be read: {error}")),
    };
    if !report.missing.is_empty() {
        let missing: Vec<String> = report
            .missing
            .iter()
            .map(|(id, sealed)| format!("{sealed} sealed with key {id}, which is not in the key ring"))
            .collect();
        return Finding::fail(
            SECRETS,
            format!("{}: add the key back (key file or retired_keys); `server keys list`", missing.join("; ")),
        );
    }
    let opened = match keys::try_open_all(core).await {
        Ok(opened) => opened,
        Err(error) => return Finding::fail(SECRETS, format!("cannot be read: {error}")),
    };
    if !opened.unreadable.is_empty() {
        let shown: Vec<&str> = opened.unreadable.iter().take(3).map(String::as_str).collect();
        let more = opened.unreadable.len().saturating_sub(shown.len());
        let more = if more > 0 { format!("; and {more} more") } else { String::new() };
        return Finding::fail(SECRETS, format!("{} do not open: {}{more}", opened.unreadable.len(), shown.join("; ")));
    }
    let per_key: Vec<String> = match known_ring {
        true => report
            .ring
            .iter()
            .map(|(id, sealed)| {
                let role = if *id == report.current { "current" } else { "older" };
                format!("{role} key {id}: {sealed}")
            })
            .collect(),
        false => Vec::new(),
    };
    let what = match (opened.opened, per_key.is_empty()) {
        (0, _) => format!("{SECRETS}: none yet"),
        (all, true) => format!("{SECRETS}: all {all} open with the key ring"),
        (all, false) => format!("{SECRETS}: all {all} open with the key ring ({})", per_key.join(", ")),
    };
    match report.unlabelled {
        0 => Finding::ok(what),
        old => Finding::warn(what, format!("{old} were sealed before key ids: `server keys rewrap` re-seals them")),
    }
}
