#!/usr/bin/env bash
# Installs the real BGP daemons the interop tests run as peers (test/interop/peers.ts) when they
# are missing: FRR (bgpd + vtysh), BIRD 2 (bird + birdc) and GoBGP 3 (gobgpd + gobgp), and
# util-linux's setpriv, which ties each daemon's life to the test process (--pdeathsig).
# In CI (root) it installs from Debian; elsewhere it says what to install. It never lets the
# tests skip: a missing prerequisite fails the run.
set -euo pipefail

# tool (a command name or an absolute path) -> the Debian package that provides it
declare -A package_of=(
  [bird]=bird2
  [birdc]=bird2
  [/usr/lib/frr/bgpd]=frr
  [vtysh]=frr
  [gobgpd]=gobgpd
  [gobgp]=gobgpd
  [setpriv]=util-linux
)
tools=(bird birdc /usr/lib/frr/bgpd vtysh gobgpd gobgp setpriv)

present() {
  case "$1" in
    /*) [ -x "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing_tools=()
missing_packages=()
for tool in "${tools[@]}"; do
  if ! present "$tool"; then
    missing_tools+=("$tool")
    pkg=${package_of[$tool]}
    case " ${missing_packages[*]-} " in
      *" $pkg "*) ;;
      *) missing_packages+=("$pkg") ;;
    esac
  fi
done

if [ ${#missing_tools[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "interop test prerequisites missing: ${missing_tools[*]} — install them with:" \
    "sudo apt-get install -y --no-install-recommends ${missing_packages[*]}" >&2
  exit 1
fi

echo "installing interop test prerequisites: ${missing_packages[*]} (for ${missing_tools[*]})" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# The tests start the daemons themselves, bound to loopback; the packages' own services are not
# used. On a machine with systemd they may start after installation; that is the package's
# default and the tests never touch them.
apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null
for tool in "${missing_tools[@]}"; do
  present "$tool" || { echo "failed to install $tool (package ${package_of[$tool]})" >&2; exit 1; }
done
