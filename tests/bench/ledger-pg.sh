# Pipe deliveries per second and per-delivery latency: the SQLite ledger
# versus a PostgreSQL ledger on the same host (a private server, as the tests
# start it), one deliverer and four in parallel. Reports numbers only.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-postgres.sh"
pg_have || { echo "   no PostgreSQL server binaries: skipped"; exit 0; }
TEST_TMP=$BENCH_TMP/pg; mkdir -p "$TEST_TMP"
trap pg_stop EXIT
pg_start || exit 1
N=${BENCH_PG_N:-200}
mkdir "$TEST_TMP/mail"
python3 - "$TEST_TMP/mail" "$N" <<'PY'
import sys
for i in range(int(sys.argv[2])):
    with open("%s/m%04d.eml" % (sys.argv[1], i), "w") as f:
        f.write("From: DigiCert <no-reply@digitalcertvalidation.com>\nTo: admin@example.com\n"
                "Subject: [Action Required] Approve Certificate Request for h%d.example.com {%d}\n"
                "Message-ID: <b-%d@t>\n\nApprove https://www.digicert.com/link/approve?t=%d\n\n"
                % (i % 50, 9500000 + i % 50, i, i))
PY
printf 'syslog no\nrole constructed admin@\n' >"$TEST_TMP/lite.conf"
{ cat "$TEST_TMP/lite.conf"; printf 'ledger "%s"\n' "$PG_URL"; } >"$TEST_TMP/pg.conf"
run() { # NAME CONF PARALLEL
	st="$TEST_TMP/state-$1-$3"
	[ "$1" = pg ] && pg_sql "DROP SCHEMA public CASCADE; CREATE SCHEMA public AUTHORIZATION dcvmail" >/dev/null 2>&1
	"$DCVMAIL" -c "$2" -d "$st" list >/dev/null 2>&1 # the schema made first
	t0=$(date +%s.%N)
	ls "$TEST_TMP"/mail/*.eml | xargs -P "$3" -I{} sh -c "\"$DCVMAIL\" -c \"$2\" -d \"$st\" pipe -r admin@example.com <{} >/dev/null 2>&1"
	t1=$(date +%s.%N)
	python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); n=int(sys.argv[3]); print('   %-7s %d deliverer%s: %6.1f deliveries/s, %5.1f ms per delivery (wall time / deliveries x deliverers)' % (sys.argv[4], int(sys.argv[5]), 's' if int(sys.argv[5]) > 1 else ' ', n/t, 1000*t/n*int(sys.argv[5])))" "$t0" "$t1" "$N" "$1" "$3"
}
run sqlite "$TEST_TMP/lite.conf" 1
run pg "$TEST_TMP/pg.conf" 1
run sqlite "$TEST_TMP/lite.conf" 4
run pg "$TEST_TMP/pg.conf" 4
