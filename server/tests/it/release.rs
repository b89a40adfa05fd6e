//! The release as operators get it from `scripts/package.sh`: the archive unpacked into an empty
//! folder far from `target/` serves its pages and the widget with the files they name (hashed,
//! byte for byte the site's); a site that lacks them is refused at start, saying what is missing;
//! and the Debian package installs with `dpkg`, its installed binary serving the widget from the
//! installed paths with the settings its systemd unit names.

use crate::{
    assets::assets_named_by,
    common::service::{self, Service},
};
use reqwest::{header, StatusCode};
use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

/// Where `scripts/package.sh` leaves its archive (and the staging folder it was made from).
fn package_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/package")
}

/// The archive `scripts/package.sh` made of this very build.
fn archive() -> PathBuf {
    let found = std::fs::read_dir(package_dir()).ok().and_then(|entries| {
        entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .find(|path| path.to_string_lossy().ends_with("-x86_64-linux.tar.gz"))
    });
    found.expect("no release archive in target/package: run scripts/package.sh --no-build after the release build")
}

/// The archive unpacked into `into`: its `optin` folder. Its binary must be this build's.
fn unpack(into: &Path) -> PathBuf {
    let status = Command::new("tar").arg("-xzf").arg(archive()).arg("-C").arg(into).status().expect("tar runs");
    assert!(status.success(), "the archive unpacks");
    let release = into.join("optin");
    let packaged = std::fs::read(release.join("bin/server")).expect("the archive holds bin/server");
    let built = std::fs::read(env!("CARGO_BIN_EXE_server")).expect("this build's server");
    assert!(packaged == built, "the archive is older than this build: run scripts/package.sh --no-build");
    release
}

