# dcvmail-pipe: Postfix's pipe(8) entry point handing the message to a running
# `dcvmail watch` with pipe-server yes, and falling back to `dcvmail pipe`.
. "$TOP/tests/lib.sh"
CLIENT=$(dirname "$DCVMAIL")/dcvmail-pipe
S="$TEST_TMP/state"; FIX="$TOP/tests/corpus/ca"; DB="$S/ledger.db"
W=
cleanup() { [ -n "$W" ] && kill -9 "$W" 2>/dev/null; [ -n "${F:-}" ] && umount "$F" 2>/dev/null; }
trap cleanup EXIT
printf 'syslog no\npipe-server yes\npipe-server-timeout 1\nrole constructed admin@ webmaster@\nlimit message-size 64k\n' >"$TEST_TMP/c.conf"
touch "$TEST_TMP/w.err"
startw() { # STATE_DIR: until the new watcher says it listens
	n0=$(grep -c "pipe-server: answering" "$TEST_TMP/w.err")
	"$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$1" watch >>"$TEST_TMP/w.out" 2>>"$TEST_TMP/w.err" &
	W=$!
	for _ in $(seq 100); do
		[ "$(grep -c "pipe-server: answering" "$TEST_TMP/w.err")" -gt "$n0" ] && return 0; sleep 0.05; done
	return 1
}
stopw() { kill -TERM "$W"; wait "$W"; W=; }
deliver() { "$CLIENT" -c "$TEST_TMP/c.conf" -d "$S" "$@"; }
q() { sqlite3 "$DB" "$1"; }

check "dcvmail-pipe needs nothing but the C library" sh -c "! ldd '$CLIENT' | grep -Eq 'libetpan|libcurl|libsqlite|libpcre'"
check "watch with pipe-server and no mailboxes starts and listens" startw "$S"
check_eq "the socket is private to dcvmail's user (0600)" "$(stat -c %a "$S/pipe.sock")" 600
check_contains "and says where" "$(cat "$TEST_TMP/w.err")" "pipe-server: answering dcvmail-pipe on $S/pipe.sock"

out=$(deliver -f no-reply@digicert.com -r admin@example.com <"$FIX/digicert-dcv-plain.eml" 2>&1); rc=$?
check_eq "a delivery through the watcher exits 0" "$rc" 0
check_eq "and is recorded with the role of its recipient" "$(q "select role || ' ' || mailbox from messages")" "constructed admin@example.com"
check "the raw message is archived" [ "$(find "$S/archive" -type f | wc -l)" = 1 ]
check_contains "the watcher logs it (no queue id: NOQUEUE)" "$(cat "$TEST_TMP/w.err")" \
	"NOQUEUE: request=1 domain=shop.example.com dcv digicert/digicert-dcv new-request role=constructed"
out=$(deliver -q 4XyZ9kq0Wz -r webmaster@example.com <"$FIX/digicert-dcv-copy-webmaster.eml" 2>&1)
check_eq "a second copy joins the same request" "$(q "select copies from requests")" 2
check_contains "the queue id given to dcvmail-pipe -q starts the watcher's log line" "$(cat "$TEST_TMP/w.err")" \
	"4XyZ9kq0Wz: request=1 domain=shop.example.com dcv digicert/digicert-dcv copy role=constructed"
out=$(deliver -q 'bad id' -r admin@example.com <"$FIX/digicert-dcv-plain.eml" 2>&1); rc=$?
check_eq "dcvmail-pipe -q with something that is no queue id defers (75)" "$rc" 75
check_contains "naming -q in its usage" "$out" "[-q QUEUE_ID]"
out=$(deliver --dry-run -r admin@example.com <"$FIX/sectigo-dcv-plain.eml" 2>&1); rc=$?
check_eq "--dry-run through the watcher exits 0" "$rc" 0
check_contains "and answers with the verdict" "$out" "dcv sectigo/"
check_eq "and records nothing" "$(q "select count(*) from messages")" 2

# many deliveries at once: every one recorded exactly once
i=0; pids=; while [ $i -lt 40 ]; do
	{ printf 'Message-ID: <par%d@test.invalid>\n' $i; cat "$FIX/sectigo-dcv-plain.eml"; } >"$TEST_TMP/m$i.eml"
	deliver -r admin@example.com <"$TEST_TMP/m$i.eml" >"$TEST_TMP/r$i" 2>&1 &
	pids="$pids $!"; i=$((i + 1)); done
wait_all=0; for j in $pids; do wait "$j" || wait_all=1; done
check_eq "40 parallel deliveries all exit 0" "$wait_all" 0
check_eq "and each is recorded once" "$(q "select count(*), count(distinct sha256) from messages")" "42|42"

# size limit: a message over 4x message-size would be cut there: deferred, never recorded as a prefix
python3 -c "import sys; sys.stdout.write(open('$FIX/digicert-dcv-plain.eml').read() + 'x' * 400000 + '\n')" >"$TEST_TMP/big.eml"
n0=$(q "select count(*) from messages")
out=$(deliver -r admin@example.com <"$TEST_TMP/big.eml" 2>&1); rc=$?
check_eq "a message over the server's cap is deferred (75)" "$rc" 75
check_eq "and not recorded" "$(q "select count(*) from messages")" "$n0"

