//! The built site's own file names (server-only). A release build hashes each file's content
//! into its name (`optin.<hash>.css`) and lists the hashes in `hash.txt`; pages then name those
//! files, which never change and are cached for a year. A site built without hashes keeps the
//! plain names.
//!
//! The hashes travel with the site: `<site_root>/hash.txt` (where `scripts/package.sh` puts it)
//! wins. Without one, the `hash.txt` the build left beside the binary is used, but only when the
//! site holds the files it names, so a binary copied away from its build never names files from
//! another one. [`Site::open`] refuses a site that lacks the files its pages would name.

use leptos::prelude::LeptosOptions;
use std::{
    path::{Path, PathBuf},
    sync::OnceLock,
};

/// The name the build gives the site's script, wasm and stylesheet (`optin.js`, …).
pub const OUTPUT_NAME: &str = "optin";
/// The site's folder for them.
pub const PKG_DIR: &str = "pkg";
/// The file that lists their hashes.
const HASH_FILE: &str = "hash.txt";

/// The hashes of the site's script, wasm and stylesheet, as the build wrote them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SiteHashes {
    js: Option<String>,
    wasm: Option<String>,
    css: Option<String>,
}

/// A site found complete: where its hashes came from, if anywhere, and what they are.
#[derive(Debug)]
pub struct Site {
    /// The `hash.txt` the pages' names come from; `None` for plain names.
    pub hash_file: Option<PathBuf>,
    pub hashes: SiteHashes,
}

/// A site root that lacks a file its pages would name.
#[derive(Debug, thiserror::Error)]
#[error(
    "the site at {root} lacks {missing}, which its pages would name ({names}). Point site_root \
     (OPTIN_SITE_ROOT) at the site that was built with this release, hash.txt and pkg/ together"
)]
pub struct SiteError {
    pub root: PathBuf,
    /// The missing file, relative to the site root.
    pub missing: String,
    /// Where the names came from.
    pub names: String,
}

impl Site {
    /// Finds the names the site's pages will use and checks the site holds those files.
    pub fn open(site_root: &Path) -> Result<Self, SiteError> {
        let beside_binary =
            std::env::current_exe().ok().and_then(|binary| binary.parent().map(|dir| dir.join(HASH_FILE)));
        Self::open_with(site_root, beside_binary.as_deref())
    }

    fn open_with(site_root: &Path, beside_binary: Option<&Path>) -> Result<Self, SiteError> {
        let read =
            |path: &Path| std::fs::read_to_string(path).ok().map(|text| (path.to_path_buf(), SiteHashes::parse(&text)));
        let in_site = read(&site_root.join(HASH_FILE));
        let (hash_file, hashes) = match in_site {
            Some((path, hashes)) => (Some(path), hashes),
            None => match beside_binary.and_then(read) {
                Some((path, hashes)) if hashes.missing_from(site_root).is_none() => (Some(path), hashes),
                _ => (None, SiteHashes::default()),
            },
        };
        let site = Self { hash_file, hashes };
        match site.hashes.missing_from(site_root) {
            None => Ok(site),
            Some(missing) => Err(SiteError {
                root: site_root.to_path_buf(),
                missing,
                names: match &site.hash_file {
                    Some(path) => format!("hashes from {}", path.display()),
                    None => "no hash.txt in the site: plain names".into(),
                },
            }),
        }
    }
}

