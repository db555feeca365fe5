#!/usr/bin/env bash
# Installs the real daemons the interop tests run as peers when they are missing: the BGP speakers
# of test/interop/peers.ts — FRR (bgpd + vtysh), BIRD 2 (bird + birdc) and GoBGP 3 (gobgpd +
# gobgp) — and strongSwan 5.9 for IKEv2/ESP (test/interop/strongswan.ts: charon with the
# kernel-libipsec plugin from libcharon-extra-plugins, its DH groups and ciphers from the openssl
# plugin of libstrongswan-standard-plugins, and swanctl); the tools those tests use in
# network namespaces (iproute2's ip, unshare, ping, sysctl, tcpdump to count the transit packets); and
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
  [unshare]=util-linux
  [/usr/lib/ipsec/charon]=strongswan-charon
  [swanctl]=strongswan-swanctl
  [/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so]=libcharon-extra-plugins
  [/usr/lib/ipsec/plugins/libstrongswan-openssl.so]=libstrongswan-standard-plugins
  [ip]=iproute2
  [ping]=iputils-ping
  [sysctl]=procps
  [tcpdump]=tcpdump
)
tools=(bird birdc /usr/lib/frr/bgpd vtysh gobgpd gobgp setpriv unshare
  /usr/lib/ipsec/charon swanctl /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so
  /usr/lib/ipsec/plugins/libstrongswan-openssl.so ip ping sysctl tcpdump)

present() {
  case "$1" in
    /*.so) [ -f "$1" ] ;; # plugins are not executable
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
# The tests start the daemons themselves, bound to loopback or inside network namespaces they
# create; the packages' own services are not used. On a machine with systemd they may start after
# installation; that is the package's default and the tests never touch them.
apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null
for tool in "${missing_tools[@]}"; do
  present "$tool" || { echo "failed to install $tool (package ${package_of[$tool]})" >&2; exit 1; }
done
