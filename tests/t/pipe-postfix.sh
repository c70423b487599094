# dcvmail behind a real Postfix: delivered, deferred on failure, retried, in parallel.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-postfix.sh"
if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null; then
	skip "Postfix tests need root and postfix"; exit 0
fi
trap pf_stop EXIT
if ! pf_start; then not_ok "private Postfix starts"; exit 1; fi
ok "private Postfix starts on 127.0.0.1:$PF_PORT"
FIX="$TOP/tests/corpus/ca"
q() { sqlite3 "$PF_STATE/ledger.db" "$1"; }

pf_send noreply_support@trust-provider.com admin@example.test "$FIX/sectigo-dcv-plain.eml"
check "Postfix logs status=sent via the dcvmail service" pf_wait_log "relay=dcvmail.*status=sent" 1 30
check_eq "the message is recorded with its verdict and role" \
	"$(q "select type, ca, role from messages")" "dcv|sectigo|constructed"

# the ledger unwritable: Postfix keeps the mail and retries
chmod 000 "$PF_STATE"
pf_send noreply_support@trust-provider.com dcv-contact@example.test "$FIX/sectigo-dcv-html-comodo.eml"
check "a failing ledger makes Postfix defer (status=deferred)" pf_wait_log "status=deferred" 1 30
check_contains "with the 4.3.0 reason from dcvmail" "$(grep status=deferred "$PF_LOG")" "dsn=4.3.0, status=deferred (dcvmail ledger unavailable"
check_contains "the message waits in the queue" "$(postqueue -c "$PF/conf" -p)" "dcv-contact@example.test"
check_not_contains "nothing bounced" "$(cat "$PF_LOG")" "status=bounced"
chmod 700 "$PF_STATE"
postqueue -c "$PF/conf" -f
check "after the fault is fixed and the queue flushed, it is delivered" pf_wait_log "status=sent" 2 30
check_eq "and recorded exactly once, as a copy of the same request" \
	"$(q "select count(*) from messages"):$(q "select copies from requests")" "2:2"
check_eq "with the role of its original recipient" "$(q "select role from messages order by id desc limit 1")" "txt"

# 200 messages in parallel
mkdir "$PF/many"
python3 - "$PF/many" <<'PY'
import sys
for i in range(200):
    open("%s/m%03d.eml" % (sys.argv[1], i), "w").write(
        "From: DigiCert <no-reply@digitalcertvalidation.com>\r\nTo: admin@example.test\r\n"
        "Subject: [Action Required] Approve Certificate Request for host%d.example.com {%d}\r\n"
        "Message-ID: <many%d@example.test>\r\n\r\nApprove: https://www.digicert.com/link/approve?t=%d\r\n"
        % (i % 50, 7000000 + i % 50, i, i))
PY
ls "$PF"/many/*.eml | xargs -P 20 -n 10 sh -c 'python3 - "$0" "$@" <<PY
import smtplib, sys
for p in sys.argv[1:]:
    with smtplib.SMTP("127.0.0.1", '"$PF_PORT"', timeout=60) as s:
        s.sendmail("no-reply@digitalcertvalidation.com", ["admin@example.test"], open(p, "rb").read())
PY'
check "200 parallel messages are all delivered" pf_wait_log "status=sent" 202 120
check_eq "all 200 are recorded, none twice" "$(q "select count(*) from messages where subject like '%host%'")" 200
check_eq "they make 50 requests (4 copies each)" "$(q "select count(*), min(copies), max(copies) from requests where ca = 'digicert'")" "50|4|4"
check_not_contains "none bounced" "$(cat "$PF_LOG")" "status=bounced"

# malformed and oversized mail is acknowledged
python3 -c 'import sys; sys.stdout.write("From: a@example.com\r\nSubject: huge\r\n\r\n" + ("y" * 998 + "\r\n") * 12500)' >"$PF/huge.eml"
printf 'From: a@example.com\r\nSubject: broken mime\r\nContent-Type: multipart/mixed; boundary="q"\r\n\r\n--q\r\nContent-Type: text/plain; charset=no-such\r\n\r\nhi\r\n' >"$PF/broken.eml"
pf_send a@example.com admin@example.test "$PF/huge.eml" "$PF/broken.eml"
check "a 12 MB and a broken message are delivered, not bounced" pf_wait_log "status=sent" 204 60
check_eq "recorded as oversized and malformed" \
	"$(q "select type from messages where subject in ('huge', 'broken mime') order by subject")" "$(printf 'malformed\noversized')"
check_eq "no mail left in the queue" "$(postqueue -c "$PF/conf" -p | tail -1)" "Mail queue is empty"
t_done
