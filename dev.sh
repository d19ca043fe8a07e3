#!/usr/bin/env bash
# Spool's one-stop setup script for Debian 12.
#   ./dev.sh run    install what is missing, build, start Spool
#   ./dev.sh test   install what is missing, build, run every test
#   ./dev.sh asan   the same tests in an AddressSanitizer + UBSan build
# Extra arguments after `run` go to spool (for example: ./dev.sh run --headless).
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  qt6-httpserver-dev qt6-websockets-dev qt6-svg-dev libqt6sql6-sqlite qt6-qpa-plugins libgl-dev
  libsqlite3-dev sqlite3
  libqt6sql6-psql libpq-dev postgresql
  yt-dlp ffmpeg
  xvfb xauth
  chromium
  desktop-file-utils appstream dpkg-dev qt6-translations-l10n
)

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
  local preset=$1
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
}

case "${1:-run}" in
  run)
    shift || true
    install_missing
    build default
    exec ./build/default/app/spool "$@"
    ;;
  test)
    install_missing
    build default
    ctest --preset default
    ;;
  asan)
    install_missing
    build asan
    ctest --preset asan
    ;;
  *)
    echo "usage: $0 run|test|asan" >&2
    exit 2
    ;;
esac
