#!/usr/bin/env bash
# The daemon and tnactl at their edges: no daemon, two daemons on one socket, a
# stale socket, bad requests over the raw socket, clients that stall, SIGTERM,
# and the CLI's commands (graph --dot through Graphviz, show, caps, fdb, stats).
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
require_env dot

OUT=$(mktemp -d)
trap 'kill ${HOLDERS[*]:-} 2>/dev/null; daemon_stop; ns_cleanup; rm -rf "$OUT"' EXIT
HOLDERS=()
NS=$(ns_new dut)
ip -n "$NS" link add br0 type bridge
ip -n "$NS" link set br0 up

# run_cli NAME command...: runs it, keeping stdout, stderr and status in $OUT/NAME.*
run_cli() {
	local name=$1
	shift
	"$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
	echo $? >"$OUT/$name.rc"
}
rc() { cat "$OUT/$1.rc"; }
lines() { wc -l <"$OUT/$1.$2"; }

# send FILE LINE...: the lines to the control socket over socat, the replies in FILE.
send() {
	local file=$1
	shift
	printf '%s\n' "$@" | timeout 10 socat -t 3 - "UNIX-CONNECT:$SOCK" >"$file"
}

# replies FILE KIND...: FILE holds one JSON reply per KIND, in order: "ok" is
# {"ok":true,...}, "error" is {"ok":false,"error":{"code":STR,"message":STR}}.
replies() {
	"$TNA_PY" - "$@" <<-'EOF'
	import json, sys
	lines = open(sys.argv[1]).read().splitlines()
	kinds = sys.argv[2:]
	if len(lines) != len(kinds):
	    sys.exit(f"# {len(lines)} reply lines, expected {len(kinds)}: {lines[:3]}")
	for kind, line in zip(kinds, lines):
	    r = json.loads(line)
	    e = r.get("error") or {}
	    good = r.get("ok") is True if kind == "ok" else (
	        r.get("ok") is False and isinstance(e.get("code"), str)
	        and isinstance(e.get("message"), str) and e["message"] != "")
	    if not good:
	        sys.exit(f"# expected {kind}: {line[:200]}")
	EOF
}

answers() { timeout 5 "$TNA_BUILD/tnactl" -s "$SOCK" caps >/dev/null 2>&1; }

# No daemon.
run_cli nodaemon "$TNA_BUILD/tnactl" -s "/run/zstack-tna/${TNA_NS_PREFIX}-nobody.sock" caps
check "tnactl without a daemon exits 1" test "$(rc nodaemon)" -eq 1
check "tnactl without a daemon says so in one line on stderr" \
	test "$(lines nodaemon err)" -eq 1 -a "$(lines nodaemon out)" -eq 0

daemon_start "$NS" || { not_ok "daemon starts in $NS"; exit 1; }
ok "daemon starts in $NS"

# A second daemon on the same socket refuses and leaves the first alone.
run_cli second timeout 10 ip netns exec "$NS" "$TNA_BUILD/zstack-tna" --control "$SOCK"
check "second daemon on the same socket exits 1" test "$(rc second)" -eq 1
check "second daemon says why on stderr" test -s "$OUT/second.err"
check "first daemon still answers" answers

# Bad requests, each answered with a JSON error on a connection that stays usable.
send "$OUT/garbage" 'hello there' '{"cmd":"ping"}'
check "garbage: JSON error, then the same connection still served" \
	replies "$OUT/garbage" error ok
send "$OUT/truncated" '{"cmd":"gra'
check "truncated JSON: JSON error" replies "$OUT/truncated" error
send "$OUT/unknown" '{"cmd":"frobnicate"}'
check "unknown command: JSON error" replies "$OUT/unknown" error
send "$OUT/types" '[1,2,3]' '{"cmd":42}' '{"cmd":"show","id":7}'
check "not an object, cmd not a string, argument of the wrong type: JSON errors" \
	replies "$OUT/types" error error error
