//! A throwaway PostgreSQL cluster for the tests of one test binary: `pg_virtualenv` (Debian's
//! `postgresql-common`) creates it on first use, and removes it when the binary exits (its
//! standard input, held open until then, closes). Each test gets a database of its own in it.

use std::{
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Mutex, OnceLock,
    },
};

struct Cluster {
    /// `postgres://user:password@host:port`, without a database.
    server: String,
    /// Kept so the cluster lives as long as the test binary.
    _process: Mutex<Child>,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static DATABASES: AtomicUsize = AtomicUsize::new(0);

fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(|| {
        // The connection details go to a file: pg_virtualenv's own output must stay writable
        // until it has dropped the cluster (a closed pipe would kill it first).
        let details = std::env::temp_dir().join(format!("optin-test-cluster-{}", std::process::id()));
        let _ = std::fs::remove_file(&details);
        let child = Command::new("pg_virtualenv")
            // `-t`: in a temporary directory even as root, so nothing is shared between runs.
            .args([
                "-t",
                "sh",
                "-c",
                r#"echo "$PGHOST $PGPORT $PGUSER $PGPASSWORD" > "$0.tmp" && mv "$0.tmp" "$0"; read _"#,
            ])
            .arg(&details)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pg_virtualenv runs (Debian's postgresql package; scripts/setup.sh --test installs it)");
        let started = std::time::Instant::now();
        let line = loop {
            if let Ok(line) = std::fs::read_to_string(&details) {
                break line;
            }
            assert!(started.elapsed() < std::time::Duration::from_secs(60), "pg_virtualenv starts a cluster");
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        let _ = std::fs::remove_file(&details);
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [host, port, user, password] = fields[..] else { panic!("unexpected cluster details {line:?}") };
        // PGHOST is a socket directory or a host name; either way the cluster listens on
        // loopback TCP too.
        let host = if host.starts_with('/') { "127.0.0.1" } else { host };
        Cluster { server: format!("postgres://{user}:{password}@{host}:{port}"), _process: Mutex::new(child) }
    })
}

/// A new, empty database in the test binary's cluster: its URL.
pub async fn fresh_database() -> String {
    let cluster = cluster();
    let name = format!("optin_{}_{}", std::process::id(), DATABASES.fetch_add(1, Ordering::SeqCst));
    let admin = sqlx::PgPool::connect(&format!("{}/postgres", cluster.server)).await.expect("the cluster answers");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.expect("a database is created");
    admin.close().await;
    format!("{}/{name}", cluster.server)
}
