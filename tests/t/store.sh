# The ledger: idempotent imports, concurrency, crashes, permissions, full disk,
# expectations, list/show/report. On either backend: STORE_BACKEND=postgresql
# (tests/t/store-pg.sh) runs the same checks on a private PostgreSQL, each
# state directory with a database of its own; what only SQLite has (files,
# their modes, syncs, a full disk) has a PostgreSQL twin where one exists.
. "$TOP/tests/lib.sh"
S="$TEST_TMP/state"
export DCVMAIL_CONFIG=""
BACKEND=${STORE_BACKEND:-sqlite}
if [ "$BACKEND" = postgresql ]; then
	. "$TOP/tests/lib-postgres.sh"
	pg_have || { skip "no PostgreSQL server binaries (Debian: postgresql)"; exit 0; }
	trap pg_stop EXIT
	pg_start || { not_ok "a private PostgreSQL starts"; exit 1; }
fi
# db DIR: the PostgreSQL database of the state directory DIR
db() { echo "dcv_$(basename "$1" | tr -c 'a-z0-9\n' _)"; }
# dvopt DIR: the options for the ledger of the state directory DIR (on
# PostgreSQL its config, the database made on first use); dv DIR ARGS...:
# dcvmail on that ledger
dvopt() {
	[ "$BACKEND" = sqlite ] && return
	c="$TEST_TMP/$(db "$1").conf"
	if [ ! -f "$c" ]; then
		pg_psql postgres -c "CREATE DATABASE $(db "$1") OWNER dcvmail" >/dev/null
		printf 'ledger "postgresql://dcvmail@127.0.0.1:%s/%s?sslmode=disable"\n' "$PG_PORT" "$(db "$1")" >"$c"
	fi
	echo "-c $c"
}
dv() { d=$1; shift; "$DCVMAIL" $(dvopt "$d") -d "$d" "$@"; }
# q DIR SQL: a query on that ledger
q() { if [ "$BACKEND" = sqlite ]; then sqlite3 "$1/ledger.db" "$2"; else pg_psql "$(db "$1")" -c "$2"; fi; }
sqlite() { [ "$BACKEND" = sqlite ]; }
FIX="$TOP/tests/corpus/ca"

# gen_mbox FILE COUNT TAG: COUNT DigiCert requests over 40 orders, unique bodies
gen_mbox() {
	python3 - "$@" <<'PY'
import sys
path, n, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, "w") as f:
    for i in range(n):
        o = 9100000 + i % 40
        f.write("From dcv@example Tue Nov 24 09:00:00 2026\n"
                "From: DigiCert <no-reply@digitalcertvalidation.com>\nTo: admin@example.com\n"
                "Subject: [Action Required] Approve Certificate Request for h%d.example.com {%d}\n"
                "Message-ID: <%s-%d@t>\n\nApprove https://www.digicert.com/link/approve?t=%s%d\n\n"
                % (i % 40, o, tag, i, tag, i))
PY
}

dv "$S" check -q "$FIX" >"$TEST_TMP/o1" 2>&1; rc=$?
check_eq "check records the CA corpus" "$rc" 0
n1=$(q "$S" "select count(*) from messages"); r1=$(q "$S" "select count(*) from requests")
check_eq "every fixture is a message row" "$n1" "$(ls "$FIX"/*.eml | wc -l)"
dv "$S" check -q "$FIX" >"$TEST_TMP/o2" 2>&1
check_eq "a second run changes nothing" "$(q "$S" "select count(*) from messages")/$(q "$S" "select count(*) from requests")" "$n1/$r1"
check_contains "and says so" "$(cat "$TEST_TMP/o2")" "recorded 0 new, $n1 seen before"
check_eq "state directory is 0700" "$(stat -c %a "$S")" 700
if sqlite; then
	check_eq "ledger is 0600" "$(stat -c %a "$S/ledger.db")" 600
	check_eq "an import keeps its raw messages in the ledger, no file each" \
		"$(q "$S" "select count(*) from messages m join archive a on a.sha256 = m.sha256 and a.size = length(a.data)") $(find "$S/archive" -type f 2>/dev/null | wc -l)" "$n1 0"
	check_eq "the schema version is set" "$(q "$S" "pragma user_version")" 8
