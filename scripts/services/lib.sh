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
