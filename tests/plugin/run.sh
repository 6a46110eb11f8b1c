#!/usr/bin/env bash
# tests/plugin/run.sh - end-to-end checks of the go-plugin host (src/plugin)
# with build/tools/plugin_testserver and build/tools/plugin_testclient.
# Builds nothing: run `make tools-build` first (B=build/san for the
# sanitizer build: `B=build/san bash tests/plugin/run.sh`).
# Prints `ok - ...` / `not ok - ...` lines and ends with `N passed, N failed`;
# exit status 1 if anything failed. Talks to 127.0.0.1 only.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
SERVER=$B/tools/plugin_testserver
CLIENT=$B/tools/plugin_testclient
PROBE=$ROOT/tests/plugin/h2probe.py
COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2

pass=0
fail=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
notok() { echo "not ok - $*"; fail=$((fail + 1)); }
check() { # check "description" command...
	local d=$1; shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}

for f in "$SERVER" "$CLIENT"; do
	if [ ! -x "$f" ]; then
		echo "missing $f (run: make tools-build)"
		echo "0 passed, 1 failed"
		exit 1
	fi
done

T=$(mktemp -d)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT && echo "# temp dir $T"

now_ms() { date +%s%3N; }

# alive PID: the process exists and is not a zombie
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	local st
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# wait_gone PID MS: succeeds if PID is gone within MS milliseconds
wait_gone() {
	local end=$(( $(now_ms) + $2 ))
	while alive "$1"; do
		[ "$(now_ms)" -ge "$end" ] && return 1
		sleep 0.01
	done
	return 0
}

# start_server NAME [client-cert-file]: starts the test server; sets
# SPID, LINE, PORT, START_MS. stdout -> $T/NAME.out, stderr -> $T/NAME.err
start_server() {
	local name=$1 cert=${2:-}
	local t0
	t0=$(now_ms)
	if [ -n "$cert" ]; then
		TF_PLUGIN_MAGIC_COOKIE=$COOKIE PLUGIN_PROTOCOL_VERSIONS=5,6 PLUGIN_MIN_PORT=10000 \
			PLUGIN_MAX_PORT=25000 PLUGIN_CLIENT_CERT="$(cat "$cert")" TF_LOG=trace \
			"$SERVER" > "$T/$name.out" 2> "$T/$name.err" &
	else
		env -u PLUGIN_CLIENT_CERT TF_PLUGIN_MAGIC_COOKIE=$COOKIE PLUGIN_PROTOCOL_VERSIONS=6,5 \
			TF_LOG=trace "$SERVER" > "$T/$name.out" 2> "$T/$name.err" &
	fi
	SPID=$!
	PIDS+=("$SPID")
	LINE=
	local i
	for i in $(seq 500); do
		if [ -s "$T/$name.out" ] && grep -q $'\n' <(tail -c1 "$T/$name.out"; echo); then
			LINE=$(head -n1 "$T/$name.out")
			break
		fi
		sleep 0.01
	done
	START_MS=$(( $(now_ms) - t0 ))
	PORT=$(echo "$LINE" | cut -d'|' -f4 | cut -d: -f2)
}

# ---------------------------------------------------------------------------
# client key + certificate, as Terraform makes them (CA, SAN localhost)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$T/client.key" -out "$T/client.pem" -days 2 -subj /CN=localhost \
	-addext "subjectAltName=DNS:localhost" -addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,digitalSignature,keyCertSign" \
	-addext "extendedKeyUsage=clientAuth,serverAuth" > /dev/null 2>&1 ||
	notok "openssl req could not make a client certificate"
# an unrelated client certificate (not the one in PLUGIN_CLIENT_CERT)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$T/other.key" -out "$T/other.pem" -days 2 -subj /CN=localhost \
	-addext "subjectAltName=DNS:localhost" > /dev/null 2>&1

# (1) magic cookie ------------------------------------------------------------
env TF_PLUGIN_MAGIC_COOKIE=wrong "$SERVER" > "$T/c.out" 2> "$T/c.err"
rc=$?
check "wrong magic cookie: exit status 1 (got $rc)" [ "$rc" = 1 ]
check "wrong magic cookie: human message on stderr" \
	grep -q "This binary is a plugin. These are not meant to be executed directly." "$T/c.err"
check "wrong magic cookie: nothing on stdout" [ ! -s "$T/c.out" ]
env -u TF_PLUGIN_MAGIC_COOKIE "$SERVER" > "$T/c.out" 2> "$T/c.err"
rc=$?
check "missing magic cookie: exit status 1 + message" \
	eval '[ "$rc" = 1 ] && grep -q "Please execute the program that consumes these plugins" "$T/c.err"'

# (2) mTLS server: handshake line -----------------------------------------------
start_server tls "$T/client.pem"
echo "# mTLS server pid $SPID reached its handshake line in ${START_MS} ms: ${LINE:0:60}..."
check "handshake line: 1|6|tcp|127.0.0.1:PORT|grpc|<unpadded std base64>" \
	eval '[[ "$LINE" =~ ^1\|6\|tcp\|127\.0\.0\.1:[0-9]+\|grpc\|[A-Za-z0-9+/]{300,}$ ]]'
