# Operating a PostgreSQL ledger (issue 18), on a private PostgreSQL the test
# starts: `ledger copy` of a SQLite ledger of 5,000 messages (progress as it
# goes, the same list and report on both, killed part-way and resumed with
# nothing doubled, refused into a database that holds another ledger); TLS to
# the server with a throwaway CA (sslmode=verify-full and sslrootcert in the
# ledger URL: a wrong CA or host name fails naming the cause, the pipe defers
# with 75, -n says what the TLS is worth), the password never shown.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-postgres.sh"
pg_have || { skip "no PostgreSQL server binaries (Debian: postgresql)"; exit 0; }
CP=
trap '[ -n "$CP" ] && kill -9 $CP 2>/dev/null; pg_stop' EXIT
pg_start || { not_ok "a private PostgreSQL starts"; exit 1; }
printf 'syslog no\n' >"$TEST_TMP/lite.conf"
{ cat "$TEST_TMP/lite.conf"; printf 'ledger "%s"\n' "$PG_URL"; } >"$TEST_TMP/pg.conf"
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }

# --- a SQLite ledger of 5,000 messages, from a bulk import of a generated mbox
python3 - "$TEST_TMP/big.mbox" 5000 <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    for i in range(n):
        o = 9200000 + i % 50
        f.write("From dcv@example Tue Nov 24 09:00:00 2026\n"
                "From: DigiCert <no-reply@digitalcertvalidation.com>\nTo: admin@example.com\n"
                "Subject: [Action Required] Approve Certificate Request for h%d.example.com {%d}\n"
                "Message-ID: <big-%d@t>\n\nApprove https://www.digicert.com/link/approve?t=%d\n\n"
                % (i % 50, o, i, i))
PY
L="$TEST_TMP/lite"
t0=$(now)
"$DCVMAIL" -c "$TEST_TMP/lite.conf" -d "$L" check -q "$TEST_TMP/big.mbox" >/dev/null 2>&1
t1=$(now)
echo "# 5000 messages imported into SQLite in $(secs "$t0" "$t1") s"
"$DCVMAIL" -c "$TEST_TMP/lite.conf" -d "$L" expect add --ca digicert --domain h7.example.com --order 9200007 >/dev/null
"$DCVMAIL" -c "$TEST_TMP/lite.conf" -d "$L" reject 3 --note "not ours" >/dev/null
# a step done outside mail (order_events): the copy must carry it too
"$DCVMAIL" -c "$TEST_TMP/lite.conf" -d "$L" done 9200011 intent --note "confirmed by phone" >/dev/null
check_eq "the SQLite ledger holds 5000 messages in 50 requests" \
	"$(sqlite3 "$L/ledger.db" "select count(*) from messages")/$(sqlite3 "$L/ledger.db" "select count(*) from requests")" "5000/50"

# --- ledger copy, killed part-way, then run again
copy() { "$DCVMAIL" -c "$TEST_TMP/lite.conf" ledger copy "$L" "$PG_URL"; }
"$DCVMAIL" -c "$TEST_TMP/lite.conf" ledger copy "$L" "$PG_URL" >"$TEST_TMP/copy1.out" 2>&1 &
CP=$!
n=0; while ! grep -q "messages: 2000 rows" "$TEST_TMP/copy1.out" && [ $n -lt 300 ]; do sleep 0.05; n=$((n + 1)); done
kill -9 "$CP"; wait "$CP" 2>/dev/null; CP=
part=$(pg_sql "select count(*) from messages")
between() { [ "$1" -ge "$2" ] && [ "$1" -lt "$3" ]; }
check "the copy is killed part-way, its finished batches kept ($part of 5000 messages)" between "$part" 2000 5000
check_not_contains "before it had finished" "$(cat "$TEST_TMP/copy1.out")" "copied "
check_eq "and it had said how far it was" "$(grep -c "^messages: [0-9]*000 rows\.\.\.$" "$TEST_TMP/copy1.out" | sed 's/^[2-9]$/some/')" some
t0=$(now)
out=$(copy 2>&1); rc=$?
t1=$(now)
echo "# the resumed copy of 5000 messages took $(secs "$t0" "$t1") s"
check_eq "run again, the copy completes" "$rc" 0
check_contains "it shows progress for the messages" "$out" "messages: 4000 rows..."
check_contains "and for the archive" "$out" "archive: 4000 of 5000 messages..."
check_contains "and adds only what the first run had not" "$out" "messages: 5000 rows, $((5000 - part)) new"
check_contains "with the whole archive" "$out" "archive: 5000 messages, 5000 new"
check_eq "nothing doubled: 5000 messages, 50 requests, 5000 copies, 5000 archived" \
	"$(pg_sql "select (select count(distinct sha256) from messages), (select count(*) from messages), (select count(*) from requests), (select sum(copies) from requests), (select count(*) from archive)")" \
	"5000|5000|50|5000|5000"