else
	check_eq "every message is archived in the database, none in the state directory" \
		"$(q "$S" "select count(*) from archive")/$(find "$S" -type f | wc -l)" "$n1/0"
	check_eq "the schema version is set" "$(q "$S" "select version from schema_version")" 8
fi
check_eq "DigiCert's five copies, reminders and issued notice make one request" \
	"$(q "$S" "select copies, state from requests where key = 'digicert:order:48213377:shop.example.com'")" "5|issued"
check_eq "a suspicious copy never joins the genuine request" \
	"$(q "$S" "select count(*) from requests where key = 'suspicious:digicert:order:48213377:shop.example.com'")" 1
check_eq "the issued notice closes the Sectigo order" "$(q "$S" "select state from requests where key = 'sectigo:order:123456789:www.example.net'")" issued

out=$(dv "$S" list); check_contains "list shows requests" "$out" "www.example.jp"
out=$(dv "$S" list --pending --json); check_not_contains "list --pending hides issued requests" "$out" '"state":"issued"'
id=$(q "$S" "select id from requests where key = 'digicert:order:48213377:shop.example.com'")
out=$(dv "$S" show "$id"); check_contains "show lists the copies with their mailboxes" "$out" "digicert-dcv-copy-webmaster.eml"
out=$(dv "$S" show --json "$id"); check_contains "show --json has the messages" "$out" '"messages":[{'
dv "$S" show 99999 >/dev/null 2>&1; check_eq "show of a missing id fails (65)" "$?" 65
out=$(dv "$S" report); check_contains "report lists domains with pending requests" "$out" "www.example.jp"

# a person's decisions
# (55120987 is closed by the corpus's issued notice; 55120988 is a pending www.example.jp order)
id=$(q "$S" "select id from requests where key = 'digicert:order:55120988:www.example.jp'")
out=$(dv "$S" approve "$id" 2>&1); rc=$?
check_eq "approve ID on an unauthenticated request is refused (65)" "$rc:$(q "$S" "select state from requests where id = $id")" "65:pending"
check_contains "saying why, and that nothing was requested" "$out" "not approved, nothing requested: sender not authenticated"
check_contains "and how to record an approval made by hand" "$out" "--record-only"
out=$(dv "$S" approve "$id" --record-only --note "approved on the CA's page"); rc=$?
check_eq "approve --record-only records a person's decision" "$rc:$(q "$S" "select state, state_note from requests where id = $id")" "0:approved|approved on the CA's page"
check_contains "and says so" "$out" "recorded as approved by"
check_eq "an approval records a validation reusable for the SC-081 period" \
	"$(q "$S" "select case when (reuse_until - approved_at) / 86400 in (398, 200, 100, 10) then 1 else 0 end from validations where request_id = $id")" 1
check_not_contains "report shows the approval" "$(dv "$S" report | grep 'www.example.jp  *digicert')" "never"
rid=$(q "$S" "select id from requests where key like 'suspicious:%' limit 1")
out=$(dv "$S" reject "$rid"); rc=$?
check_eq "reject records the decision" "$rc:$(q "$S" "select state from requests where id = $rid")" "0:rejected"
check_contains "reject says dcvmail never opens a reject link" "$out" "never opens a reject link"
check_eq "decisions are kept in the history" "$(q "$S" "select count(*) from history")" 2
dv "$S" approve 99999 >/dev/null 2>&1; check_eq "approving a missing request fails (65)" "$?" 65

# expectations
out=$(dv "$S" expect add --ca sectigo --domain shop.example.org --until 2099-12-31)
check_contains "expect add" "$out" "expectation 1: sectigo shop.example.org until 2099-12-31"
dv "$S" expect add --ca sectigo --domain example.org --until yesterday >/dev/null 2>&1
check_eq "a bad date is a usage error" "$?" 64
sed 's/www.example.net/shop.example.org/g; s/123456789/123400001/g' "$FIX/sectigo-dcv-plain.eml" >"$TEST_TMP/exp.eml"
dv "$S" check -q "$TEST_TMP/exp.eml" >/dev/null
check_eq "an unauthenticated request does not use up the expectation" \
	"$(q "$S" "select expected from requests where order_id = '123400001'")" 0
