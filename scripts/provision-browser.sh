#!/usr/bin/env bash
# System packages the browser tests and the PDF daily report need (Debian 12), idempotent.
#   chromium        headless browser for tests/test_web_*.py (Playwright drives /usr/bin/chromium;
#                   `playwright install` cannot download here)
#   poppler-utils   pdftotext/pdfinfo: tests read the daily report's PDF back
#   libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core   WeasyPrint's text layout and fonts
#   openjdk-17-jre-headless   Java for the Spark engine's tests (pyspark, local mode)
#   gdal-bin        ogrinfo/ogr2ogr: tests/test_ogc.py reads the OGC API as GDAL's OAPIF driver
# Installs only what is missing; only root can install. Progress goes to stderr.
set -euo pipefail

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v ogrinfo >/dev/null || missing+=(gdal-bin)
for package in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "provision-browser: missing ${missing[*]}; install them as root: apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "provision-browser: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update >&2
apt-get install -y --no-install-recommends "${missing[@]}" >&2
