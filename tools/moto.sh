#!/usr/bin/env bash
# Starts or stops a private moto_server on a free 127.0.0.1 port.
#
#   tools/moto.sh start [LOGFILE]   prints two eval-able lines and returns once
#                                   moto answers:
#                                     MOTO_URL=http://127.0.0.1:PORT
#                                     MOTO_PID=PID
#   tools/moto.sh stop PID          stops that server (only a moto_server pid)
#
# moto is started with MOTO_IAM_LOAD_MANAGED_POLICIES=true (without it the
# managed AWSLambdaVPCAccessExecutionRole policy does not exist). The server's
# output goes to LOGFILE (default: a temp file), never to our stdout, so
# `eval "$(tools/moto.sh start)"` returns. Nothing but 127.0.0.1 is used.
set -euo pipefail

free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

answers() {
  curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/moto-api/" 2>/dev/null
}

start() {
  local log="${1:-}"
  [ -n "$log" ] || log=$(mktemp "${TMPDIR:-/tmp}/moto.XXXXXX.log")
  command -v moto_server >/dev/null || { echo "moto.sh: moto_server not on PATH" >&2; exit 1; }
  local attempt port pid i
  for attempt in 1 2 3; do
    port=$(free_port)
    MOTO_IAM_LOAD_MANAGED_POLICIES=true setsid moto_server -H 127.0.0.1 -p "$port" \
      </dev/null >"$log" 2>&1 &
    pid=$!
    for i in $(seq 1 300); do            # up to 30 s: loading managed policies is slow
      if answers "$port"; then
        echo "MOTO_URL=http://127.0.0.1:$port"
        echo "MOTO_PID=$pid"
        return 0
      fi
      kill -0 "$pid" 2>/dev/null || break # died (port taken?): try another port
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "moto.sh: attempt $attempt on port $port failed (log $log)" >&2
  done
  echo "moto.sh: could not start moto_server; last log:" >&2
  tail -n 20 "$log" >&2 || true
  exit 1
}

stop() {
  local pid="${1:?usage: moto.sh stop PID}"
  [[ "$pid" =~ ^[0-9]+$ ]] || { echo "moto.sh: bad pid '$pid'" >&2; exit 2; }
  kill -0 "$pid" 2>/dev/null || return 0
  # Refuse to signal something that is not a moto server.
  if ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q moto; then
    echo "moto.sh: pid $pid is not moto_server; not stopping it" >&2
    exit 2
  fi
  kill "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: tools/moto.sh start [LOGFILE] | stop PID" >&2; exit 2 ;;
esac