# time limit: a client that sends nothing cannot hold the watcher
python3 - "$S/pipe.sock" "$TEST_TMP/slow" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); open(sys.argv[2], "w").close(); time.sleep(3)
PY
SLOW=$!
for _ in $(seq 100); do [ -e "$TEST_TMP/slow" ] && break; sleep 0.05; done
out=$(deliver -r admin@example.com <"$FIX/globalsign-dcv.eml" 2>&1); rc=$?
check_eq "a client stalling for longer than pipe-server-timeout does not block the next delivery" "$rc" 0
wait "$SLOW"
check_contains "the stalled client is cut off and logged" "$(cat "$TEST_TMP/w.err")" "sent no complete message within 1 s"

# idle clients are served side by side: three connections that send nothing
# (pipe-server-timeout 12 here) do not delay a real delivery, and each is cut
# off after its own 12 s, not one after the other
stopw
sed -i 's/^pipe-server-timeout 1$/pipe-server-timeout 12/' "$TEST_TMP/c.conf"
startw "$S"
python3 - "$S/pipe.sock" "$TEST_TMP/idle" >"$TEST_TMP/idle.t" 2>&1 <<'PY' &
import socket, sys, time
ss = []
for i in range(3):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"dcvmail-pipe 1\n"); ss.append(s)
open(sys.argv[2], "w").close()
t0 = time.monotonic()
for s in ss:
    s.settimeout(40)
    try:
        s.recv(100)  # EOF when the watcher gives up on this client
    except OSError:
        pass
print("%.1f" % (time.monotonic() - t0))
PY
IDLE=$!
for _ in $(seq 100); do [ -e "$TEST_TMP/idle" ] && break; sleep 0.05; done
n=$(q "select count(*) from messages")
t0=$(date +%s)
out=$(deliver -r admin@example.com <"$FIX/sslcom-dcv.eml" 2>&1); rc=$?
t1=$(date +%s)
check_eq "with 3 idle clients connected a delivery exits 0" "$rc" 0
check "and completes in under 10 s ($((t1 - t0)) s)" [ $((t1 - t0)) -lt 10 ]
check_eq "and is recorded" "$(q "select count(*) from messages")" $((n + 1))
wait "$IDLE"
idle=$(cat "$TEST_TMP/idle.t")
check "the 3 idle clients are all cut off after about 12 s, not 36 ($idle s)" \
	python3 -c "import sys; sys.exit(not 11 <= float('$idle') < 20)"
check_eq "each is logged" "$(grep -c 'sent no complete message within 12 s' "$TEST_TMP/w.err")" 3
stopw

# memory: 20 clients each sending 4 MB (message-size 1M here) are not all
# buffered at once: the watcher holds at most about 8 x message-size plus
# the first client's message
sed -i 's/^limit message-size 64k$/limit message-size 1M/' "$TEST_TMP/c.conf"
startw "$S"
python3 - "$S/pipe.sock" "$TEST_TMP/bulk" <<'PY' &
import socket, sys, threading, time
def push(s):
    try:
        s.sendall(b"dcvmail-pipe 1\nrcpt admin@example.com\n\n" + b"X-Pad: " + b"p" * 4000000 + b"\n")
    except OSError:
        pass
ss = []
for i in range(20):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); ss.append(s)
    threading.Thread(target=push, args=(s,), daemon=True).start()
time.sleep(4)
open(sys.argv[2], "w").close()
time.sleep(2)
PY
BULK=$!
for _ in $(seq 200); do [ -e "$TEST_TMP/bulk" ] && break; sleep 0.05; done
rss=$(awk '/^VmHWM/ {print $2}' "/proc/$W/status")
wait "$BULK"
max=40000; [ "${SANITIZE:-0}" = 1 ] && max=200000
check "20 clients sending 4 MB each: the watcher peaks at ${rss} kB (< $max kB, not 80 MB)" [ "$rss" -lt "$max" ]
out=$(deliver -r admin@example.com <"$FIX/certum-dcv.eml" 2>&1); rc=$?
check_eq "and then still delivers" "$rc" 0
stopw
sed -i 's/^limit message-size 1M$/limit message-size 64k/' "$TEST_TMP/c.conf"
sed -i 's/^pipe-server-timeout 12$/pipe-server-timeout 1/' "$TEST_TMP/c.conf"
startw "$S"
# garbage on the socket
printf 'HELO\n\nnot a request' | python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect('$S/pipe.sock'); s.sendall(sys.stdin.buffer.read()); s.shutdown(socket.SHUT_WR); print(repr(s.recv(100)))" >/dev/null
check_contains "a request that is not one is refused and logged" "$(cat "$TEST_TMP/w.err")" "not a dcvmail-pipe request"
check "the watcher keeps serving" kill -0 "$W"

