//! The built site's own file names (server-only). A release build hashes each file's content
//! into its name (`optin.<hash>.css`) and lists the hashes in `hash.txt` beside the server
//! binary; pages then name those files, which never change and are cached for a year. A site
//! built without hashes keeps the plain names.

use leptos::prelude::LeptosOptions;
use std::{path::PathBuf, sync::OnceLock};

/// The hashes of the site's script, wasm and stylesheet, as the build wrote them.
#[derive(Debug, Default)]
pub struct SiteHashes {
    css: Option<String>,
    /// Whether the build hashed the file names at all.
    hashed: bool,
}

impl SiteHashes {
    /// Read once from `hash_file` beside the running binary (where the build puts it).
    pub fn get(options: &LeptosOptions) -> &'static Self {
        static HASHES: OnceLock<SiteHashes> = OnceLock::new();
        HASHES.get_or_init(|| {
            let path = std::env::current_exe()
                .ok()
                .and_then(|binary| binary.parent().map(|dir| dir.join(options.hash_file.as_ref())))
                .unwrap_or_else(|| PathBuf::from(options.hash_file.as_ref()));
            std::fs::read_to_string(path).map(|text| Self::parse(&text)).unwrap_or_default()
        })
    }

    /// `js: …`, `wasm: …` and `css: …` lines.
    fn parse(text: &str) -> Self {
        let css = text
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(file, _)| file.trim() == "css")
            .map(|(_, hash)| hash.trim().to_owned())
            .filter(|hash| !hash.is_empty());
        Self { hashed: css.is_some(), css }
    }

    /// Whether the site's files carry their content's hash in their names.
    pub fn hashed(&self) -> bool {
        self.hashed
    }

    /// The stylesheet's path: `/pkg/optin.<hash>.css`, or `/pkg/optin.css` unhashed.
    pub fn stylesheet(&self, options: &LeptosOptions) -> String {
        let name = &options.output_name;
        match &self.css {
            Some(hash) => format!("/{}/{name}.{hash}.css", options.site_pkg_dir),
            None => format!("/{}/{name}.css", options.site_pkg_dir),
        }
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
}
