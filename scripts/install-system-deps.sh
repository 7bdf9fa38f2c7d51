#!/usr/bin/env bash
# Installs the Debian packages the tests use, only when they are missing:
# etcd-server (etcd discovery tests), chromium (browser tests of the HTML report), golang-go
# (the Go GeeRPC peer the interoperability tests build, go-peer/) and prometheus (the test that
# scrapes bench's --metrics-listen endpoint).
set -euo pipefail
missing=()
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v go >/dev/null 2>&1 || missing+=(golang-go)
[ -x /usr/bin/prometheus ] || missing+=(prometheus)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