views() { # CONF STATE
	for c in "list" "list --json" "list --all" "report" "report --json" "expect list" "show 3" "show 7" \
		"orders --all" "orders 9200011"; do
		"$DCVMAIL" -c "$1" -d "$2" $c 2>&1
	done
}
views "$TEST_TMP/lite.conf" "$L" >"$TEST_TMP/v-lite"
views "$TEST_TMP/pg.conf" "$TEST_TMP/pgstate" >"$TEST_TMP/v-pg"
if cmp -s "$TEST_TMP/v-lite" "$TEST_TMP/v-pg"; then ok "list, report, expect list, show and orders are identical on both ledgers"
else not_ok "list, report, expect list, show and orders are identical on both ledgers"
	diff "$TEST_TMP/v-lite" "$TEST_TMP/v-pg" | head -20 | sed 's/^/#   /'; fi
check_contains "the order's step done by phone came along" "$(grep -A30 '9200011' "$TEST_TMP/v-pg")" "confirmed by phone"
check "and they show the ledger (50 requests listed)" [ "$(grep -c 'h[0-9]*\.example\.com' "$TEST_TMP/v-lite")" -ge 50 ]
# another ledger is never mixed into this one
"$DCVMAIL" -c "$TEST_TMP/lite.conf" -d "$TEST_TMP/other" check -q "$TOP/tests/corpus/ca" >/dev/null 2>&1
out=$("$DCVMAIL" -c "$TEST_TMP/lite.conf" ledger copy "$TEST_TMP/other" "$PG_URL" 2>&1); rc=$?
check "copying another ledger into this database fails ($rc)" [ "$rc" -ne 0 ]
check_contains "saying the database holds another ledger" "$out" "the database holds another ledger"
check_eq "and adds nothing of it" "$(pg_sql "select count(*) from messages")/$(pg_sql "select count(*) from requests")" "5000/50"