/// Runs `binary` with `args` and `settings` (`OPTIN_…`, on top of none inherited): whether it
/// succeeded, and everything it printed.
fn run(binary: &Path, args: &[&str], settings: &[(&str, &str)]) -> (bool, String) {
    let mut command = service::operator_command(binary);
    let output = command.args(args).env("RUST_LOG", "warn").envs(settings.iter().copied()).output().expect("it runs");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

/// Starts `binary` serving with `settings`, expecting it to refuse: what it said.
fn refused_start(binary: &Path, settings: &[(&str, &str)]) -> String {
    let mut command = service::operator_command(binary);
    let mut child = command
        .env("OPTIN_LISTEN", "127.0.0.1:0")
        .env("OPTIN_SEED_DEMO", "false")
        .env("OPTIN_UPS__ENVIRONMENT", "sandbox")
        .env("RUST_LOG", "warn")
        .envs(settings.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let began = Instant::now();
    while child.try_wait().expect("its status").is_none() {
        if began.elapsed() > Duration::from_secs(20) {
            child.kill().expect("SIGKILL");
            panic!("the server started on a site it should refuse");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("its output");
    assert!(!output.status.success(), "a refused start fails");
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// The settings that point a binary at `data`'s database and key file.
fn data_settings(data: &Path) -> [(&'static str, String); 2] {
    [
        ("OPTIN_DATABASE", data.join("optin.db").to_string_lossy().into_owned()),
        ("OPTIN_SECRET_KEY_FILE", data.join("secret.key").to_string_lossy().into_owned()),
    ]
}

const PORTAL: &str = "https://portal.example.com";

/// A company and a Data Management API key made with `binary`'s own commands, as an operator
/// would: (the company's number, the key).
fn company_and_key(binary: &Path, settings: &[(&str, &str)]) -> (i64, String) {
    let (ok, added) = run(binary, &["company", "add", "Release Co"], settings);
    assert!(ok, "{added}");
    let number = added.split("(number ").nth(1).and_then(|rest| rest.split(')').next()).expect("its number");
    let (ok, created) = run(binary, &["api-key", "create", "data-management", "--company", "Release Co"], settings);
    assert!(ok, "{created}");
    let key = created.split("Key (shown once): ").nth(1).expect("the key").trim().to_owned();
    (number.parse().expect("a company number"), key)
}

/// The widget as a portal opens it from `service`: a session made with `key`, the page loaded
/// into the portal's frame. Every file it names is served, hashed and byte for byte `site`'s.
async fn the_widget_comes_with_its_files(service: &Service, key: &str, company: i64, site: &Path) {
    let http = reqwest::Client::builder().no_brotli().no_gzip().build().unwrap();
    let session: serde_json::Value = http
        .post(service.base.join("/api/v1/embed/sessions").unwrap())
        .bearer_auth(key)
        .json(&serde_json::json!({ "company": company, "user": { "id": "u-1", "name": "Pat" } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let widget_url = url::Url::parse(session["widget_url"].as_str().unwrap_or_else(|| panic!("{session}"))).unwrap();
    // The widget's own address under the service's public URL; this process is reached locally.
    let mut local = service.base.join(widget_url.path()).unwrap();
    local.set_query(widget_url.query());
    let page = http.get(local).header("sec-fetch-dest", "iframe").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains(r#"name="key""#), "the widget opened: {page}");
    let assets = assets_named_by(&page);
    for kind in [".js", ".wasm", ".css"] {
        assert!(
            assets.iter().any(|path| path.ends_with(kind) && path.len() == "/pkg/optin.".len() + 22 + kind.len()),
            "the widget names its hashed {kind} file: {assets:?}"
        );
    }
    for path in &assets {
        let response = http.get(service.base.join(path).unwrap()).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()[header::CACHE_CONTROL], "public, max-age=31536000, immutable", "{path}");
        let expected = std::fs::read(site.join(path.trim_start_matches('/'))).expect("the site's file");
        assert!(response.bytes().await.unwrap() == expected, "{path}: not the site's file");
    }
}

#[tokio::test]
async fn the_archive_unpacked_anywhere_serves_pages_and_the_widget_with_their_files() {
    let elsewhere = tempfile::tempdir().unwrap();
    let release = unpack(elsewhere.path());
    let (binary, site) = (release.join("bin/server"), release.join("site"));
    let data = tempfile::tempdir().unwrap();
    let owned = data_settings(data.path());
    let mut settings: Vec<(&str, &str)> = owned.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let (company, key) = company_and_key(&binary, &settings);

    let origins = format!(r#"["{PORTAL}"]"#);
    settings.extend([
        ("OPTIN_SITE_ROOT", site.to_str().unwrap()),
        ("OPTIN_EMBED__DATA_MANAGEMENT__ALLOWED_ORIGINS", &origins),
    ]);
    let mut checked = settings.clone();
    checked.push(("OPTIN_UPS__ENVIRONMENT", "sandbox"));
    let (ok, report) = run(&binary, &["check"], &checked);
    assert!(ok && report.contains(&format!("ok   site {}", site.display())), "{report}");

    let service = Service::start_binary(&binary, data.path(), &settings);
    let page = reqwest::get(service.base.join("/sign-in").unwrap()).await.unwrap().text().await.unwrap();
    let named = assets_named_by(&page);
    assert!(named.iter().any(|path| path.ends_with(".css")), "the sign-in page names its stylesheet: {named:?}");
    for path in &named {
        let file = site.join(path.trim_start_matches('/'));
        assert!(file.is_file(), "{path} is in the copied site");
    }
    the_widget_comes_with_its_files(&service, &key, company, &site).await;
    service.terminate();
}

#[tokio::test]
async fn a_site_that_lacks_the_files_its_pages_name_is_refused_at_start() {
    let elsewhere = tempfile::tempdir().unwrap();
    let release = unpack(elsewhere.path());
    let binary = release.join("bin/server");
    let data = tempfile::tempdir().unwrap();
    let owned = data_settings(data.path());
    let settings: Vec<(&str, &str)> = owned.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let with_site = |site: &Path| {
        let mut all = settings.clone();
        all.push(("OPTIN_SITE_ROOT", site.to_str().unwrap()));
        refused_start(&binary, &all)
    };

    // The hashed files copied without their hash.txt: the pages would name the plain files.
    let site = release.join("site");
    let hashes = std::fs::read_to_string(site.join("hash.txt")).unwrap();
    std::fs::remove_file(site.join("hash.txt")).unwrap();
    let said = with_site(&site);
    assert!(said.contains("lacks pkg/optin.js, which its pages would name (no hash.txt in the site"), "{said}");
    assert!(said.contains("OPTIN_SITE_ROOT"), "it says what to set: {said}");

    // hash.txt back, the stylesheet gone.
    std::fs::write(site.join("hash.txt"), &hashes).unwrap();
    let css = hashes.lines().find_map(|line| line.strip_prefix("css:")).unwrap().trim().to_owned();
    std::fs::remove_file(site.join(format!("pkg/optin.{css}.css"))).unwrap();
    let said = with_site(&site);
    assert!(said.contains(&format!("lacks pkg/optin.{css}.css")), "{said}");

    // No site at all.
    let empty = tempfile::tempdir().unwrap();
    assert!(with_site(empty.path()).contains("lacks pkg/optin.js"));
}

/// The installed Debian package, purged again when dropped.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = Command::new("dpkg").args(["--purge", "optin"]).stdout(Stdio::null()).status();
    }
}

#[tokio::test]
async fn the_debian_package_installs_and_serves_the_widget_from_its_paths() {
    let user = Command::new("id").arg("-u").output().expect("id runs");
    assert_eq!(String::from_utf8_lossy(&user.stdout).trim(), "0", "dpkg -i needs root (CI runs as root)");
    let debian = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/debian");
    let package = std::fs::read_dir(&debian)
        .ok()
        .and_then(|entries| {
            entries.filter_map(Result::ok).map(|entry| entry.path()).find(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                name.starts_with("optin_") && name.ends_with(".deb")
            })
        })
        .expect("no Debian package in target/debian: run scripts/package.sh --no-build after the release build");
    let modified = |path: &Path| std::fs::metadata(path).and_then(|meta| meta.modified()).expect("a file's time");
    assert!(
        modified(&package) >= modified(Path::new(env!("CARGO_BIN_EXE_server"))),
        "the package is older than this build: run scripts/package.sh --no-build"
    );

    let _ = Command::new("dpkg").args(["--purge", "optin"]).stdout(Stdio::null()).status();
    let installed = Command::new("dpkg").arg("-i").arg(&package).output().expect("dpkg runs");
    let _purged_after = Installed;
    assert!(installed.status.success(), "dpkg -i: {}", String::from_utf8_lossy(&installed.stderr));
    let binary = Path::new("/usr/bin/optin");
    let site = Path::new("/usr/share/optin/site");
    for file in [binary, &site.join("hash.txt"), Path::new("/etc/optin/optin.toml")] {
        assert!(file.is_file(), "the package installs {}", file.display());
    }
    let (_, conffiles) = run(Path::new("dpkg-query"), &["--showformat=${Conffiles}", "--show", "optin"], &[]);
    assert!(conffiles.contains("/etc/optin/optin.toml"), "the settings are a conffile: {conffiles}");

    // The settings file the unit names, as the unit runs it.
    let unit = std::fs::read_to_string("/lib/systemd/system/optin.service").expect("the systemd unit");
    let config = unit.lines().find_map(|line| line.strip_prefix("Environment=OPTIN_CONFIG=")).expect("OPTIN_CONFIG");
    assert!(unit.contains("ExecStart=/usr/bin/optin serve"), "{unit}");
    let data = tempfile::tempdir().unwrap();
    let owned = data_settings(data.path());
    let origins = format!(r#"["{PORTAL}"]"#);
    let mut settings: Vec<(&str, &str)> = owned.iter().map(|(name, value)| (*name, value.as_str())).collect();
    settings.extend([
        ("OPTIN_CONFIG", config),
        ("OPTIN_LOG_FORMAT", "text"),
        ("OPTIN_UPS__ENVIRONMENT", "sandbox"),
        ("OPTIN_EMBED__DATA_MANAGEMENT__ALLOWED_ORIGINS", origins.as_str()),
    ]);
    let (company, key) = company_and_key(binary, &settings);
    let (_, report) = run(binary, &["check"], &settings);
    assert!(report.contains("ok   site /usr/share/optin/site"), "the installed site is complete:\n{report}");

    let service = Service::start_binary(binary, data.path(), &settings);
    the_widget_comes_with_its_files(&service, &key, company, site).await;
    service.terminate();
}
