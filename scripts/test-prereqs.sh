#!/usr/bin/env bash
# Installs what the test suite needs from Debian when it is missing: tshark (the independent
# decoder that must read every capture vpnlab writes). In CI (root) it installs; elsewhere it
# says what to install. It never lets the tests skip: a missing prerequisite fails the run.
set -euo pipefail

missing=()
command -v tshark >/dev/null 2>&1 || missing+=(tshark)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "test prerequisites missing: ${missing[*]} — install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "installing test prerequisites: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# wireshark-common asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for tool in "${missing[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "failed to install $tool" >&2; exit 1; }
done
