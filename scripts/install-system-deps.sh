#!/usr/bin/env bash
# Installs the Debian libraries Qt's xcb and offscreen platforms load, and PostgreSQL's server (the
# team workspace's tests start a throwaway cluster: scripts/team-server.sh), when they are missing and
# we may (root with apt-get). Elsewhere it only says what is missing.
set -euo pipefail
packages=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
          libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0 libxcb-render-util0
          libxcb-image0 libxcb-xinerama0 libxcb-xkb1 libnss3 libxrender1 libxi6 fonts-dejavu-core
          postgresql)
command -v dpkg-query >/dev/null 2>&1 || exit 0
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Qt and the team-workspace tests need these system packages: ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
fi
