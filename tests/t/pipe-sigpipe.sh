# A forward that `dcvmail pipe` runs inline after recording meets a relay that
# resets the connection: libcurl's QUIT on the dead socket raised SIGPIPE,
# and pipe answered Postfix "4.3.0 stopped by a signal" (75) for mail it had
# recorded. The mail is delivered (0); the forward stays queued for a retry,
# and `dcvmail outbox` meeting the same relay counts the attempt instead of dying.
. "$TOP/tests/lib.sh"
S="$TEST_TMP/state"; FIX="$TOP/tests/corpus/ca"
PORT=$(free_port)
cat >"$TEST_TMP/c.conf" <<CONF
syslog no
role constructed admin@
smtp {
  url smtp://127.0.0.1:$PORT
  from dcvmail@example.test
}
route {
  type dcv
  forward ops@example.test
}
CONF
python3 - "$PORT" "$TEST_TMP/up" <<'PY' &
import socket, struct, sys
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1]))); l.listen(5)
open(sys.argv[2], "w").close()
while True:
    c, _ = l.accept()
    c.sendall(b"220 reset.example.test ESMTP\r\n")
    buf = b""
    while True:
        d = c.recv(4096)
        if not d: break
        buf += d
        if b"EHLO" in buf:
            buf = b""; c.sendall(b"250-reset.example.test\r\n250 8BITMIME\r\n")
        elif b"MAIL" in buf:
            buf = b""; c.sendall(b"250 ok\r\n")
        elif b"RCPT" in buf:  # a relay that crashes: RST, not FIN
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            break
    c.close()
PY
SRV=$!
trap 'kill $SRV 2>/dev/null' EXIT
for _ in $(seq 100); do [ -f "$TEST_TMP/up" ] && break; sleep 0.05; done
out=$("$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" pipe -r admin@example.com <"$FIX/digicert-dcv-plain.eml" 2>&1); rc=$?
check_eq "pipe exits 0: the mail is recorded though the relay reset the connection" "$rc" 0
check_not_contains "Postfix is not told it stopped by a signal" "$out" "stopped by a signal"
check_eq "the message is recorded once" "$(sqlite3 "$S/ledger.db" 'select count(*) from messages')" 1
check_eq "the forward stays queued for a retry" "$(sqlite3 "$S/ledger.db" "select done, attempts from outbox where kind = 'forward'")" "0|1"
# dcvmail outbox meets the same relay: the attempt is counted, the runner not killed
sqlite3 "$S/ledger.db" "update outbox set next_try = 0, lease_until = 0"
out=$("$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" outbox 2>&1); rc=$?
check_eq "dcvmail outbox is not killed by SIGPIPE (exit 0)" "$rc" 0
check_eq "and counts the failed attempt" "$(sqlite3 "$S/ledger.db" "select done, attempts from outbox where kind = 'forward'")" "0|2"
t_done