# Not socat: it gives up at the first EPIPE, before reading the reply the
# daemon sent when it stopped reading.
timeout 10 "$TNA_PY" - "$SOCK" >"$OUT/huge" <<-'EOF'
	import socket, sys
	s = socket.socket(socket.AF_UNIX)
	s.connect(sys.argv[1])
	try:
	    s.sendall(b"x" * (1 << 20))
	except (BrokenPipeError, ConnectionResetError):
	    pass
	s.settimeout(5)
	reply = b""
	while not reply.endswith(b"\n"):
	    chunk = s.recv(4096)
	    if not chunk:
	        break
	    reply += chunk
	sys.stdout.write(reply.decode(errors="replace"))
	EOF
check "1 MiB without a newline: JSON error" replies "$OUT/huge" error
check "daemon still answers after bad requests" answers

# Clients that stall: one stops halfway through a line, one never reads its replies.
( printf '{"cmd":'; sleep 8 ) | socat - "UNIX-CONNECT:$SOCK" >/dev/null 2>&1 &
HOLDERS+=($!)
yes '{"cmd":"graph"}' | head -n 20000 | timeout 8 socat -u - "UNIX-CONNECT:$SOCK" 2>/dev/null &
HOLDERS+=($!)
sleep 1
check "daemon answers within 5 s while two clients stall" answers

# The CLI.
run_cli dot bash -o pipefail -c "'$TNA_BUILD/tnactl' -s '$SOCK' graph --dot | dot -Tsvg"
check "tnactl graph --dot renders with dot -Tsvg" grep -q '<svg' "$OUT/dot.out"
run_cli show tnactl show link:1
check "tnactl show link:1" grep -q lo "$OUT/show.out"
run_cli showj tnactl -j show link:1
check "tnactl -j show link:1 is the node and its edges" "$TNA_PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(not (d["node"]["id"] == "link:1" and d["node"]["name"] == "lo"
              and isinstance(d["edges"], list)))' "$OUT/showj.out"
run_cli nosuch tnactl show nosuch
check "tnactl show nosuch exits 1 with a message on stderr" \
	test "$(rc nosuch)" -eq 1 -a -s "$OUT/nosuch.err" -a ! -s "$OUT/nosuch.out"
run_cli graphj tnactl -j graph
check "tnactl -j graph is nodes, edges, services" "$TNA_PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(not all(isinstance(d[k], list) for k in ("nodes", "edges", "services")))' \
	"$OUT/graphj.out"
run_cli caps tnactl -j caps
check "tnactl -j caps is a JSON object" "$TNA_PY" -c '
import json, sys
sys.exit(not (isinstance(json.load(open(sys.argv[1])), dict)))' "$OUT/caps.out"
run_cli stats tnactl -j stats
has_key() { json_find "$2" <"$1" >/dev/null; }
for key in events dumps resyncs listener_polls peak_rss_kib; do
	check "tnactl -j stats has $key" has_key "$OUT/stats.out" "$key"
done
run_cli fdb tnactl -j fdb br0
check "tnactl -j fdb br0 lists the bridge's own entries" "$TNA_PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(not (isinstance(d, list) and any(e.get("state") == "local" for e in d)))' "$OUT/fdb.out"
run_cli fdbnone tnactl fdb nosuch
check "tnactl fdb nosuch exits 1" test "$(rc fdbnone)" -eq 1
run_cli neigh tnactl neigh
check "tnactl neigh exits 0" test "$(rc neigh)" -eq 0

# SIGTERM: the daemon exits 0, removes its socket, and ends its monitors.
"$TNA_BUILD/tnactl" -s "$SOCK" -j monitor >/dev/null 2>&1 &
MONITOR=$!
sleep 0.3
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
status=$?
DAEMON_PID=
check "SIGTERM: daemon exits 0 (status $status)" test "$status" -eq 0
check "SIGTERM: socket removed" test ! -e "$SOCK"
check "tnactl monitor ends when the daemon stops" \
	wait_until 2 sh -c "! kill -0 $MONITOR 2>/dev/null"
kill "$MONITOR" 2>/dev/null

# A socket left behind by a daemon that was killed does not block the next one.
daemon_start "$NS" || not_ok "daemon starts in $NS again"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
check "SIGKILL leaves the socket file behind" test -e "$SOCK"
daemon_start "$NS"
check "a new daemon takes over a stale socket" answers
tna_finish
