#!/usr/bin/env bash
# S3-compatible object store for integration tests: versitygw (posix backend), which verifies SigV4
# signatures and supports multipart uploads and ListObjectsV2.
#
# The binary is built with the Go toolchain through the Go module proxy and cached under
# $EDGETAIL_TEST_CACHE/s3 (GOPATH, GOCACHE and GOMODCACHE live there too, so CI can cache the whole
# folder). `go install pkg@version` is tried first; the proxy here is partial and sometimes refuses
# it, so the fallback is `go get -tool` inside a small tools module, then `go install`.
# Runtime state (data dir, log, pid, port) lives in $SERVICE_RUN_DIR. Nothing is created in the
# store: tests create their buckets with the SDK.
#
# Prints S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, S3_BUCKET and AWS_REGION lines.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"

VERSITYGW_VERSION="${VERSITYGW_VERSION:-v1.7.0}"
VERSITYGW_PKG="github.com/versity/versitygw/cmd/versitygw"
cache="$EDGETAIL_TEST_CACHE/s3"
bin="$cache/bin/versitygw-$VERSITYGW_VERSION"
run="${SERVICE_RUN_DIR:?SERVICE_RUN_DIR is set by scripts/services.sh}"
pidfile="$run/versitygw.pid"
portfile="$run/port"
# Test-only credentials (the server is bound to 127.0.0.1 and its data is throwaway).
ACCESS_KEY="edgetailtest"
SECRET_KEY="edgetail-test-secret-key-0123456789"

print_lines() {
  echo "S3_ENDPOINT=http://127.0.0.1:$(cat "$portfile")"
  echo "AWS_ACCESS_KEY_ID=$ACCESS_KEY"
  echo "AWS_SECRET_ACCESS_KEY=$SECRET_KEY"
  echo "S3_BUCKET=edgetail-test"
  echo "AWS_REGION=us-east-1"
}

go_env() {
  export GOPATH="$cache/gopath" GOCACHE="$cache/gocache" GOMODCACHE="$cache/gomodcache"
  export GOFLAGS="-buildvcs=false" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
}

provision() {
  [ -x "$bin" ] && return 0
  command -v go >/dev/null || { echo "s3: the Go toolchain is needed to build versitygw" >&2; return 1; }
  mkdir -p "$cache/bin" "$cache/tools"
  go_env
  local gobin="$cache/gobin"
  rm -rf "$gobin"
  mkdir -p "$gobin"
  echo "s3: building versitygw $VERSITYGW_VERSION (first run only; a few minutes)" >&2
  if ! GOBIN="$gobin" go install "$VERSITYGW_PKG@$VERSITYGW_VERSION" >&2; then
    echo "s3: go install refused; trying go get -tool in a tools module" >&2
    local mod="$cache/tools"
    rm -rf "$mod" && mkdir -p "$mod"
    (cd "$mod" && go mod init edgetail.test/s3tools >&2 && go get -tool "$VERSITYGW_PKG@$VERSITYGW_VERSION" >&2 &&
      GOBIN="$gobin" go install "$VERSITYGW_PKG" >&2)
  fi
  [ -x "$gobin/versitygw" ] || { echo "s3: versitygw build produced no binary" >&2; return 1; }
  mv "$gobin/versitygw" "$bin"
}

# Ready = the S3 API answers (an unsigned request is refused with an S3 XML error, proving it is up
# and that it checks authentication).
ready() {
  local port="$1" code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/" || true)"
  [ "$code" = 403 ] || [ "$code" = 400 ] || [ "$code" = 401 ]
}

start() {
  if pid_alive "$pidfile" && [ -f "$portfile" ] && ready "$(cat "$portfile")"; then
    print_lines
    return 0
  fi
  stop_pidfile "$pidfile"
  provision
  local port
  port="$(free_port)"
  rm -rf "$run/data" "$run/sidecar"
  mkdir -p "$run/data" "$run/sidecar"
  # A sidecar folder for metadata: works whether or not the filesystem supports user xattrs.
  # `9>&-`: the dispatcher holds its per-service flock on fd 9; a server inheriting it would keep the
  # lock for its whole life and every later start/status/stop would block on it.
  ROOT_ACCESS_KEY="$ACCESS_KEY" ROOT_SECRET_KEY="$SECRET_KEY" \
    setsid "$bin" --port "127.0.0.1:$port" posix --sidecar "$run/sidecar" "$run/data" \
    >"$run/versitygw.log" 2>&1 </dev/null 9>&- &
  echo $! >"$pidfile"
  echo "$port" >"$portfile"
  local i=0
  until ready "$port"; do
    i=$((i + 1))
    if [ "$i" -gt 300 ] || ! pid_alive "$pidfile"; then
      echo "s3: versitygw did not become ready on 127.0.0.1:$port; last log lines:" >&2
      tail -30 "$run/versitygw.log" >&2 || true
      stop_pidfile "$pidfile"
      return 1
    fi
    sleep 0.2
  done
  print_lines
}

case "${1:-}" in
  start) start ;;
  status)
    if pid_alive "$pidfile" && [ -f "$portfile" ]; then print_lines; else exit 1; fi
    ;;
  stop) stop_pidfile "$pidfile"; rm -f "$portfile" ;;
  *) echo "usage: s3.sh {start|stop|status}" >&2; exit 64 ;;
esac
