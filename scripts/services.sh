#!/usr/bin/env bash
# Real test services for edgetail's integration tests (Kafka, S3, Chromium, …).
#
#   scripts/services.sh start NAME    provision (cached) and start; prints KEY=value lines
#   scripts/services.sh status NAME   prints KEY=value lines if running, exits 1 otherwise
#   scripts/services.sh stop NAME     stops it (idempotent)
#   scripts/services.sh stop-all      stops every service this script started
#
# Each service is scripts/services/NAME.sh implementing start|stop|status with the same contract.
# Downloads and builds are cached under $EDGETAIL_TEST_CACHE (default ~/.cache/edgetail-test), outside
# the repository; runtime state (pid, ports, data) under $EDGETAIL_TEST_CACHE/run/NAME. Services bind
# to 127.0.0.1 on free ports only. Every action is idempotent.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export EDGETAIL_TEST_CACHE="${EDGETAIL_TEST_CACHE:-$HOME/.cache/edgetail-test}"
mkdir -p "$EDGETAIL_TEST_CACHE/run"

action="${1:-}"
name="${2:-}"
case "$action" in
  start|stop|status)
    [ -n "$name" ] || { echo "usage: $0 {start|stop|status} NAME" >&2; exit 64; }
    impl="$here/services/$name.sh"
    [ -f "$impl" ] || { echo "unknown service: $name (known: $(ls "$here/services" | grep -v "^lib.sh$" | sed "s/\.sh$//" | tr "\n" " "))" >&2; exit 64; }
    mkdir -p "$EDGETAIL_TEST_CACHE/run/$name"
    # One action per service at a time (test files run in parallel and may all ask to start it).
    exec 9>"$EDGETAIL_TEST_CACHE/run/$name.lock"
    flock 9
    export SERVICE_RUN_DIR="$EDGETAIL_TEST_CACHE/run/$name"
    # The lock fd must not leak into the servers a start launches (they would hold it for life).
    bash "$impl" "$action" 9>&-
    ;;
  stop-all)
    for impl in "$here"/services/*.sh; do
      [ "$(basename "$impl")" = lib.sh ] && continue
      n="$(basename "$impl" .sh)"
      [ -d "$EDGETAIL_TEST_CACHE/run/$n" ] || continue
      SERVICE_RUN_DIR="$EDGETAIL_TEST_CACHE/run/$n" bash "$impl" stop || true
    done
    ;;
  *)
    echo "usage: $0 {start|stop|status} NAME | stop-all" >&2
    exit 64
    ;;
esac
