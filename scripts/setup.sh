#!/usr/bin/env bash
# Installs every Debian package keyplan needs. Idempotent: when dpkg already
# knows every package, it does nothing and prints nothing.
set -euo pipefail

packages=(
  cmake ninja-build g++ make pkg-config
  libgtest-dev libgmock-dev libbenchmark-dev
  uuid-dev libantlr4-runtime-dev antlr4 default-jre-headless
  libyaml-cpp-dev libfmt-dev librapidcheck-dev
  llvm-16-dev
  libcli11-dev nlohmann-json3-dev libxlsxwriter-dev unzip
  libcsv-dev libzip-dev libpugixml-dev # keyplan import: CSV (RFC 4180) and XLSX reading
  libxml2-utils # xmllint: tests check the JUnit and XLSX XML with it
  chromium libpng-dev # the matrix HTML page is rendered and screenshotted in headless Chromium
  libboost-dev libcpp-httplib-dev wrk # keyplan serve: Boost.Beast/Asio (HTTP server), cpp-httplib (test client), the bench's load generator
  neovim # the language server is tested attached to a real editor, headless
  libfyaml-dev libsimdjson-dev # fast tenant loading; serve's plain evaluation request
)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "keyplan setup: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
