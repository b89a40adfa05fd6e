//! The integration tests, in one binary: each module is an area of the service, driven from the
//! outside (HTTP, the server binary, the CLI), with the helpers they share in `common`. One
//! binary links the service once instead of once per file, which is most of a cold CI's time.
//!
//! `scripts/test.sh` runs it twice: on SQLite, then with `TEST_DATABASE=postgres` on a throwaway
//! PostgreSQL cluster, skipping the modules that choose their database or have none
//! (`postgres`, `durability`, `memory`, `release`, `assets`, `architecture`).

mod common;

mod architecture;
mod assets;
mod backups;
mod check;
mod consent_links;
mod db_copy;
mod durability;
mod embed;
mod keys;
mod languages;
mod lifecycle;
mod memory;
mod notifications;
mod opt_in;
mod postgres;
mod products;
mod pushback;
mod release;
mod retention;
mod roles;
mod sandbox;
mod second_factor_orderings;
mod second_factors;
mod security;
mod security_api_keys;
mod security_connections;
mod security_fuzz;
mod security_secrets;
mod sessions;
mod sign_in;
mod sso;
mod traces;
mod upgrades;
