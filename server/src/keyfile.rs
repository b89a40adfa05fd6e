//! Where the key ring comes from: `secret_key` (with `retired_keys`) from the settings, or else
//! the key file, one key per line with the current key first; and `server keys rotate`, which
//! puts a new current key at the top of that file. The sealing is `optin_core::keyring`.

use crate::settings::Settings;
use optin_core::{
    keyring::{KeyId, KeyRing},
    secret::SecretString,
};
use std::path::Path;

const HEADER: &str = "# OAuth Opt-In key ring: the first key seals, the keys after it only open what they sealed.\n\
                      # Written by `server keys rotate`. Keep this file private (0600) and backed up.\n";

/// The ring the settings name; a missing key file is created with a fresh key (mode 0600), so a
/// first start needs nothing.
pub fn load(settings: &Settings) -> Result<KeyRing, String> {
    if let Some(ring) = existing(settings)? {
        return Ok(ring);
    }
    let key = KeyRing::generate_key();
    write_new(&settings.secret_key_file, &[key.clone()])?;
    tracing::info!(file = %settings.secret_key_file.display(), "created a new secret key");
    ring(key, Vec::new(), settings)
}

/// The ring the settings name, creating nothing: `None` when the key comes from a key file that
/// does not exist yet (`server check` reads it this way).
pub fn existing(settings: &Settings) -> Result<Option<KeyRing>, String> {
    let (current, older) = match &settings.secret_key {
        Some(key) => (key.clone(), Vec::new()),
        None => match read(&settings.secret_key_file)? {
            Some(mut keys) => (keys.remove(0), keys),
            None => return Ok(None),
        },
    };
    ring(current, older, settings).map(Some)
}

/// `current` and `older`, with the settings' retired keys after them.
fn ring(current: SecretString, mut older: Vec<SecretString>, settings: &Settings) -> Result<KeyRing, String> {
    older.extend(settings.retired_keys.iter().cloned());
    KeyRing::new(&current, &older).map_err(|error| error.to_string())
}

/// The keys of a key file, current first; `None` when there is no file.
fn read(path: &Path) -> Result<Option<Vec<SecretString>>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(format!("{}: {error}", path.display())),
    };
    let keys: Vec<SecretString> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(SecretString::new)
        .collect();
    if keys.is_empty() {
        return Err(format!("{}: holds no key", path.display()));
    }
    Ok(Some(keys))
}

/// Makes a new current key at the top of the key file, keeping the others for reading; returns
/// (new, previous) current key ids. Running instances keep sealing with the previous key until
/// they restart, and open both after that.
pub fn rotate(settings: &Settings) -> Result<(KeyId, KeyId), String> {
    if settings.secret_key.is_some() {
        return Err("The current key comes from the settings (secret_key, OPTIN_SECRET_KEY), not from the key file. \
                    To rotate it, set secret_key to a new key (`server keys generate` prints one), add the old key to \
                    retired_keys (OPTIN_RETIRED_KEYS), restart every instance, then run `server keys rewrap`."
            .into());
    }
    let path = &settings.secret_key_file;
    let keys = read(path)?
        .ok_or_else(|| format!("{}: no key file to rotate (the service creates it on first start)", path.display()))?;
    let previous = KeyRing::id_of(&keys[0]).map_err(|error| format!("{}: {error}", path.display()))?;
    let key = KeyRing::generate_key();
    let new = KeyRing::id_of(&key).map_err(|error| error.to_string())?;
    let mut ring = vec![key];
    ring.extend(keys);
    replace(path, &ring)?;
    Ok((new, previous))
}

/// Writes `keys` to a key file that must not exist yet.
fn write_new(path: &Path, keys: &[SecretString]) -> Result<(), String> {
    if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    write_private(path, keys)
}

/// Replaces the key file in one step (a new file renamed over it), so a crash leaves the old
/// ring or the new one, never half of either.
fn replace(path: &Path, keys: &[SecretString]) -> Result<(), String> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".new");
    let temporary = std::path::PathBuf::from(temporary);
    let _ = std::fs::remove_file(&temporary);
    write_private(&temporary, keys)?;
    std::fs::rename(&temporary, path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write_private(path: &Path, keys: &[SecretString]) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut text = String::from(HEADER);
    for key in keys {
        text.push_str(key.expose());
        text.push('\n');
    }
    options
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()).and_then(|()| file.sync_all()))
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_puts_a_new_key_first_and_keeps_the_old_ones() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::default();
        settings.secret_key_file = dir.path().join("secret.key");
        let first = load(&settings).unwrap();
        assert_eq!(first.ids().len(), 1);
        let (new, previous) = rotate(&settings).unwrap();
        assert_eq!(previous, first.current());
        let ring = load(&settings).unwrap();
        assert_eq!(ring.ids(), vec![new, previous]);
        let sealed = first.seal("token", "aad").unwrap();
        assert_eq!(ring.open(&sealed, "aad", "-").unwrap().expose(), "token");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&settings.secret_key_file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_key_from_the_settings_is_not_rotated_behind_the_operators_back() {
        let mut settings = Settings::default();
        settings.secret_key = Some(KeyRing::generate_key());
        settings.retired_keys = vec![KeyRing::generate_key()];
        assert_eq!(load(&settings).unwrap().ids().len(), 2);
        assert!(rotate(&settings).unwrap_err().contains("retired_keys"));
    }
}