check "handshake line: exactly 6 fields" [ "$(echo "$LINE" | awk -F'|' '{print NF}')" = 6 ]
b64=$(echo "$LINE" | cut -d'|' -f6)
padded=$b64
while [ $(( ${#padded} % 4 )) != 0 ]; do padded="$padded="; done
echo "$padded" | base64 -d > "$T/server.der" 2>/dev/null
openssl x509 -inform DER -in "$T/server.der" -out "$T/server.pem" 2>/dev/null
openssl x509 -in "$T/server.pem" -noout -text > "$T/server.txt" 2>/dev/null
check "server cert: SAN DNS:localhost, CA:TRUE, serverAuth+clientAuth, P-256" \
	eval 'grep -q "DNS:localhost" "$T/server.txt" && grep -q "CA:TRUE" "$T/server.txt" &&
		grep -q "TLS Web Server Authentication, TLS Web Client Authentication" "$T/server.txt" &&
		grep -q "prime256v1" "$T/server.txt"'

# process set-up: signals, fds
sigign=$(awk '/^SigIgn:/ {print $2}' "/proc/$SPID/status" 2>/dev/null)
check "SIGINT and SIGPIPE ignored (SigIgn=$sigign)" \
	eval '[ -n "$sigign" ] && (( (0x$sigign >> 1) & 1 )) && (( (0x$sigign >> 12) & 1 ))'
kill -INT "$SPID" 2>/dev/null
sleep 0.1
check "server survives SIGINT (Terraform answers Ctrl-C with StopProvider)" alive "$SPID"
leaky=""
for fd in /proc/$SPID/fd/*; do
	n=${fd##*/}
	[ "$n" -le 2 ] && continue
	flags=$(awk '/^flags:/ {print $2}' "/proc/$SPID/fdinfo/$n" 2>/dev/null) || continue
	[ -z "$flags" ] && continue
	(( (8#$flags & 8#2000000) == 0 )) && leaky="$leaky $n->$(readlink "$fd")"
done
check "every fd above 2 is close-on-exec${leaky:+ (leaky:$leaky)}" [ -z "$leaky" ]

# (3) RPCs over mTLS --------------------------------------------------------------
for mode in health unimplemented echo concurrent; do
	if "$CLIENT" "$LINE" "$T/client.pem" "$T/client.key" "$mode" > "$T/$mode.log" 2>&1; then
		ok "client over mTLS: $mode"
	else
		notok "client over mTLS: $mode"
	fi
	sed 's/^/#   /' "$T/$mode.log"
done

# (3b) limits: a bounded worker pool and a bounded request size -------------------
# threads of the server now (gRPC's own + idle), then its peak during 40 Slow calls
base_thr=$(awk '/^Threads:/ {print $2}' "/proc/$SPID/status")
"$CLIENT" "$LINE" "$T/client.pem" "$T/client.key" pool > "$T/pool.log" 2>&1 &
cpid=$!
peak=0
while alive "$cpid"; do
	n=$(awk '/^Threads:/ {print $2}' "/proc/$SPID/status" 2>/dev/null)
	[ -n "$n" ] && [ "$n" -gt "$peak" ] && peak=$n
	sleep 0.05
done
wait "$cpid"
rc=$?
check "40 Slow calls at once: all answered, those beyond 32 waited for a worker" [ "$rc" = 0 ]
sed 's/^/#   /' "$T/pool.log"
check "server threads during 40 Slow calls: peak $peak <= $base_thr idle + 32 workers" \
	[ "$peak" -le $((base_thr + 32)) ]
check "a 17 MiB request is refused (RESOURCE_EXHAUSTED) and the channel still serves" \
	"$CLIENT" "$LINE" "$T/client.pem" "$T/client.key" oversize
# (4) TLS without (or with a wrong) client certificate is refused -----------------
timeout 5 openssl s_client -connect "127.0.0.1:$PORT" -alpn h2 -servername localhost \
	-CAfile "$T/server.pem" < <(printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'; sleep 1) \
	> "$T/s_noc.out" 2> "$T/s_noc.err"
rc=$?
check "openssl s_client without client cert: session fails (status $rc, $(grep -o -m1 'unexpected eof\|alert[^:]*' "$T/s_noc.err"))" \
	eval '[ "$rc" != 0 ] && grep -qi "unexpected eof\|alert" "$T/s_noc.err"'
timeout 5 openssl s_client -connect "127.0.0.1:$PORT" -alpn h2 -servername localhost \
	-CAfile "$T/server.pem" -verify_hostname localhost -cert "$T/client.pem" -key "$T/client.key" \
	< <(sleep 0.5) > "$T/s_c.out" 2> "$T/s_c.err"
rc=$?
check "openssl s_client with the client cert: session ok, ALPN h2, server cert verifies for localhost" \
	eval '[ "$rc" = 0 ] && grep -q "ALPN protocol: h2" "$T/s_c.out" && grep -q "Verify return code: 0 (ok)" "$T/s_c.out"'
r=$(python3 "$PROBE" "$PORT" tls "$T/server.pem")
check "HTTP/2 over TLS without client cert gets no SETTINGS ($r)" eval '[ "${r%% *}" != settings ]'
r=$(python3 "$PROBE" "$PORT" tls "$T/server.pem" "$T/other.pem" "$T/other.key")
check "HTTP/2 over TLS with an unknown client cert gets no SETTINGS ($r)" eval '[ "${r%% *}" != settings ]'
r=$(python3 "$PROBE" "$PORT" tls "$T/server.pem" "$T/client.pem" "$T/client.key")
check "HTTP/2 over TLS with the right client cert gets SETTINGS ($r)" [ "$r" = settings ]

# (5) plaintext HTTP/2 to the TLS port gets nothing --------------------------------
r=$(python3 "$PROBE" "$PORT" plain)
check "plaintext HTTP/2 preface to the mTLS server gets no SETTINGS ($r)" eval '[ "${r%% *}" != settings ]'

# (6) Shutdown with a call in flight: reply, hook, exit within 1 s ------------------
if "$CLIENT" "$LINE" "$T/client.pem" "$T/client.key" shutdown > "$T/shutdown.log" 2>&1; then
	ok "Shutdown answered OK with an empty message while a Slow call was in flight"
else
	notok "Shutdown answered OK with an empty message while a Slow call was in flight"
fi
sed 's/^/#   /' "$T/shutdown.log"
t0=$(now_ms)
if wait_gone "$SPID" 1000; then
	ok "server process gone within 1 s of the Shutdown reply ($(( $(now_ms) - t0 )) ms after the client returned)"
else
	notok "server process gone within 1 s of the Shutdown reply"
fi
wait "$SPID" 2>/dev/null
rc=$?
check "server exit status 0 after Shutdown (got $rc)" [ "$rc" = 0 ]
check "on_shutdown hook ran" grep -q "testserver: on_shutdown hook ran" "$T/tls.err"
check "stdout held only the handshake line" [ "$(wc -l < "$T/tls.out")" = 1 ]
bad=$(grep -v '^testserver:' "$T/tls.err" | python3 -c '
import json, re, sys
bad = 0
for line in sys.stdin:
    try:
        o = json.loads(line)
        ok = all(isinstance(o.get(k), str) for k in ("@level", "@message", "@timestamp"))
        ok = ok and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)", o["@timestamp"])
    except Exception:
        ok = False
    bad += not ok
print(bad)')
check "stderr: every log line is hclog JSON with string @level/@message/@timestamp" [ "$bad" = 0 ]

# (7) plaintext server (no PLUGIN_CLIENT_CERT) --------------------------------------
start_server plain
echo "# plaintext server pid $SPID reached its handshake line in ${START_MS} ms: $LINE"
check "plaintext handshake line ends in an empty 6th field" \
	eval '[[ "$LINE" =~ ^1\|6\|tcp\|127\.0\.0\.1:[0-9]+\|grpc\|$ ]]'
r=$(python3 "$PROBE" "$PORT" plain)
check "plaintext server answers the HTTP/2 preface with SETTINGS ($r)" [ "$r" = settings ]
if "$CLIENT" "$LINE" - - health > "$T/plain.log" 2>&1 &&
	"$CLIENT" "$LINE" - - unimplemented >> "$T/plain.log" 2>&1; then
	ok "client over plaintext: health + unimplemented"
else
	notok "client over plaintext: health + unimplemented"
	sed 's/^/#   /' "$T/plain.log"
fi
"$CLIENT" "$LINE" - - shutdown > "$T/plain_sd.log" 2>&1
check "plaintext server exits after Shutdown" wait_gone "$SPID" 1000

# (8) an orphaned plugin dies with its parent (PR_SET_PDEATHSIG) ---------------------
TF_PLUGIN_MAGIC_COOKIE=$COOKIE bash -c '"$1" > "$2" 2>/dev/null & echo $! > "$3"; sleep 30' \
	_ "$SERVER" "$T/orphan.out" "$T/orphan.pid" < /dev/null &
PARENT=$!
PIDS+=("$PARENT")
for i in $(seq 300); do [ -s "$T/orphan.out" ] && [ -s "$T/orphan.pid" ] && break; sleep 0.01; done
OPID=$(cat "$T/orphan.pid" 2>/dev/null)
[ -n "$OPID" ] && PIDS+=("$OPID")
check "orphan test: inner server is serving (pid ${OPID:-?})" eval '[ -n "$OPID" ] && alive "$OPID"'
kill -9 "$PARENT" 2>/dev/null
{ wait "$PARENT"; } 2>/dev/null
check "orphaned plugin is killed when its parent dies" eval '[ -n "$OPID" ] && wait_gone "$OPID" 1000'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
