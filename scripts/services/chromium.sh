#!/usr/bin/env bash
# Chromium for the dashboard's end-to-end test (test/e2e/dashboard.test.ts).
#
# Installs Debian's `chromium` package when /usr/bin/chromium is missing (apt-get update once, then
# apt-get install -y chromium; needs root). Nothing runs in the background: each test launches its own
# headless browser (fresh --user-data-dir, free --remote-debugging-port) and kills it when done.
#
# Prints CHROMIUM=/usr/bin/chromium.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"

bin="${CHROMIUM_BIN:-/usr/bin/chromium}"

provision() {
  [ -x "$bin" ] && return 0
  command -v apt-get >/dev/null || { echo "chromium: apt-get not found; install Chromium and set CHROMIUM_BIN" >&2; return 1; }
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "chromium: installing the Debian chromium package (first run only)" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update >&2
  $sudo apt-get install -y --no-install-recommends chromium fonts-dejavu-core >&2
  [ -x "$bin" ] || { echo "chromium: $bin missing after apt-get install" >&2; return 1; }
}

case "${1:-}" in
  start)
    provision
    echo "CHROMIUM=$bin"
    ;;
  status)
    [ -x "$bin" ] || exit 1
    echo "CHROMIUM=$bin"
    ;;
  stop)
    # Nothing runs in the background.
    ;;
  *)
    echo "usage: $0 {start|status|stop}" >&2
    exit 64
    ;;
esac