impl SiteHashes {
    /// Read once, from the `hash_file` the server set (absolute: see `server::startup`); plain
    /// names when the options say the files are not hashed. One site per process.
    pub fn get(options: &LeptosOptions) -> &'static Self {
        static HASHES: OnceLock<SiteHashes> = OnceLock::new();
        HASHES.get_or_init(|| {
            if !options.hash_files {
                return Self::default();
            }
            std::fs::read_to_string(options.hash_file.as_ref()).map(|text| Self::parse(&text)).unwrap_or_default()
        })
    }

    /// `js: …`, `wasm: …` and `css: …` lines.
    fn parse(text: &str) -> Self {
        let hash = |wanted: &str| {
            text.lines()
                .filter_map(|line| line.split_once(':'))
                .find(|(file, _)| file.trim() == wanted)
                .map(|(_, hash)| hash.trim().to_owned())
                .filter(|hash| !hash.is_empty())
        };
        Self { js: hash("js"), wasm: hash("wasm"), css: hash("css") }
    }

    /// Whether the site's files carry their content's hash in their names.
    pub fn hashed(&self) -> bool {
        self.css.is_some()
    }

    /// The stylesheet's path: `/pkg/optin.<hash>.css`, or `/pkg/optin.css` unhashed.
    pub fn stylesheet(&self, options: &LeptosOptions) -> String {
        let name = &options.output_name;
        match &self.css {
            Some(hash) => format!("/{}/{name}.{hash}.css", options.site_pkg_dir),
            None => format!("/{}/{name}.css", options.site_pkg_dir),
        }
    }

    /// The first file the pages would name that `site_root` lacks (relative to it), if any.
    /// Unhashed, the wasm may be `optin.wasm` (cargo-leptos) or `optin_bg.wasm` (wasm-bindgen's).
    fn missing_from(&self, site_root: &Path) -> Option<String> {
        let name = |extension: &str, hash: &Option<String>| match hash {
            Some(hash) => vec![format!("{PKG_DIR}/{OUTPUT_NAME}.{hash}.{extension}")],
            None if extension == "wasm" => {
                vec![format!("{PKG_DIR}/{OUTPUT_NAME}.wasm"), format!("{PKG_DIR}/{OUTPUT_NAME}_bg.wasm")]
            }
            None => vec![format!("{PKG_DIR}/{OUTPUT_NAME}.{extension}")],
        };
        [("js", &self.js), ("wasm", &self.wasm), ("css", &self.css)].into_iter().find_map(|(extension, hash)| {
            let candidates = name(extension, hash);
            let found = candidates.iter().any(|file| site_root.join(file).is_file());
            (!found).then(|| candidates.join(" or "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_hashed_stylesheet_and_falls_back_to_the_plain_one() {
        let options = LeptosOptions::builder().output_name("optin").site_pkg_dir("pkg").build();
        let hashes = SiteHashes::parse("js: AbC\nwasm: dEf\ncss: Gh-_i\n");
        assert!(hashes.hashed());
        assert_eq!(hashes.stylesheet(&options), "/pkg/optin.Gh-_i.css");
        let plain = SiteHashes::parse("");
        assert!(!plain.hashed());
        assert_eq!(plain.stylesheet(&options), "/pkg/optin.css");
    }

    fn write(root: &Path, files: &[&str]) {
        for file in files {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, file).unwrap();
        }
    }

    const HASHES: &str = "js: AbC\nwasm: dEf\ncss: Gh-_i\n";
    const HASHED: [&str; 3] = ["pkg/optin.AbC.js", "pkg/optin.dEf.wasm", "pkg/optin.Gh-_i.css"];

    #[test]
    fn the_hashes_in_the_site_win_over_the_binarys() {
        let (site, build) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        write(site.path(), &HASHED);
        std::fs::write(site.path().join("hash.txt"), HASHES).unwrap();
        std::fs::write(build.path().join("hash.txt"), "js: x\nwasm: y\ncss: z\n").unwrap();
        let opened = Site::open_with(site.path(), Some(&build.path().join("hash.txt"))).unwrap();
        assert_eq!(opened.hash_file.as_deref(), Some(site.path().join("hash.txt").as_path()));
        assert_eq!(opened.hashes, SiteHashes::parse(HASHES));
    }

    #[test]
    fn the_binarys_hashes_name_only_files_the_site_has() {
        let (site, build) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        write(site.path(), &HASHED);
        std::fs::write(build.path().join("hash.txt"), HASHES).unwrap();
        let beside = build.path().join("hash.txt");
        // The site the build wrote (`target/site`, its hashes beside `target/release/server`).
        assert_eq!(Site::open_with(site.path(), Some(&beside)).unwrap().hash_file, Some(beside.clone()));
        // A plain site with a stale hash.txt beside the binary: plain names.
        let plain = tempfile::tempdir().unwrap();
        write(plain.path(), &["pkg/optin.js", "pkg/optin.wasm", "pkg/optin.css"]);
        let opened = Site::open_with(plain.path(), Some(&beside)).unwrap();
        assert_eq!((opened.hash_file, opened.hashes.hashed()), (None, false));
    }

    #[test]
    fn a_site_is_refused_when_a_file_its_pages_name_is_missing() {
        // Hashed files copied without their hash.txt: the pages would name plain files.
        let copied = tempfile::tempdir().unwrap();
        write(copied.path(), &HASHED);
        let refused = Site::open_with(copied.path(), None).unwrap_err();
        assert_eq!(refused.missing, "pkg/optin.js");
        assert!(refused.to_string().contains("no hash.txt in the site: plain names"), "{refused}");
        // hash.txt travelled but the stylesheet did not.
        let partial = tempfile::tempdir().unwrap();
        write(partial.path(), &HASHED[..2]);
        std::fs::write(partial.path().join("hash.txt"), HASHES).unwrap();
        let refused = Site::open_with(partial.path(), None).unwrap_err();
        assert_eq!(refused.missing, "pkg/optin.Gh-_i.css");
        // An empty folder.
        let empty = tempfile::tempdir().unwrap();
        assert!(Site::open_with(empty.path(), None).is_err());
    }
}
