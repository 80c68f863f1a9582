#!/usr/bin/env bash
# Installs the Debian 12 packages raquet needs (run as root on a fresh machine).
#   scripts/install-deps.sh          build + run (fonts-dejavu-core: the font of
#                                    raquet-server's PDF reports, with Vietnamese)
#   scripts/install-deps.sh --test   also what the tests, fuzzers and benchmarks use
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
build_pkgs=(build-essential cmake pkg-config
	libvectorscan-dev libyara-dev libarchive-dev libssl-dev libjansson-dev libcurl4-openssl-dev
	libmicrohttpd-dev libsqlite3-dev libpq-dev libargon2-dev libxml2-dev libxmlsec1-dev
	libxlsxwriter-dev libcairo2-dev libpango1.0-dev libfontconfig-dev fonts-dejavu-core)
test_pkgs=(libcmocka-dev python3 clang libclang-rt-14-dev chromium
	zip unzip p7zip-full cpio binutils xz-utils bzip2 gcab genisoimage
	util-linux yara clamav time postgresql curl file systemd
	python3-openpyxl poppler-utils xmlsec1 libxml2-utils openssl)
# Node.js and npm for the browser and schema tests' tooling: Debian's, unless
# the machine has them already (e.g. NodeSource's nodejs, which includes npm
# and conflicts with Debian's npm package)
command -v npm > /dev/null 2>&1 || test_pkgs+=(nodejs npm)
pkgs=("${build_pkgs[@]}")
if [ "${1:-}" = "--test" ]; then
	pkgs+=("${test_pkgs[@]}")
fi
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: need root to install: ${missing[*]}" >&2
		exit 1
	fi
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-deps: all ${#pkgs[@]} packages present"
if [ "${1:-}" = "--test" ]; then
	# the dashboard's browser tests: playwright-core (pinned in package-lock.json)
	# drives Debian's chromium; no browser is downloaded
	(cd "$(dirname "$0")/../tests/dashboard" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
	# the STIX validation of test_sharing.sh: ajv (pinned in package-lock.json)
	(cd "$(dirname "$0")/../tests/sharing" && npm ci --no-audit --no-fund)
fi
