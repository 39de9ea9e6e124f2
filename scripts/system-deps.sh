#!/usr/bin/env bash
# System packages the browser and database tests need: Debian's chromium and
# postgresql. Installed with apt when running as root and missing (CI, a fresh
# machine). Without root nothing is installed and those tests report
# themselves as skipped with the reason.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: not root (or no apt-get): not installing ${need[*]}; browser/PostgreSQL tests will be skipped" >&2
  exit 0
fi
echo "system-deps: installing ${need[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
  || echo "system-deps: apt-get could not install ${need[*]}; those tests will be skipped" >&2
exit 0
