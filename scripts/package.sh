#!/usr/bin/env bash
# Makes the release that operators copy, from the release build:
#   target/package/optin-<version>-x86_64-linux.tar.gz   bin/server, site/ (with its hash.txt),
#                                                        optin.example.toml, optin.service
#   target/debian/optin_<version>-1_amd64.deb            the same, installed as /usr/bin/optin,
#                                                        /usr/share/optin/site, /etc/optin/optin.toml
#                                                        and the systemd unit optin.service
# The site's hash.txt travels inside the site, so the binary names the files that are there
# wherever the two are put (app/src/assets.rs).
#   scripts/package.sh             builds first (cargo leptos build --release --precompress)
#   scripts/package.sh --no-build  packages what target/ holds (scripts/test.sh has just built it)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

scripts/setup.sh --package
if [ "${1:-}" != "--no-build" ]; then
  cargo leptos build --release --precompress
fi
for built in target/release/server target/release/hash.txt target/site/pkg; do
  [ -e "$built" ] || { echo "no $built: build first (cargo leptos build --release --precompress)" >&2; exit 1; }
done

version=$(awk -F'"' '/^version = / {print $2; exit}' server/Cargo.toml)
stage=target/package/optin
rm -rf "$stage"
mkdir -p "$stage/bin"
cp target/release/server "$stage/bin/server"
# Only the files of this build: the site folder may still hold an earlier build's.
mkdir -p "$stage/site/pkg"
cp target/release/hash.txt "$stage/site/hash.txt"
while IFS=: read -r kind hash; do
  hash=${hash// /}
  case $kind in
    js | wasm | css) cp target/site/pkg/optin."$hash"."$kind"* "$stage/site/pkg/" ;;
  esac
done <target/release/hash.txt
# The public assets beside pkg/ (favicon and the like), if any.
find target/site -mindepth 1 -maxdepth 1 ! -name pkg -exec cp -r {} "$stage/site/" \;
cp packaging/optin.example.toml packaging/optin.service "$stage/"

archive="target/package/optin-$version-x86_64-linux.tar.gz"
tar -C target/package -czf "$archive" optin
cargo deb -p server --no-build --quiet
echo "$archive"
ls target/debian/optin_"$version"*.deb
