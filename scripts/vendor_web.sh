#!/usr/bin/env bash
# Vendor the web map's JavaScript library from npm into the package (no CDN at run time).
#   scripts/vendor_web.sh    fetch leaflet@1.9.4 with `npm pack`, check its integrity,
#                            copy dist/ (minified JS, CSS, images) and LICENSE into
#                            ceasefire/web/static/vendor/leaflet/
# Re-running it reproduces the committed files byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=1.9.4
# the registry's dist.integrity for leaflet@1.9.4 (npm view leaflet@1.9.4 dist.integrity)
INTEGRITY="sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="
DEST=ceasefire/web/static/vendor/leaflet

command -v npm >/dev/null || { echo "vendor_web: npm is needed (Node 18+)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "leaflet@$VERSION" >/dev/null)
tarball="$work/leaflet-$VERSION.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
    echo "vendor_web: leaflet-$VERSION.tgz has integrity $got, expected $INTEGRITY" >&2
    exit 1
fi
tar -xzf "$tarball" -C "$work"

rm -rf "$DEST"
mkdir -p "$DEST/images"
cp "$work/package/dist/leaflet.js" "$work/package/dist/leaflet.css" "$DEST/"
cp "$work/package/dist/images/"*.png "$DEST/images/"
cp "$work/package/LICENSE" "$DEST/LICENSE"
echo "leaflet $VERSION ($INTEGRITY)" >"$DEST/VERSION"
echo "vendor_web: leaflet $VERSION → $DEST" >&2