check_contains "expect list shows it unused" "$(dv "$S" expect list | tr -s ' ')" "any, once 2099-12-31 23:59 UTC -"
check_contains "expect rm" "$(dv "$S" expect rm 1)" "removed"
dv "$S" expect rm 1 >/dev/null 2>&1; check_eq "removing it twice fails" "$?" 65

# permissions
mkdir -m 755 "$TEST_TMP/open"
out=$(dv "$TEST_TMP/open" check -q "$FIX/ordinary-mail.eml" 2>&1); rc=$?
check "a state directory readable by others is refused" [ "$rc" -ne 0 ]
check_contains "with the fix" "$out" "chmod 700 $TEST_TMP/open"
if sqlite; then
	chmod 644 "$S/ledger.db"
	out=$(dv "$S" list 2>&1); rc=$?
	check "a ledger readable by others is refused" [ "$rc" -ne 0 ]
	check_contains "with the fix" "$out" "chmod 600 $S/ledger.db"
	chmod 600 "$S/ledger.db"
fi

# WRITERS processes x EACH messages at once into one ledger (8 x 500; on
# PostgreSQL, whose per-message transactions are slower, 4 x 250)
if sqlite; then WRITERS=8 EACH=500 BIG=3000; else WRITERS=4 EACH=250 BIG=1000; fi
ALL=$((WRITERS * EACH))
C="$TEST_TMP/conc"
for i in $(seq $WRITERS); do gen_mbox "$TEST_TMP/p$i.mbox" $EACH "p$i"; done
pids=""; o=$(dvopt "$C")
for i in $(seq $WRITERS); do
	"$DCVMAIL" $o -d "$C" check -q "$TEST_TMP/p$i.mbox" >"$TEST_TMP/c$i.out" 2>&1 &
	pids="$pids $!"
done
fails=0; for p in $pids; do wait "$p" || fails=$((fails + 1)); done
check_eq "$WRITERS concurrent writers all succeed" "$fails" 0
check_not_contains "no 'database is locked' failure" "$(cat "$TEST_TMP"/c*.out)" "locked"
check_eq "no lost row: $ALL messages" "$(q "$C" "select count(*) from messages")" $ALL
check_eq "no duplicate request: 40 orders" "$(q "$C" "select count(*) from requests")" 40
check_eq "copies add up to $ALL" "$(q "$C" "select sum(copies) from requests")" $ALL
check_eq "one set of actions per request" "$(q "$C" "select count(*) from (select request_id from request_copies group by request_id) r")" 40

# verify_archive DIR: every message row's raw bytes are there, in the
# ledger (an import) or as a file (pipe, older ledgers: 0600), hashing to its
# name; prints "ROWS IN_LEDGER FILES BAD"
verify_archive() {
	python3 - "$1" <<'PY'
import hashlib, os, sqlite3, sys
d = sys.argv[1]
db = sqlite3.connect("file:%s/ledger.db?mode=ro" % d, uri=True)
rows = [r[0] for r in db.execute("select sha256 from messages")]
inl = files = bad = 0
for sha in rows:
    r = db.execute("select data from archive where sha256 = ?", (sha,)).fetchone()
    p = "%s/archive/%s/%s" % (d, sha[:2], sha)
    if r is not None:
        inl += 1
        ok = hashlib.sha256(r[0]).hexdigest() == sha
    else:
        try:
            ok = os.stat(p).st_mode & 0o077 == 0 and hashlib.sha256(open(p, "rb").read()).hexdigest() == sha
            files += 1
        except OSError:
            ok = False
    bad += not ok
print(len(rows), inl, files, bad)
PY
}

