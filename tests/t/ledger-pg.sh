# The PostgreSQL ledger (issue 18), on a private PostgreSQL the test starts:
# the store's unit test and a sequence of commands give the same answers on
# both backends; two "hosts" (two configs and state directories, one
# database) deliver the copies of the same requests concurrently and every
# message, request and webhook happens once; the database stopped during a
# delivery defers it (75) and the redelivery is recorded once; the password
# stays out of the config and the messages.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-postgres.sh"
pg_have || { skip "no PostgreSQL server binaries (Debian: postgresql)"; exit 0; }
HTTPS_PIDS=
trap 'for p in $HTTPS_PIDS; do kill $p 2>/dev/null; done; pg_stop' EXIT
pg_start || { not_ok "a private PostgreSQL starts"; exit 1; }
FIX="$TOP/tests/corpus/ca"

# --- the store's unit test on PostgreSQL
out=$(DCVMAIL_TEST_LEDGER="$PG_URL" DCVMAIL_TEST_PG_RESTART=". $TOP/tests/lib-postgres.sh; PG=$PG; pg_halt && pg_resume" \
	"$TOP/$BUILD/tests/test-store" 2>&1); rc=$?
check_eq "the store unit test passes on PostgreSQL" "$rc:$(printf '%s\n' "$out" | grep -c '^not ok')" "0:0"
check_contains "and ran its ledger checks there" "$out" "ok - IMAP state is kept per mailbox"
check_contains "an open store survives a server restart (reconnects)" "$out" "ok - a transaction after another restart"
check_eq "the schema version is kept in the database" "$(pg_sql "select version from schema_version")" 8
pg_sql "DROP SCHEMA public CASCADE; CREATE SCHEMA public AUTHORIZATION dcvmail" >/dev/null 2>&1

