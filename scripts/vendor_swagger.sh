#!/usr/bin/env bash
# Vendor Swagger UI from npm into the package, so /docs works offline (no CDN at run time).
#   scripts/vendor_swagger.sh   fetch swagger-ui-dist@5.35.0 with `npm pack`, check its
#                               integrity, copy the bundle, its CSS, favicon and licences
#                               into ceasefire/web/static/vendor/swagger-ui/
# Re-running it reproduces the committed files byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=5.35.0
# the registry's dist.integrity (npm view swagger-ui-dist@5.35.0 dist.integrity)
INTEGRITY="sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ=="
DEST=ceasefire/web/static/vendor/swagger-ui

command -v npm >/dev/null || { echo "vendor_swagger: npm is needed (Node 18+)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "swagger-ui-dist@$VERSION" >/dev/null)
tarball="$work/swagger-ui-dist-$VERSION.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
    echo "vendor_swagger: swagger-ui-dist-$VERSION.tgz has integrity $got, expected $INTEGRITY" >&2
    exit 1
fi
tar -xzf "$tarball" -C "$work"

rm -rf "$DEST"
mkdir -p "$DEST"
for file in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css \
    favicon-32x32.png LICENSE NOTICE; do
    cp "$work/package/$file" "$DEST/"
done
echo "swagger-ui-dist $VERSION ($INTEGRITY)" >"$DEST/VERSION"
echo "vendor_swagger: swagger-ui-dist $VERSION → $DEST" >&2
