# Shared helpers for scripts/services/*.sh (sourced, not run).

# A free TCP port on 127.0.0.1 (asks the kernel, then releases it).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until 127.0.0.1:PORT accepts connections, up to SECONDS (default 120).
wait_port() {
  local port="$1" secs="${2:-120}" i=0
  while ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -le $((secs * 5)) ] || return 1
    sleep 0.2
  done
}

# True when the pid in FILE is alive.
pid_alive() {
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# Stops the process group whose leader's pid is in FILE (TERM, then KILL after 10 s).
stop_pidfile() {
  local f="$1"
  if pid_alive "$f"; then
    local pid; pid="$(cat "$f")"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# Builds a Go program once and caches it: go_install_cached NAME PKG VERSION CACHE_DIR prints the
# path of CACHE_DIR/bin/NAME-VERSION. GOPATH, GOCACHE and GOMODCACHE live under CACHE_DIR (CI can cache
# the folder). `go install PKG@VERSION` first; the Go proxy here is partial and sometimes refuses it,
# so the fallback is `go get -tool` inside a small tools module, then `go install PKG`.
go_install_cached() {
  local name="$1" pkg="$2" version="$3" cache="$4"
  local bin="$cache/bin/$name-$version"
  if [ ! -x "$bin" ]; then
    command -v go >/dev/null || { echo "$name: the Go toolchain is needed to build $pkg" >&2; return 1; }
    mkdir -p "$cache/bin"
    local gobin="$cache/gobin-$name" mod="$cache/tools-$name"
    rm -rf "$gobin" && mkdir -p "$gobin"
    echo "$name: building $pkg@$version (first run only; a few minutes)" >&2
    (
      export GOPATH="$cache/gopath" GOCACHE="$cache/gocache" GOMODCACHE="$cache/gomodcache"
      export GOFLAGS="-buildvcs=false" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOBIN="$gobin"
      if ! go install "$pkg@$version" >&2; then
        echo "$name: go install refused; trying go get -tool in a tools module" >&2
        rm -rf "$mod" && mkdir -p "$mod"
        cd "$mod" && go mod init "edgetail.test/$name-tools" >&2 && go get -tool "$pkg@$version" >&2 &&
          go install "$pkg" >&2
      fi
    ) || return 1
    [ -x "$gobin/$name" ] || { echo "$name: the build produced no binary" >&2; return 1; }
    mv "$gobin/$name" "$bin"
    rm -rf "$gobin"
  fi
  echo "$bin"
}