# kill -9 in the middle of a batch, then run again
K="$TEST_TMP/kill"
gen_mbox "$TEST_TMP/big.mbox" $BIG kill
o=$(dvopt "$K")
"$DCVMAIL" $o -d "$K" check -q "$TEST_TMP/big.mbox" >/dev/null 2>&1 &
kp=$!
n=0; while [ "$(q "$K" "select count(*) from messages" 2>/dev/null || echo 0)" -lt 200 ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
kill -9 "$kp" 2>/dev/null; wait "$kp" 2>/dev/null
mid=$(q "$K" "select count(*) from messages")
check "the batch was killed part-way ($mid of $BIG recorded)" [ "$mid" -gt 0 ] && [ "$mid" -lt $BIG ]
if sqlite; then check_eq "the ledger is consistent after kill -9" "$(q "$K" "pragma integrity_check")" ok
else check_eq "the ledger is consistent after kill -9: every message with its archive" \
	"$(q "$K" "select count(*) from messages m left join archive a on a.sha256 = m.sha256 where a.sha256 is null")" 0; fi
dv "$K" check -q "$TEST_TMP/big.mbox" >/dev/null 2>&1
check_eq "running again completes it: $BIG messages" "$(q "$K" "select count(*) from messages")" $BIG
check_eq "nothing recorded twice" "$(q "$K" "select count(distinct sha256) from messages")" $BIG
check_eq "copies match messages" "$(q "$K" "select sum(copies) from requests")" $BIG
if sqlite; then
	check_eq "every message has its raw bytes, whole" "$(verify_archive "$K")" "$BIG $BIG 0 0"
	E="$TEST_TMP/emptied"; mkdir -m 700 "$E"; cp -r "$K/archive" "$E/"; : >"$E/ledger.db"; chmod 600 "$E/ledger.db"
	out=$("$DCVMAIL" -d "$E" check -q "$FIX/ordinary-mail.eml" 2>&1); rc=$?
	check "an emptied ledger.db of imported mail is refused, not replaced by an empty one (exit $rc)" [ "$rc" -ne 0 ]
	check_contains "saying why" "$out" "refusing to start a new, empty ledger"
else
	check_eq "every message is in the archive" "$(q "$K" "select count(*) from archive")" $BIG
fi

# group commit (h-speed, h-import): an import records a batch of messages in
# one transaction, each with its raw bytes in the ledger's archive table: no
# file and no sync per message. Killed at its second batch's WAL commit
# (SIGKILL on that fdatasync), nothing is reported that was not committed,
# no record is without its raw bytes, and the next run records exactly the
# rest.
if ! sqlite; then
	: # the archive is in the database, written in the record's transaction
elif command -v strace >/dev/null; then
	G="$TEST_TMP/group"
	gen_mbox "$TEST_TMP/group.mbox" 3000 group
	strace -f -qq -o /dev/null -P "$G/ledger.db-wal" -e trace=fdatasync -e inject=fdatasync:signal=SIGKILL:when=3 \
		"$DCVMAIL" -d "$G" check "$TEST_TMP/group.mbox" >"$TEST_TMP/group.out" 2>&1; rc=$?
	check_eq "the import is killed at its second batch's commit (exit 137)" "$rc" 137
	set -- $(verify_archive "$G")
	check "a batch was committed, not all ($1 of 3000)" [ "$1" -gt 0 ] && [ "$1" -lt 3000 ]
	check_eq "no record without its raw bytes (or with damaged ones), none of them a file" "$2 $3 $4" "$1 0 0"
	reported=$(grep -c "^$TEST_TMP/group.mbox:" "$TEST_TMP/group.out")
	check "only committed messages were reported ($reported of $1)" [ "$reported" -le "$1" ]
	check_eq "the ledger is consistent" "$(q "$G" "pragma integrity_check")" ok
	first=$1
	out=$(dv "$G" check -q "$TEST_TMP/group.mbox" 2>&1)
	check_contains "the next run records exactly the rest" "$out" "recorded $((3000 - first)) new, $first seen before"
	check_eq "then every message has its raw bytes, and nothing is left over" \
		"$(verify_archive "$G") $(q "$G" "select count(*) from archive")" "3000 3000 0 0 3000"
	check_eq "copies add up" "$(q "$G" "select sum(copies) from requests")" 3000
	# the syncs of a whole import: the WAL commit of each batch (W), and a
	# few to set up the ledger; never one per message
	G2="$TEST_TMP/group2"
	strace -f -qq -y -e trace=fsync,fdatasync,syncfs,sync,msync -o "$TEST_TMP/group.trace" \
		"$DCVMAIL" -d "$G2" check -q "$TEST_TMP/group.mbox" >/dev/null 2>&1
	n=$(grep -cE '^[0-9]+ +(fsync|fdatasync|syncfs|sync|msync)\(' "$TEST_TMP/group.trace")
	w=$(grep -cE '^[0-9]+ +fdatasync\([0-9]+<[^>]*ledger.db-wal>' "$TEST_TMP/group.trace")
	check "importing 3000 messages: one WAL commit per batch ($w), at most 8 other syncs ($((n - w)))" \
		[ "$w" -ge 3 ] && [ "$w" -le 30 ] && [ $((n - w)) -le 8 ]
	check_eq "no archive file is synced" "$(grep -c '/archive' "$TEST_TMP/group.trace")" 0
	check_eq "and records them all" "$(verify_archive "$G2")" "3000 3000 0 0"
else
	skip "group commit: strace is not installed"
fi

# a full disk: clear error, non-zero exit, no half-written record
F=/tmp/dcvmail-full.$$
if ! sqlite; then
	: # the database's disk is the database's
elif mkdir -p "$F" && mount -t tmpfs -o size=400k tmpfs "$F" 2>/dev/null; then
	mkdir -m 700 "$F/s"
	dv "$F/s" check -q "$FIX/ordinary-mail.eml" >/dev/null 2>&1
	before=$(q "$F/s" "select count(*) from messages")
	head -c 300000 /dev/urandom | base64 >"$F/fill"
	python3 -c 'import sys; sys.stdout.write("From: a@example.com\nSubject: big\n\n" + "z" * 200000 + "\n")' >"$TEST_TMP/200k.eml"
	out=$(dv "$F/s" check -q "$TEST_TMP/200k.eml" 2>&1); rc=$?
	check "a full disk fails the import (exit $rc)" [ "$rc" -ne 0 ]
	check_contains "with a clear error" "$out" "No space left on device"
	rm -f "$F/fill"
	check_eq "and no half-written record" "$(q "$F/s" "select count(*) from messages")" "$before"
	check_eq "no stray raw message (in the ledger or a file)" \
		"$(q "$F/s" "select count(*) from archive") $(find "$F/s/archive" -type f 2>/dev/null | wc -l)" "$before 0"
	umount "$F"; rmdir "$F"
else
	skip "full disk: cannot mount a small tmpfs here"
fi
# a read-only state directory: clear error, non-zero exit, nothing half-written
R=/tmp/dcvmail-ro.$$
if ! sqlite; then # the twin: a database that takes no writes
	R="$TEST_TMP/ro"
	dv "$R" check -q "$FIX/ordinary-mail.eml" >/dev/null 2>&1
	pg_psql postgres -c "ALTER DATABASE $(db "$R") SET default_transaction_read_only = on" >/dev/null
	out=$(dv "$R" check -q "$FIX/sectigo-dcv-plain.eml" 2>&1); rc=$?
	check "a read-only database fails the import (exit $rc)" [ "$rc" -ne 0 ]
	check_contains "with a clear error naming the ledger" "$out" "$(db "$R")"
	check_contains "and the cause" "$out" "read-only transaction"
	check_eq "and the ledger keeps what it had" "$(q "$R" "select count(*) from messages")" 1
	out=$(printf 'From: a@b.example\n\nx\n' | dv "$R" pipe 2>/dev/null); rc=$?
	check_eq "pipe defers (75) on a read-only ledger" "$rc" 75
elif mkdir -p "$R" && mount -t tmpfs -o size=1m,mode=700 tmpfs "$R" 2>/dev/null; then
	dv "$R" check -q "$FIX/ordinary-mail.eml" >/dev/null 2>&1
	# a command leaves its write in the WAL; the immutable read below sees ledger.db alone
	sqlite3 "$R/ledger.db" "pragma wal_checkpoint(truncate)" >/dev/null
	mount -o remount,ro "$R"
	out=$(dv "$R" check -q "$FIX/sectigo-dcv-plain.eml" 2>&1); rc=$?
	check "a read-only state directory fails the import (exit $rc)" [ "$rc" -ne 0 ]
	check_contains "with a clear error naming the ledger" "$out" "$R/"
	check_eq "and the ledger keeps what it had" "$(sqlite3 "file:$R/ledger.db?immutable=1" "select count(*) from messages")" 1
	out=$(printf 'From: a@b.example\n\nx\n' | dv "$R" pipe 2>/dev/null); rc=$?
	check_eq "pipe defers (75) on a read-only ledger" "$rc" 75
	umount "$R"; rmdir "$R"
else
	skip "read-only state directory: cannot mount a tmpfs here"
fi
t_done