# --- TLS to the server: a throwaway CA, the server certificate for localhost
tls_cert "$TEST_TMP" pgtls
tls_cert "$TEST_TMP" otherca
install -o nobody -m 600 "$TEST_TMP/pgtls.pem" "$PG/data/server.crt"
install -o nobody -m 600 "$TEST_TMP/pgtls.key" "$PG/data/server.key"
printf "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n" >>"$PG/data/postgresql.conf"
# TCP only with TLS now; the test's psql keeps the private socket
printf 'local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n' >"$PG/data/pg_hba.conf"
pg_halt && pg_resume || { not_ok "PostgreSQL restarts with ssl = on"; sed 's/^/# /' "$PG/run/server.log" | tail -5; exit 1; }
printf 'dcvmail-pass\n' >"$TEST_TMP/ledger.pw"; chmod 600 "$TEST_TMP/ledger.pw"
tconf() { # URL: a config for it, the password in a 0600 file
	printf 'syslog no\nledger "%s"\nledger-password-file %s\n' "$1" "$TEST_TMP/ledger.pw" >"$TEST_TMP/tls.conf"
}
# deliver, dashn: the pipe and -n with tls.conf; what they say is kept in msgs
deliver() {
	env -u PGPASSFILE "$DCVMAIL" -c "$TEST_TMP/tls.conf" -d "$TEST_TMP/tstate" pipe -r admin@example.com \
		<"$TEST_TMP/tls1.eml" >"$TEST_TMP/d.out" 2>&1
	r=$?; tee -a "$TEST_TMP/msgs" <"$TEST_TMP/d.out"; return $r
}
dashn() { env -u PGPASSFILE "$DCVMAIL" -c "$TEST_TMP/tls.conf" -n >"$TEST_TMP/d.out" 2>&1; r=$?; tee -a "$TEST_TMP/msgs" <"$TEST_TMP/d.out"; return $r; }
TLS_URL="postgresql://dcvmail@localhost:$PG_PORT/dcvmail?sslmode=verify-full&sslrootcert=$TEST_TMP/pgtls-ca.pem"
tconf "$TLS_URL"
out=$(dashn); rc=$?
check_eq "verify-full with the CA in sslrootcert: -n connects" "$rc" 0
check_contains "and says the TLS is verified" "$out" "server certificate and host name verified (sslmode=verify-full)"
check_contains "with the protocol" "$out" "(PostgreSQL 15."
check_contains "and TLS version" "$out" ", TLSv1."
echo "# $(printf '%s\n' "$out" | grep connected)"
sed 's/^Message-ID: .*/Message-ID: <tls-1@t>/' "$TOP/tests/corpus/ca/digicert-dcv-plain.eml" >"$TEST_TMP/tls1.eml"
out=$(deliver); rc=$?
check_eq "a delivery over TLS is recorded" "$rc:$(pg_sql "select count(*) from messages where message_id like '%tls-1@t%'")" "0:1"
[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'


tconf "postgresql://dcvmail@localhost:$PG_PORT/dcvmail?sslmode=verify-full&sslrootcert=$TEST_TMP/otherca-ca.pem"
out=$(deliver); rc=$?
check_eq "a server certificate from another CA: the pipe defers (75)" "$rc" 75
check_contains "naming the cause" "$out" "certificate verify failed"
check_contains "and the database" "$out" "cannot connect to the ledger database"
out=$(dashn); rc=$?
check_eq "-n fails too (75)" "$rc:$(printf '%s' "$out" | grep -c 'certificate verify failed')" "75:1"
tconf "postgresql://dcvmail@127.0.0.1:$PG_PORT/dcvmail?sslmode=verify-full&sslrootcert=$TEST_TMP/pgtls-ca.pem"
out=$(deliver); rc=$?
check_eq "a certificate for another host name: the pipe defers (75)" "$rc" 75
check_contains "naming the cause" "$out" "does not match host name \"127.0.0.1\""
tconf "postgresql://dcvmail@localhost:$PG_PORT/dcvmail?sslmode=verify-full&sslrootcert=$TEST_TMP/none.pem"
out=$(deliver); rc=$?
check_eq "a missing sslrootcert file: 75, naming the file" "$rc:$(printf '%s' "$out" | grep -c "none.pem")" "75:1"
tconf "postgresql://dcvmail@localhost:$PG_PORT/dcvmail?sslmode=disable"
out=$(deliver); rc=$?
check_eq "without TLS the server refuses (hostssl only): 75" "$rc:$(printf '%s' "$out" | grep -c 'no encryption')" "75:1"
tconf "postgresql://dcvmail@localhost:$PG_PORT/dcvmail?sslmode=require"
out=$(dashn)
check_contains "sslmode=require connects, and -n says the certificate is not verified" "$out" "server certificate NOT verified (sslmode=require)"
check_eq "the password never appears in what they said ($(wc -l <"$TEST_TMP/msgs") lines)" "$(grep -c dcvmail-pass "$TEST_TMP/msgs")" 0
t_done