# --- the same commands on both backends give the same answers
N=$(ls "$TOP/tests/corpus/ca"/*.eml | wc -l) # the corpus
printf 'syslog no\nrole constructed admin@ webmaster@ hostmaster@\n' >"$TEST_TMP/lite.conf"
{ cat "$TEST_TMP/lite.conf"; printf 'ledger "%s"\n' "$PG_URL"; } >"$TEST_TMP/pg.conf"
norm() { sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/T/g; s/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} [A-Z]+/T/g; s/ +[0-9]+[smhd]( |$)/ A\1/g; s/"age":[0-9]+/"age":0/g; s/"(first_seen|last_seen|state_changed|received|seen|at|created|until)":[0-9]+/"\1":0/g'; }
session() { # CONF STATE: the same operations, their output normalised
	d() { "$DCVMAIL" -c "$1" -d "$2" "$@"; }
	c=$1 s=$2
	"$DCVMAIL" -c "$c" -d "$s" check -q "$FIX" 2>&1 | sed 's/^/check: /'
	"$DCVMAIL" -c "$c" -d "$s" check -q "$FIX" 2>&1 | sed 's/^/again: /'
	"$DCVMAIL" -c "$c" -d "$s" expect add --ca digicert --domain example.org --order 777 2>&1
	"$DCVMAIL" -c "$c" -d "$s" reject 3 --note "not ours" 2>&1
	"$DCVMAIL" -c "$c" -d "$s" list 2>&1
	"$DCVMAIL" -c "$c" -d "$s" list --json 2>&1
	"$DCVMAIL" -c "$c" -d "$s" report 2>&1
	"$DCVMAIL" -c "$c" -d "$s" expect list 2>&1
	n=$("$DCVMAIL" -c "$c" -d "$s" list --json | grep -o '"id":[0-9]*' | wc -l)
	i=1; while [ $i -le "$n" ]; do "$DCVMAIL" -c "$c" -d "$s" show "$i" 2>&1; i=$((i + 1)); done
}
session "$TEST_TMP/lite.conf" "$TEST_TMP/lite" | norm >"$TEST_TMP/lite.out"
session "$TEST_TMP/pg.conf" "$TEST_TMP/pgstate" | norm >"$TEST_TMP/pg.out"
check_contains "the corpus is recorded on PostgreSQL" "$(cat "$TEST_TMP/pg.out")" "check: $N messages"
if cmp -s "$TEST_TMP/lite.out" "$TEST_TMP/pg.out"; then ok "check, expect, reject, list, report and show answer the same on both backends"
else not_ok "check, expect, reject, list, report and show answer the same on both backends"
	diff "$TEST_TMP/lite.out" "$TEST_TMP/pg.out" | head -30 | sed 's/^/#   /'; fi
check_eq "the raw messages are in the database, none in the local state directory" \
	"$(pg_sql "select count(*) from archive")/$(find "$TEST_TMP/pgstate" -type f | wc -l)" "$N/0"
check_eq "archived bytes are the mail's" \
	"$(pg_sql "select encode(sha256(data), 'hex') = sha256 from archive" | sort -u)" "t"

# --- ledger copy: the SQLite ledger and its archive into PostgreSQL, idempotent, resumable
views() { # CONF STATE: what a person sees
	"$DCVMAIL" -c "$1" -d "$2" list 2>&1; "$DCVMAIL" -c "$1" -d "$2" list --json 2>&1
	"$DCVMAIL" -c "$1" -d "$2" report 2>&1; "$DCVMAIL" -c "$1" -d "$2" expect list 2>&1
	for i in $(seq 1 52); do "$DCVMAIL" -c "$1" -d "$2" show "$i" 2>&1; done
}
pg_sql "DROP SCHEMA public CASCADE; CREATE SCHEMA public AUTHORIZATION dcvmail" >/dev/null 2>&1
out=$("$DCVMAIL" -c "$TEST_TMP/lite.conf" ledger copy "$TEST_TMP/lite" "$PG_URL" 2>&1); rc=$?
check_eq "ledger copy exits 0" "$rc" 0
check_contains "and says what it copied, table by table" "$out" "messages: $N rows, $N new"
check_contains "with the archive" "$out" "archive: $N messages, $N new"
views "$TEST_TMP/lite.conf" "$TEST_TMP/lite" | norm >"$TEST_TMP/v-lite"
views "$TEST_TMP/pg.conf" "$TEST_TMP/pgstate" | norm >"$TEST_TMP/v-pg"
if cmp -s "$TEST_TMP/v-lite" "$TEST_TMP/v-pg"; then ok "list, report, expect list and show are identical after the copy"
else not_ok "list, report, expect list and show are identical after the copy"; diff "$TEST_TMP/v-lite" "$TEST_TMP/v-pg" | head -20 | sed 's/^/#   /'; fi
out=$("$DCVMAIL" -c "$TEST_TMP/lite.conf" ledger copy "$TEST_TMP/lite" "$PG_URL" 2>&1); rc=$?
check_eq "a second copy exits 0 and adds nothing" "$rc:$(printf '%s\n' "$out" | grep -c ' [1-9][0-9]* new')" "0:0"
# a copy cut short: part of the history and of the archive never arrived
pg_sql "DELETE FROM history; DELETE FROM archive WHERE sha256 IN (SELECT sha256 FROM archive ORDER BY sha256 LIMIT 50)" >/dev/null
out=$("$DCVMAIL" -c "$TEST_TMP/lite.conf" ledger copy "$TEST_TMP/lite" "$PG_URL" 2>&1); rc=$?
check_contains "run again, the copy fills in what is missing" "$out" "archive: $N messages, 50 new"
check_eq "and only that" "$(printf '%s\n' "$out" | grep ' [1-9][0-9]* new' | cut -d: -f1 | tr '\n' ' ')" "history archive "
views "$TEST_TMP/pg.conf" "$TEST_TMP/pgstate" | norm >"$TEST_TMP/v-pg2"
if cmp -s "$TEST_TMP/v-lite" "$TEST_TMP/v-pg2"; then ok "and the ledger is whole again"
else not_ok "and the ledger is whole again"; diff "$TEST_TMP/v-lite" "$TEST_TMP/v-pg2" | head -20 | sed 's/^/#   /'; fi
"$DCVMAIL" -c "$TEST_TMP/pg.conf" -d "$TEST_TMP/pgstate" expect add --ca sectigo --domain new.example.com >/dev/null 2>&1
check_eq "new rows after the copy get new ids" "$?:$(pg_sql "select max(id) from expectations")" "0:2"

# --- two hosts, one database: the copies of each request land on both, concurrently
pg_sql "DROP SCHEMA public CASCADE; CREATE SCHEMA public AUTHORIZATION dcvmail" >/dev/null 2>&1
HP=$(free_port)
tls_cert "$TEST_TMP" hook
printf 'k3y-for-the-test\n' >"$TEST_TMP/notify.secret"; chmod 600 "$TEST_TMP/notify.secret"
for h in a b; do
	cat >"$TEST_TMP/$h.conf" <<CONF
syslog no
hostname mx-$h.example.com
role constructed admin@
ledger "$PG_URL"
notify-secret-file $TEST_TMP/notify.secret
notify-timeout 30
https-ca-file $TEST_TMP/hook-ca.pem
route {
  type dcv
  notify https://localhost:$HP/hooks/dcv
}
CONF
done
https_start hook "$HP" hook
# ORDERS DigiCert orders, COPIES distinct messages each (a copy per contact)
ORDERS=${PG_ORDERS:-30} COPIES=${PG_COPIES:-6}
mkdir "$TEST_TMP/mail"
python3 - "$TEST_TMP/mail" "$ORDERS" "$COPIES" <<'PY'
import sys
d, orders, copies = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for o in range(orders):
    for c in range(copies):
        with open("%s/m-%03d-%d.eml" % (d, o, c), "w") as f:
            f.write("From: DigiCert <no-reply@digitalcertvalidation.com>\nTo: admin@example.com\n"
                    "Subject: [Action Required] Approve Certificate Request for h%d.example.com {%d}\n"
                    "Message-ID: <fleet-%d-%d@t>\n\nApprove https://www.digicert.com/link/approve?t=%d-%d\n\n"
                    % (o, 9300000 + o, o, c, o, c))
PY
# each message to host a or b in turn; every third one to both (the same mail at two MX hosts)
i=0; for f in "$TEST_TMP"/mail/*.eml; do
	if [ $((i % 2)) -eq 0 ]; then echo "a $f"; else echo "b $f"; fi
	[ $((i % 3)) -eq 0 ] && { if [ $((i % 2)) -eq 0 ]; then echo "b $f"; else echo "a $f"; fi; }
	i=$((i + 1))
done | sort -R -k2 >"$TEST_TMP/deliveries"
ndeliv=$(wc -l <"$TEST_TMP/deliveries")
cat >"$TEST_TMP/deliver" <<SH
#!/bin/sh
h=\$1; f=\$2
"$DCVMAIL" -c "$TEST_TMP/\$h.conf" -d "$TEST_TMP/state-\$h" pipe -r admin@example.com <"\$f" >/dev/null 2>"\$f.\$h.err"
echo "\$? \$h \$f" >>"$TEST_TMP/rcs"
SH
chmod +x "$TEST_TMP/deliver"
t0=$(date +%s.%N)
xargs -P 8 -L 1 "$TEST_TMP/deliver" <"$TEST_TMP/deliveries"
t1=$(date +%s.%N)
echo "# $ndeliv deliveries, 8 at a time over two hosts: $(echo "$t1 - $t0" | bc) s"
# a delivery that exits 75 is one Postfix retries: do as it does, once, and
# show why it was deferred (a rare transient refusal of a concurrent write)
deferred=$(awk '$1 == 75' "$TEST_TMP/rcs")
if [ -n "$deferred" ]; then
	echo "$deferred" | while read -r _ h f; do sed 's/^/# deferred, then retried: /' "$f.$h.err"; done
	echo "$deferred" | while read -r _ h f; do "$TEST_TMP/deliver" "$h" "$f"; done
fi
check_eq "every one of the $ndeliv concurrent deliveries exits 0 (75, retried as Postfix would, at most twice)" \
	"$(awk '$1 != 0 && $1 != 75' "$TEST_TMP/rcs" | wc -l)/$(awk '$1 == 0' "$TEST_TMP/rcs" | wc -l)/$(echo "$deferred" | grep -c .)" \
	"0/$ndeliv/$(echo "$deferred" | grep -c . | awk '$1 <= 2')"
check_eq "every message is recorded once" "$(pg_sql "select count(*), count(distinct sha256) from messages")" \
	"$((ORDERS * COPIES))|$((ORDERS * COPIES))"
check_eq "every request once, with all its copies from both hosts" \
	"$(pg_sql "select count(*), min(copies), max(copies) from requests")" "$ORDERS|$COPIES|$COPIES"
check_eq "a mail delivered at both hosts is one message with one copy" \
	"$(pg_sql "select count(*) from request_copies")" "$((ORDERS * COPIES))"
check_eq "one notify per request, each done" "$(pg_sql "select count(*), sum(done), sum(ok) from outbox where kind = 'notify'")" \
	"$ORDERS|$ORDERS|$ORDERS"
# hooks: requests notified, delivery ids, and requests with more than one delivery id
hooks() { python3 -c '
import json, sys
seen = {}
for l in open(sys.argv[1]):
    e = json.loads(l)
    seen.setdefault(json.loads(e["body"])["request"], set()).add(e["headers"].get("x-dcvmail-delivery"))
print(len(seen), sum(len(d) for d in seen.values()), sum(1 for d in seen.values() if len(d) > 1))' "$TEST_TMP/hook.log"; }
check_eq "the webhook got each request once (a repeat after a timeout would carry the same delivery id)" \
	"$(hooks)" "$ORDERS $ORDERS 0"
check_eq "both hosts see the same ledger" \
	"$("$DCVMAIL" -c "$TEST_TMP/a.conf" -d "$TEST_TMP/state-a" list | norm | md5sum)" \
	"$("$DCVMAIL" -c "$TEST_TMP/b.conf" -d "$TEST_TMP/state-b" list | norm | md5sum)"
id=$(pg_sql "select id from requests order by id limit 1")
check_contains "host b shows a message host a recorded, from the database's archive" \
	"$("$DCVMAIL" -c "$TEST_TMP/b.conf" -d "$TEST_TMP/state-b" show "$id")" "archive "
check_not_contains "and finds its archive intact" \
	"$("$DCVMAIL" -c "$TEST_TMP/b.conf" -d "$TEST_TMP/state-b" show "$id")" "missing"

# --- the password: never in the config, from a 0600 file or PGPASSFILE; -n checks the connection
pw() { printf 'syslog no\nledger "%s"\n%s\n' "$1" "$2" >"$TEST_TMP/pw.conf"; }
pw "postgresql://dcvmail:dcvmail-pass@127.0.0.1:$PG_PORT/dcvmail?sslmode=disable" ""
out=$("$DCVMAIL" -c "$TEST_TMP/pw.conf" -n 2>&1); rc=$?
check_eq "a password in the ledger URL is refused" "$rc" 78
check_contains "with the way out" "$out" "ledger-password-file or PGPASSFILE"
check_not_contains "and the password is not repeated" "$out" "dcvmail-pass"
out=$("$DCVMAIL" -c "$TEST_TMP/lite.conf" ledger copy "$TEST_TMP/lite" \
	"postgresql://dcvmail:dcvmail-pass@127.0.0.1:$PG_PORT/dcvmail" 2>&1); rc=$?
check_eq "ledger copy refuses a password in its URL too" "$rc:$(printf '%s' "$out" | grep -c dcvmail-pass)" "64:0"
printf 'dcvmail-pass\n' >"$TEST_TMP/ledger.pw"; chmod 644 "$TEST_TMP/ledger.pw"
pw "$PG_URL" "ledger-password-file $TEST_TMP/ledger.pw"
out=$(env -u PGPASSFILE "$DCVMAIL" -c "$TEST_TMP/pw.conf" -n 2>&1); rc=$?
check_eq "a password file others can read is refused by -n" "$rc:$(printf "%s" "$out" | grep -c "ledger-password-file .* chmod 600" | sed "s/[1-9][0-9]*/named/")" "78:named"
chmod 600 "$TEST_TMP/ledger.pw"
out=$(env -u PGPASSFILE "$DCVMAIL" -c "$TEST_TMP/pw.conf" -n 2>&1); rc=$?
check_eq "-n connects with the password file (no PGPASSFILE)" "$rc" 0
check_contains "and says the server, TLS and the schema version" "$out" "connected (PostgreSQL 15."
check_contains "schema version" "$out" "no TLS (sslmode=disable)), schema version 8: ok"
out=$(env -u PGPASSFILE "$DCVMAIL" -c "$TEST_TMP/pw.conf" -d "$TEST_TMP/state-pw" list 2>&1); rc=$?
check_eq "commands use the password file" "$rc:$(printf '%s\n' "$out" | grep -c '^[0-9]')" "0:$((ORDERS))"
printf 'wrong-secret\n' >"$TEST_TMP/ledger.pw"
out=$(env -u PGPASSFILE "$DCVMAIL" -c "$TEST_TMP/pw.conf" -d "$TEST_TMP/state-pw" list 2>&1); rc=$?
check "a wrong password fails" [ "$rc" -ne 0 ]
check_contains "saying so" "$out" "password authentication failed"
check_not_contains "without the password" "$out" "wrong-secret"

# --- an approval at most once across the fleet
AR="$TEST_TMP/aprules"; mkdir -p "$AR"; testca_rules "$AR"
CAP=$(free_port); tls_cert "$TEST_TMP" site
for h in a b; do
	cat >"$TEST_TMP/ap-$h.conf" <<CONF
syslog no
hostname mx-$h.example.com
rules-dir $AR
ledger "$PG_URL"
trust-authserv-id mx.example.test
https-ca-file $TEST_TMP/site-ca.pem
approve-timeout 10
pipe-action-deadline 0
route {
  type dcv
  approve
}
auto-approve testca
CONF
done
ap() { h=$1; shift; DCVMAIL_RULES_DIR="$AR" "$DCVMAIL" -c "$TEST_TMP/ap-$h.conf" -d "$TEST_TMP/ap-state-$h" "$@"; }
apmail() { # ORDER: an authenticated request of the test CA for www.example.com, expected
	ap a expect add --ca testca --domain www.example.com --order "$1" --until +7d >/dev/null
	cat >"$TEST_TMP/ap$1.eml" <<MAIL
Authentication-Results: mx.example.test; dkim=pass header.d=ca.test
From: Test CA Validation <validation@ca.test>
To: admin@www.example.com
Subject: Approve the certificate for www.example.com (order $1)
Message-ID: <ap$1@ca.test>
Date: Wed, 25 Nov 2026 09:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Someone ordered a certificate for www.example.com. Your code: ABCDEF123456
Approve: https://localhost:$CAP/approve?order=$1&t=tok$1
Reject: https://localhost:$CAP/reject?order=$1&t=tok$1
MAIL
	ap b pipe -r admin@www.example.com <"$TEST_TMP/ap$1.eml" >/dev/null 2>&1
}
careqs() { grep -cF "\"method\": \"$1\", \"path\": \"/approve?order=$2&" "$TEST_TMP/ca.log" 2>/dev/null || true; }
caroutes() { # GET-DELAY
	echo "{\"GET /approve\": {\"body\": \"<form>order code</form>\", \"set_cookie\": \"sid=s1; Path=/\", \"delay\": $1}," \
		"\"POST /approve\": {\"body\": \"<p>Thank you: the domain is validated.</p>\"}}" >"$TEST_TMP/ca.routes"
}
caroutes 1
https_start ca "$CAP" site
apmail 501
ap a outbox >/dev/null 2>&1 & p1=$!
ap b outbox >/dev/null 2>&1 & p2=$!
wait $p1 $p2
check_eq "both hosts run the outbox at once: approved, one GET and one POST at the CA" \
	"$(pg_sql "select state from requests where order_id = '501'"):$(careqs GET 501):$(careqs POST 501)" "approved:1:1"
check_eq "and one approval attempt" "$(pg_sql "select count(*), min(outcome) from approval_attempts a join requests r on r.id = a.request_id where r.order_id = '501'")" "1|approved"

caroutes 5
apmail 502
ap a outbox >/dev/null 2>&1 & RUN=$!
n=0; while [ "$(careqs GET 502)" -lt 1 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
kill -9 $RUN; wait $RUN 2>/dev/null
caroutes 0
# host a is another machine: only its lease tells; its outbox claim has run out
pg_sql "update approval_attempts set host = 'mx-a.elsewhere' where outcome = 'approving'" >/dev/null
pg_sql "update outbox set lease_until = 0 where done = 0" >/dev/null
ap b outbox >/dev/null 2>&1
id=$(pg_sql "select id from requests where order_id = '502'")
check_eq "host a killed mid-approval: while its lease runs, host b sends nothing" "$(careqs GET 502):$(careqs POST 502)" "1:0"
check_contains "and show on host b says an approval is running" "$(ap b show "$id")" "approving, started"
pg_sql "update approval_attempts set lease_until = extract(epoch from now())::bigint - 1 where outcome = 'approving'" >/dev/null
pg_sql "update outbox set lease_until = 0, next_try = 0 where done = 0" >/dev/null
out=$(ap b outbox 2>&1)
check_contains "host b's outbox says the approval was interrupted" "$out" "interrupted before its outcome was recorded"
check_eq "after the lease: never a second attempt at the CA" "$(careqs GET 502):$(careqs POST 502)" "1:0"
check_eq "the request needs a person" "$(pg_sql "select state_note from requests where id = $id")" \
	"needs a person: an approval was interrupted, check the CA's portal"
check_eq "its attempt is interrupted" "$(pg_sql "select count(*), min(outcome) from approval_attempts where request_id = $id")" "1|interrupted"

# --- the database unreachable: pipe defers (75), check and list fail, nothing falls back to a local ledger
cat >"$TEST_TMP/one.eml" <<'MAIL'
From: DigiCert <no-reply@digitalcertvalidation.com>
To: admin@example.com
Subject: [Action Required] Approve Certificate Request for down.example.com {9399999}
Message-ID: <down-1@t>

Approve https://www.digicert.com/link/approve?t=down
MAIL
pg_halt
out=$("$DCVMAIL" -c "$TEST_TMP/a.conf" -d "$TEST_TMP/state-a" pipe -r admin@example.com <"$TEST_TMP/one.eml" 2>&1); rc=$?
check_eq "database down: pipe exits 75 (Postfix retries)" "$rc" 75
check_contains "with a 4.3.0 line" "$out" "4.3.0 "
check_contains "naming the database and the cause" "$out" "cannot connect to the ledger database"
"$DCVMAIL" -c "$TEST_TMP/a.conf" -n >/dev/null 2>&1
check_eq "database down: -n exits 75" "$?" 75
"$DCVMAIL" -c "$TEST_TMP/a.conf" -d "$TEST_TMP/state-a" check -q "$TEST_TMP/one.eml" >"$TEST_TMP/chk.out" 2>&1; rc=$?
check "database down: check exits non-zero" [ "$rc" -ne 0 ]
check_contains "and says why" "$(cat "$TEST_TMP/chk.out")" "cannot connect to the ledger database"
check_eq "no local ledger appears as a fallback" "$(ls "$TEST_TMP/state-a" | grep -c ledger.db)" 0
pg_resume
"$DCVMAIL" -c "$TEST_TMP/a.conf" -d "$TEST_TMP/state-a" pipe -r admin@example.com <"$TEST_TMP/one.eml" >/dev/null 2>&1
check_eq "the redelivery after the restart is recorded" "$?:$(pg_sql "select count(*) from messages where subject like '%down.example.com%'")" "0:1"

# --- a watcher started while the database is down waits for it (tries 1, 2,
# 4 ... s apart, each failure logged) instead of exiting, then serves
printf 'syslog no\nrole constructed admin@\nledger "%s"\npipe-server yes\n' "$PG_URL" >"$TEST_TMP/w.conf"
mkdir -m 700 "$TEST_TMP/state-w"
sed 's/down\.example\.com/wait.example.com/; s/9399999/9399998/; s/down-1@t/wait-1@t/; s/t=down/t=wait/' \
	"$TEST_TMP/one.eml" >"$TEST_TMP/wait.eml"
tries() { grep -c 'cannot connect to the ledger database.*; next try in' "$1" 2>/dev/null; }
pg_halt
"$DCVMAIL" -c "$TEST_TMP/w.conf" -d "$TEST_TMP/state-w" watch 2>"$TEST_TMP/w.log" &
wpid=$!
n=0; while [ "$(tries "$TEST_TMP/w.log")" -lt 3 ] && [ $n -lt 150 ]; do sleep 0.1; n=$((n + 1)); done
check "database down at start: the watcher keeps running" kill -0 "$wpid"
check_eq "and tried three times, 1 and 2 s apart" "$(tries "$TEST_TMP/w.log"):$(grep -o 'next try in [0-9]* s' "$TEST_TMP/w.log" | head -3 | tr '\n' ' ')" \
	"3:next try in 1 s next try in 2 s next try in 4 s "
check_eq "it serves no pipe socket before the ledger is there" "$(ls "$TEST_TMP/state-w" | grep -c pipe.sock)" 0
check_eq "and no local ledger appears as a fallback" "$(ls "$TEST_TMP/state-w" | grep -c ledger.db)" 0
pg_resume
n=0; while [ ! -S "$TEST_TMP/state-w/pipe.sock" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
"$(dirname "$DCVMAIL")/dcvmail-pipe" -c "$TEST_TMP/w.conf" -d "$TEST_TMP/state-w" -r admin@example.com \
	<"$TEST_TMP/wait.eml" >/dev/null 2>&1
check_eq "the database back: the watcher takes deliveries, recorded in it" \
	"$?:$(pg_sql "select count(*) from messages where subject like '%wait.example.com%'")" "0:1"
kill -TERM "$wpid"; wait "$wpid"
check_eq "and stops on SIGTERM (exit 0)" "$?" 0
pg_halt
"$DCVMAIL" -c "$TEST_TMP/w.conf" -d "$TEST_TMP/state-w" watch 2>"$TEST_TMP/w2.log" &
wpid=$!
n=0; while [ "$(tries "$TEST_TMP/w2.log")" -lt 3 ] && [ $n -lt 150 ]; do sleep 0.1; n=$((n + 1)); done
kill -TERM "$wpid"
n=0; while kill -0 "$wpid" 2>/dev/null && [ $n -lt 20 ]; do sleep 0.1; n=$((n + 1)); done
kill -9 "$wpid" 2>/dev/null; wait "$wpid"; rc=$?
check_eq "SIGTERM while it waits 4 s for its next try: it stops within 2 s (exit 0)" "$rc" 0
check_contains "saying so" "$(cat "$TEST_TMP/w2.log")" "stopped (signal 15) while waiting for the ledger"
pg_resume

# --- the database stopped during concurrent deliveries: each defers or is recorded, the redeliveries once
mkdir "$TEST_TMP/mail2"
python3 - "$TEST_TMP/mail2" <<'PY'
import sys
for o in range(10):
    for c in range(4):
        with open("%s/n-%02d-%d.eml" % (sys.argv[1], o, c), "w") as f:
            f.write("From: DigiCert <no-reply@digitalcertvalidation.com>\nTo: admin@example.com\n"
                    "Subject: [Action Required] Approve Certificate Request for s%d.example.com {%d}\n"
                    "Message-ID: <stop-%d-%d@t>\n\nApprove https://www.digicert.com/link/approve?t=s%d-%d\n\n"
                    % (o, 9400000 + o, o, c, o, c))
PY
cat >"$TEST_TMP/deliver2" <<SH
#!/bin/sh
h=\$1; f=\$2
"$DCVMAIL" -c "$TEST_TMP/\$h.conf" -d "$TEST_TMP/state-\$h" pipe -r admin@example.com <"\$f" >/dev/null 2>&1
echo "\$? \$h \$f" >>"$TEST_TMP/rcs2"
SH
chmod +x "$TEST_TMP/deliver2"
i=0; for f in "$TEST_TMP"/mail2/*.eml; do [ $((i % 2)) -eq 0 ] && echo "a $f" || echo "b $f"; i=$((i + 1)); done >"$TEST_TMP/deliveries2"
xargs -P 4 -L 1 "$TEST_TMP/deliver2" <"$TEST_TMP/deliveries2" &
xp=$!
n=0; while [ "$(cat "$TEST_TMP/rcs2" 2>/dev/null | wc -l)" -lt 8 ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
pg_halt
wait $xp
check_eq "stopped mid-batch: every delivery was recorded (0) or deferred (75)" \
	"$(cut -d' ' -f1 "$TEST_TMP/rcs2" | sort -u | grep -v '^0$' | grep -v '^75$' | wc -l)" 0
deferred=$(grep -c '^75 ' "$TEST_TMP/rcs2")
check "and some were deferred while it was down" [ "$deferred" -gt 0 ]
pg_resume
grep '^75 ' "$TEST_TMP/rcs2" | cut -d' ' -f2,3 >"$TEST_TMP/redeliver"
: >"$TEST_TMP/rcs2"
xargs -P 4 -L 1 "$TEST_TMP/deliver2" <"$TEST_TMP/redeliver"
check_eq "the $deferred redeliveries after the restart exit 0" "$(cut -d' ' -f1 "$TEST_TMP/rcs2" | sort -u)" 0
check_eq "every message of the batch recorded once" \
	"$(pg_sql "select count(*), count(distinct sha256) from messages where subject like '%.example.com {94%'")" "40|40"
check_eq "every request once with its four copies" \
	"$(pg_sql "select count(*), min(copies), max(copies) from requests where order_id like '94%'")" "10|4|4"
check_eq "no request notified twice" "$(hooks | cut -d' ' -f3)" 0
