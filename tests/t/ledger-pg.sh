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
out=$(DCVMAIL_TEST_LEDGER="$PG_URL" "$TOP/$BUILD/tests/test-store" 2>&1); rc=$?
check_eq "the store unit test passes on PostgreSQL" "$rc:$(printf '%s\n' "$out" | grep -c '^not ok')" "0:0"
check_contains "and ran its ledger checks there" "$out" "ok - IMAP state is kept per mailbox"
check_eq "the schema version is kept in the database" "$(pg_sql "select version from schema_version")" 3
pg_sql "DROP SCHEMA public CASCADE; CREATE SCHEMA public AUTHORIZATION dcvmail" >/dev/null 2>&1

# --- the same commands on both backends give the same answers
printf 'syslog no\nrole constructed admin@ webmaster@ hostmaster@\n' >"$TEST_TMP/lite.conf"
{ cat "$TEST_TMP/lite.conf"; printf 'ledger "%s"\n' "$PG_URL"; } >"$TEST_TMP/pg.conf"
norm() { sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/T/g; s/ +[0-9]+[smhd] / A /g; s/"(first_seen|last_seen|state_changed|received|seen|at|created|until)":[0-9]+/"\1":0/g'; }
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
check_contains "the corpus is recorded on PostgreSQL" "$(cat "$TEST_TMP/pg.out")" "check: 145 messages"
if cmp -s "$TEST_TMP/lite.out" "$TEST_TMP/pg.out"; then ok "check, expect, reject, list, report and show answer the same on both backends"
else not_ok "check, expect, reject, list, report and show answer the same on both backends"
	diff "$TEST_TMP/lite.out" "$TEST_TMP/pg.out" | head -30 | sed 's/^/#   /'; fi
check_eq "the raw messages are in the database, none in the local state directory" \
	"$(pg_sql "select count(*) from archive")/$(find "$TEST_TMP/pgstate" -type f | wc -l)" "145/0"
check_eq "archived bytes are the mail's" \
	"$(pg_sql "select encode(sha256(data), 'hex') = sha256 from archive" | sort -u)" "t"
