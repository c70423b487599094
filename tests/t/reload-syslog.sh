# A SIGHUP reload's configuration errors reach syslog with file and line:
# `dcvmail watch` logs to syslog only (syslog yes, stderr not a terminal).
# The test runs in a private mount namespace whose /dev holds its own
# /dev/log, a datagram socket a small listener writes to a file.
. "$TOP/tests/lib.sh"
if [ -z "${DCVMAIL_IN_MNTNS:-}" ]; then
	unshare -m true 2>/dev/null || { skip "no mount namespaces here (unshare -m)"; exit 0; }
	DCVMAIL_IN_MNTNS=1 exec unshare -m bash "$0" "$@"
fi
# a private /dev: the devices dcvmail and the shell use, and room for /dev/log
D="$TEST_TMP/dev"; mkdir -p "$D"
for n in null zero random urandom; do touch "$D/$n"; mount --bind "/dev/$n" "$D/$n"; done
mount --rbind "$D" /dev || { skip "cannot mount a private /dev"; exit 0; }
LOG="$TEST_TMP/syslog"; : >"$LOG"
python3 - "$LOG" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
with open(sys.argv[1], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
PY
L=$!
W=
trap 'kill $L $W 2>/dev/null' EXIT
for _ in $(seq 100); do [ -S /dev/log ] && break; sleep 0.05; done
S="$TEST_TMP/state"
printf 'syslog yes\npipe-server yes\n' >"$TEST_TMP/c.conf"
"$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" watch >"$TEST_TMP/w.out" 2>"$TEST_TMP/w.err" </dev/null &
W=$!
wait_syslog() { # SECONDS PATTERN
	for _ in $(seq $(($1 * 20))); do grep -q "$2" "$LOG" && return 0; sleep 0.05; done
	return 1
}
check "watch logs to syslog" wait_syslog 5 "pipe-server: answering"
printf 'pipe-server-timeout 0\nno-such-keyword yes\n' >>"$TEST_TMP/c.conf"
kill -HUP "$W"
check "a SIGHUP with a broken config says so in syslog" wait_syslog 5 "reload failed"
check_contains "the error reaches syslog with file and line" "$(cat "$LOG")" \
	"$TEST_TMP/c.conf:3: 'pipe-server-timeout' wants a number from 1 to 600, not '0'"
check_contains "every error of the file" "$(cat "$LOG")" "$TEST_TMP/c.conf:4: unknown keyword 'no-such-keyword'"
check_contains "and how many" "$(cat "$LOG")" "$TEST_TMP/c.conf: 2 errors in configuration"
check "the watcher keeps running with the old configuration" kill -0 "$W"
check_not_contains "nothing goes to stderr (syslog only)" "$(cat "$TEST_TMP/w.err")" "c.conf"
kill -TERM "$W"; wait "$W"; W=
t_done