# a second watcher does not steal the socket
"$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" watch >/dev/null 2>"$TEST_TMP/w2.err"; rc=$?
check_eq "a second watcher on the same state directory refuses to start (73)" "$rc" 73
check_contains "saying why" "$(cat "$TEST_TMP/w2.err")" "another dcvmail watch already serves it"
stopw
check "SIGTERM removes the socket" [ ! -e "$S/pipe.sock" ]

# no watcher: dcvmail-pipe runs `dcvmail pipe` itself
n=$(q "select count(*) from messages")
out=$(deliver -q 7QQ5A -r admin@example.com <"$FIX/cybertrust-dcv.eml" 2>&1); rc=$?
check_eq "without a watcher the delivery still exits 0" "$rc" 0
check_eq "and is recorded by dcvmail pipe" "$(q "select count(*) from messages")" $((n + 1))
check_contains "dcvmail pipe gets the queue id too (its log line starts with it)" "$out" "dcvmail pipe: 7QQ5A: request="
# a watcher killed by -9 leaves its socket behind: the client falls back, a new watcher takes over
startw "$S"; kill -9 "$W"; wait "$W" 2>/dev/null; W=
check "kill -9 leaves a stale socket" [ -S "$S/pipe.sock" ]
out=$(deliver -r admin@example.com <"$FIX/certum-dcv.eml" 2>&1); rc=$?
check_eq "a stale socket makes the client fall back (exit 0)" "$rc" 0
check "a new watcher replaces the stale socket" startw "$S"
stopw

# a server that dies before answering: 75, so Postfix retries
python3 - "$S/pipe.sock" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
while c.recv(65536): pass
c.close(); os.unlink(sys.argv[1])
PY
FAKE=$!
for _ in $(seq 50); do [ -S "$S/pipe.sock" ] && break; sleep 0.05; done
out=$(deliver -r admin@example.com <"$FIX/certum-dcv.eml" 2>&1); rc=$?
wait "$FAKE"
check_eq "a watcher that stops before answering gives 75" "$rc" 75
check_contains "with a 4.3.0 reason for Postfix" "$out" "4.3.0 the dcvmail watcher stopped before answering"

# the client finds the socket where dcvmail's config puts it: the last
# state-dir line wins, a quoted word keeps its spaces and a # inside a word
S2="$TEST_TMP/state two#2"
{ printf 'state-dir %s/decoy\n' "$TEST_TMP"; cat "$TEST_TMP/c.conf"
  printf 'state-dir "%s" # the one dcvmail uses\n' "$S2"; } >"$TEST_TMP/c2.conf"
n0=$(grep -c "pipe-server: answering" "$TEST_TMP/w.err")
"$DCVMAIL" -c "$TEST_TMP/c2.conf" watch >>"$TEST_TMP/w.out" 2>>"$TEST_TMP/w.err" &
W=$!
for _ in $(seq 100); do [ "$(grep -c "pipe-server: answering" "$TEST_TMP/w.err")" -gt "$n0" ] && break; sleep 0.05; done
check_contains "the watcher serves the last state-dir of its config" "$(cat "$TEST_TMP/w.err")" "answering dcvmail-pipe on $S2/pipe.sock"
n0=$(grep -c "dcv globalsign/.* new-request" "$TEST_TMP/w.err")
out=$("$CLIENT" -c "$TEST_TMP/c2.conf" -r admin@example.com <"$FIX/globalsign-dcv.eml" 2>&1); rc=$?
check_eq "dcvmail-pipe -c with that config delivers (exit 0)" "$rc" 0
check "through that watcher, not by falling back to dcvmail pipe" \
	[ "$(grep -c "dcv globalsign/.* new-request" "$TEST_TMP/w.err")" -gt "$n0" ]
stopw

# the ledger cannot be written (full disk): 75, and the watcher keeps going
F="$TEST_TMP/full"
if [ "$(id -u)" = 0 ] && mkdir -p "$F" && mount -t tmpfs -o size=600k,mode=700 tmpfs "$F" 2>/dev/null; then
	S="$F/state"; DB="$S/ledger.db"
	startw "$S"
	deliver -r admin@example.com <"$FIX/digicert-dcv-plain.eml" >/dev/null 2>&1
	dd if=/dev/zero of="$F/filler" bs=4k 2>/dev/null
	out=$(deliver -r admin@example.com <"$FIX/sectigo-dcv-plain.eml" 2>&1); rc=$?
	check_eq "a full disk defers the delivery (75)" "$rc" 75
	check_contains "with a 4.3.0 reason" "$out" "4.3.0 dcvmail could not record the message"
	rm -f "$F/filler"
	out=$(deliver -r admin@example.com <"$FIX/sectigo-dcv-plain.eml" 2>&1); rc=$?
	check_eq "once there is room again the retry is recorded" "$rc:$(q "select count(*) from messages")" "0:2"
	stopw
else
	skip "full disk: cannot mount a small tmpfs here"
fi
t_done
