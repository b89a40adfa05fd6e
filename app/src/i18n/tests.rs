//! The catalogs hold the same messages, with the same arguments, in every locale, and every key
//! the code asks for exists.

use super::{bundle_of, sources, text, Locale, AREAS};
use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

/// A catalog's messages (and terms), each with the arguments (`$name`) it uses.
fn messages(source: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut messages = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in source.lines() {
        let starts_entry = line.starts_with(|c: char| c.is_ascii_alphabetic() || c == '-');
        if starts_entry {
            let id = line.split('=').next().unwrap_or_default().trim().to_owned();
            messages.insert(id.clone(), BTreeSet::new());
            current = Some(id);
        } else if line.starts_with('#') || line.trim().is_empty() && !line.starts_with(' ') {
            if line.starts_with('#') {
                current = None;
            }
            continue;
        }
        let Some(id) = &current else { continue };
        let arguments = messages.get_mut(id).expect("the current message was inserted");
        for (index, _) in line.match_indices('$') {
            let name: String =
                line[index + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
            arguments.insert(name);
        }
    }
    messages
}

#[test]
fn every_catalog_parses_and_holds_what_english_holds() {
    let english = sources(Locale::En);
    for locale in Locale::ALL {
        // Building the bundle panics on a catalog that does not parse or repeats a message.
        let _ = text(locale, "page-not-found", None);
        for (area, (source, reference)) in AREAS.iter().zip(sources(locale).iter().zip(english)) {
            let (found, wanted) = (messages(source), messages(reference));
            let missing: Vec<_> = wanted.keys().filter(|key| !found.contains_key(*key)).collect();
            let extra: Vec<_> = found.keys().filter(|key| !wanted.contains_key(*key)).collect();
            assert!(missing.is_empty(), "locales/{}/{area}.ftl lacks {missing:?}", locale.tag());
            assert!(extra.is_empty(), "locales/{}/{area}.ftl has {extra:?}, which English does not", locale.tag());
            for (key, arguments) in &wanted {
                assert_eq!(&found[key], arguments, "locales/{}/{area}.ftl: {key} takes other arguments", locale.tag());
            }
        }
    }
}

/// Every `t!("key"…)` and `t!(locale => "key"…)` in the app and the server.
fn keys_used(root: &Path, keys: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(root).expect("a source folder") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            keys_used(&path, keys);
            continue;
        }
        // The macro's own definition and these tests name keys only as examples.
        let examples = path.ends_with("src/i18n.rs") || path.ends_with("i18n/tests.rs");
        if examples || path.extension().is_none_or(|extension| extension != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("a source file");
        for (index, _) in source.match_indices("t!(") {
            // `t!(`, `crate::t!(`, `app::t!(`; not `format!(` nor `assert!(`.
            if source[..index].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &source[index + 3..];
            let Some(open) = rest.find('"') else { continue };
            let before = &rest[..open];
            if !(before.trim().is_empty() || before.contains("=>")) || before.contains(')') {
                continue;
            }
            let key: String = rest[open + 1..].chars().take_while(|c| *c != '"').collect();
            keys.insert(key);
        }
    }
}

#[test]
fn every_key_the_code_asks_for_is_in_the_catalogs() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut keys = BTreeSet::new();
    keys_used(&manifest.join("src"), &mut keys);
    keys_used(&manifest.join("../server/src"), &mut keys);
    assert!(keys.len() > 20, "the scan found the keys: {keys:?}");
    let missing: Vec<_> = keys.iter().filter(|key| !bundle_of(Locale::En).has_message(key)).collect();
    assert!(missing.is_empty(), "keys asked for but in no catalog: {missing:?}");
}

#[test]
fn arguments_are_set_without_isolation_marks() {
    let english = text(Locale::En, "embed-signed-in-as", Some(&[("user", "Pat")].into_iter().collect()));
    assert_eq!(english, "Signed in to your portal as Pat.");
    assert_ne!(text(Locale::FrCa, "embed-signed-in-as", None), text(Locale::En, "embed-signed-in-as", None));
}
