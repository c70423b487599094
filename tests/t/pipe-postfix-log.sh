# The log lines of a delivery through real Postfix (issue 16.2): with the
# documented master.cf line (`pipe ... -q ${queue_id}`), dcvmail's syslog line
# for a mail starts with the queue id Postfix logs for it, so that one grep
# finds both; one line per message, never a link or a code. Syslog is caught
# without a syslog daemon: the test runs in a private mount namespace whose
# /dev/log is a datagram socket a small listener writes to a file.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-postfix.sh"
if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null; then
	skip "Postfix tests need root and postfix"; exit 0
fi
if [ -z "${DCVMAIL_IN_MNTNS:-}" ]; then
	unshare -m true 2>/dev/null || { skip "no mount namespaces here (unshare -m)"; exit 0; }
	DCVMAIL_IN_MNTNS=1 exec unshare -m bash "$0" "$@"
fi
D="$TEST_TMP/dev"; mkdir -p "$D"
for n in null zero random urandom; do touch "$D/$n"; mount --bind "/dev/$n" "$D/$n"; done
mount --rbind "$D" /dev || { skip "cannot mount a private /dev"; exit 0; }
LOG="$TEST_TMP/syslog"; : >"$LOG"
python3 - "$LOG" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
os.chmod("/dev/log", 0o666)  # the pipe runs as nobody
with open(sys.argv[1], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
PY
L=$!
trap 'pf_stop; kill $L 2>/dev/null' EXIT
for _ in $(seq 100); do [ -S /dev/log ] && break; sleep 0.05; done

check_contains "the documented master.cf line passes the queue id" \
	"$(grep 'argv=' "$TOP/contrib/postfix/master.cf" | head -1)" '-q ${queue_id}'
if ! pf_start; then not_ok "private Postfix starts"; exit 1; fi
ok "private Postfix starts on 127.0.0.1:$PF_PORT"
sed -i 's/^syslog no$/syslog yes/' "$PF/dcvmail.conf"
FIX="$TOP/tests/corpus/ca"; P="$TOP/tests/corpus/phish"
wait_syslog() { # SECONDS PATTERN
	for _ in $(seq $(($1 * 20))); do grep -q -- "$2" "$LOG" && return 0; sleep 0.05; done
	return 1
}
# qid PATTERN: the queue id of the last Postfix pipe line matching
qid() { grep "postfix/pipe.*$1" "$PF_LOG" | tail -1 | sed -n 's/.*postfix\/pipe\[[0-9]*\]: \([0-9A-Za-z]*\): .*/\1/p'; }

pf_send noreply_support@trust-provider.com admin@example.test "$FIX/sectigo-dcv-plain.eml"
check "Postfix delivers through the dcvmail service" pf_wait_log "relay=dcvmail.*status=sent" 1 30
Q=$(qid "to=<admin@example.test>.*status=sent")
check "Postfix logged a queue id ($Q)" [ -n "$Q" ]
check "dcvmail's syslog line for it starts with the same queue id" wait_syslog 10 "dcvmail\[[0-9]*\]: $Q: "
line=$(grep "dcvmail\[[0-9]*\]: $Q: " "$LOG")
check_eq "one line for the message" "$(printf '%s\n' "$line" | wc -l)" 1
check_contains "ident dcvmail, facility mail, priority info (<22>)" "$line" "<22>"
check_contains "then request, domain, type, CA/rule, outcome, role, actions" "$line" \
	"$Q: request=1 domain=www.example.net dcv sectigo/sectigo-dcv new-request role=constructed actions=none sha256="

# a suspicious mail: the reason is in the line, the link is not
pf_send no-reply@digitalcertvalidation.com webmaster@example.test "$P/lookalike-suffix.eml"
check "the suspicious mail is delivered" pf_wait_log "to=<webmaster@example.test>.*status=sent" 1 30
Q2=$(qid "to=<webmaster@example.test>.*status=sent")
check "its dcvmail line carries its queue id ($Q2)" wait_syslog 10 "dcvmail\[[0-9]*\]: $Q2: "
line=$(grep "dcvmail\[[0-9]*\]: $Q2: " "$LOG")
check_contains "it says suspicious, with the reason" "$line" \
	"suspicious digicert/digicert-dcv new-request role=constructed"
check_contains "the reason in plain words" "$line" \
	"reason=\"approval link host 'www.digicert.com.evil.example' is not allowed for DigiCert"

# the ledger unwritable: the deferral's line carries the queue id too
chmod 000 "$PF_STATE"
pf_send noreply_support@trust-provider.com dcv-contact@example.test "$FIX/sectigo-dcv-html-comodo.eml"
check "a failing ledger makes Postfix defer" pf_wait_log "status=deferred" 1 30
Q3=$(grep "postfix/pipe.*status=deferred" "$PF_LOG" | tail -1 | sed -n 's/.*postfix\/pipe\[[0-9]*\]: \([0-9A-Za-z]*\): .*/\1/p')
check "the deferral is logged by dcvmail with the same queue id ($Q3)" \
	wait_syslog 10 "dcvmail\[[0-9]*\]: $Q3: deferred: dcvmail ledger unavailable"
chmod 700 "$PF_STATE"

# no line of dcvmail's holds a link or a code
all=$(grep "dcvmail\[" "$LOG")
check_not_contains "no link in any dcvmail log line" "$all" "://"
check_not_contains "no approval token" "$all" "link/approve"
check_not_contains "no Sectigo validation code" "$all" "A1b2*C3d4"
t_done
