# dcvmail prune and dcvmail backup: what goes and what always stays, a copy
# that is consistent while mail is recorded, and the cron lines of
# contrib/cron/dcvmail (and dcvmail(8)) run as written. STORE_BACKEND=postgresql
# (tests/t/housekeeping-pg.sh) runs the prune checks on a private PostgreSQL
# ledger; what only SQLite has (archive files, backup, the cron lines) is
# checked on SQLite.
. "$TOP/tests/lib.sh"
S="$TEST_TMP/state" F="$TOP/tests/corpus/ca"
BACKEND=${STORE_BACKEND:-sqlite}
sqlite() { [ "$BACKEND" = sqlite ]; }
if sqlite; then
	d() { "$DCVMAIL" -d "$S" "$@"; }
	q() { sqlite3 "$S/ledger.db" "$1"; }
else
	. "$TOP/tests/lib-postgres.sh"
	pg_have || { skip "no PostgreSQL server binaries (Debian: postgresql)"; exit 0; }
	trap pg_stop EXIT
	pg_start || { not_ok "a private PostgreSQL starts"; exit 1; }
	printf 'ledger "%s"\nsyslog no\n' "$PG_URL" >"$TEST_TMP/pg.conf"
	d() { "$DCVMAIL" -c "$TEST_TMP/pg.conf" -d "$S" "$@"; }
	q() { pg_sql "$1"; }
fi
# ids TABLE: its ids in order, comma-separated (both backends)
ids() { q "select id from $1 order by id" | paste -sd, -; }
d check "$F/digicert-dcv-plain.eml" "$F/sectigo-dcv-plain.eml" "$F/globalsign-dcv.eml" "$F/godaddy-dcv.eml" \
	"$F/certum-dcv.eml" "$F/globalsign-unrecognised-wording.eml" "$F/digicert-reminder.eml" >/dev/null 2>&1
check_eq "seven messages, five requests recorded" "$(q "select count(*) from messages") $(q "select count(*) from requests")" "7 5"
d approve 1 --record-only >/dev/null 2>&1 # digicert: approved, still reusable
d reject 2 >/dev/null 2>&1                # sectigo: rejected long ago
d approve 3 --record-only >/dev/null 2>&1 # globalsign: approved, reuse period over
d reject 5 >/dev/null 2>&1                # certum: rejected today
# 500 days ago (the ledger's clock moved back; request 4 stays pending)
now=$(date +%s); old=$((now - 500 * 86400))
q "update requests set first_seen=$old, last_seen=$old, state_changed=$old where id in (1,2,3,4);
   update messages set received=$old where id in (1,2,3,4,6,7);
   update validations set approved_at=$old, reuse_until=$((now + 30 * 86400)) where request_id=1;
   update validations set approved_at=$old, reuse_until=$((now - 10 * 86400)) where request_id=3;"
# three daily digests: one sent 500 days ago, one queued then and never sent
# (its mail still due), one sent today; only the first goes
dig() { # RECIPIENT DAY QUEUED DONE
	q "insert into outbox (kind, target, why, created, next_try, done, ok) values ('digest', '$1', '$2', $3, $3, $4, $4);
	   insert into digests (recipient, day, queued, outbox_id) select '$1', '$2', $3, max(id) from outbox;"
}
dig ops@example.net 2025-07-25 "$old" 1
dig ops@example.net 2025-07-26 "$old" 0
dig ops@example.net "$(date +%F)" "$now" 1
# an import keeps the raw messages in the ledger (table archive); messages 2,
# 4 and 6 are moved to the per-message files older ledgers (and pipe) have:
# prune removes both forms
sqlite && python3 - "$S" <<'PY'
import os, sqlite3, sys
d = sys.argv[1]
db = sqlite3.connect(d + "/ledger.db")
for sha, data in db.execute("select a.sha256, a.data from archive a join messages m on m.sha256 = a.sha256 where m.id in (2, 4, 6)").fetchall():
    for sub in ("/archive", "/archive/" + sha[:2]):
        os.makedirs(d + sub, mode=0o700, exist_ok=True); os.chmod(d + sub, 0o700)
    fd = os.open("%s/archive/%s/%s" % (d, sha[:2], sha), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, data); os.close(fd)
    db.execute("delete from archive where sha256 = ?", (sha,))
db.commit()
PY
# arch IDS: how many of these messages have their raw bytes (file or ledger)
arch() { for h in $(q "select sha256 from messages where id in ($1) order by id"); do
	{ [ -f "$S/archive/$(printf %.2s "$h")/$h" ] || [ "$(q "select count(*) from archive where sha256 = '$h'")" = 1 ]; } && echo "$h"; done | wc -l; }
if sqlite; then
	check_eq "the archived messages are there (4 in the ledger, 3 files)" \
		"$(arch "1,2,3,4,5,6,7") $(q "select count(*) from archive") $(find "$S/archive" -type f | wc -l)" "7 4 3"
else
	check_eq "the archived messages are there (all 7 in the database)" \
		"$(arch "1,2,3,4,5,6,7") $(q "select count(*) from archive")" "7 7"
fi
gone=$(q "select sha256 from messages where id in (2,3,6)")

out=$(d prune --older-than 400 --dry-run 2>&1); rc=$?
check_eq "prune --dry-run exits 0" "$rc" 0
check_contains "it names the rejected request" "$out" "would remove request 2: sectigo dcv www.example.net order 123456789, rejected"
check_contains "and the approval whose reuse period is over" "$out" "would remove request 3: globalsign dcv portal.example.com"
check_contains "and the old mail without a request" "$out" "would remove 1 message without a request"
check_contains "it says why an old approval stays" "$out" "kept 1 closed request older than 400 days: a CA may reuse the approval until"
check_contains "and that open requests stay" "$out" "kept 1 open request older than 400 days (pending or forwarded: never pruned)"
check_contains "and the digest sent long ago" "$out" "would remove the records of 1 daily digest sent before"
check_contains "with a summary" "$out" "prune --dry-run: 2 requests, 3 messages"
check_eq "--dry-run removes nothing" "$(q "select count(*) from messages") $(q "select count(*) from requests") $(arch "1,2,3,4,5,6,7")" "7 5 7"

out=$(d prune --older-than 400 2>&1); rc=$?
check_eq "prune exits 0" "$rc" 0
check_contains "it prints what it removed" "$out" "removed request 2: sectigo"
check_contains "both requests" "$out" "removed request 3: globalsign"
check_contains "and the archived files" "$out" "prune: 2 requests, 3 messages"
check_contains "deleted" "$out" "3 archived messages deleted"
check_eq "left: the reusable approval, the pending and the recent request" "$(ids requests)" "1,4,5"
check_eq "with their messages (the reminder of request 1 too)" "$(ids messages)" "1,4,5,7"
check_eq "the evidence of the reusable approval is kept" "$(q "select request_id from validations")" 1
check_eq "their archived files are kept" "$(arch "1,4,5,7")" 4
n=0; for h in $gone; do [ -e "$S/archive/$(printf %.2s "$h")/$h" ] && n=$((n + 1)); done
check_eq "the removed messages' files are gone" "$n" 0
if sqlite; then kept="3 3"; else kept="4 4"; fi # SQLite: message 4 is a file
check_eq "and their raw bytes in the ledger" "$(q "select count(*) from archive where sha256 in (select sha256 from messages)") $(q "select count(*) from archive")" "$kept"
check_eq "the sent old digest is gone with its outbox row; the unsent one and today's stay" \
	"$(q "select day from digests order by day" | paste -sd' ' -) $(q "select count(*) from outbox where kind = 'digest'")" \
	"2025-07-26 $(date +%F) 2"
check_eq "no digest points at a removed outbox row" \
	"$(q "select count(*) from digests where outbox_id not in (select id from outbox)")" 0
sqlite && check_eq "no row points at a removed one" "$(q "PRAGMA foreign_key_check")" ""
check_eq "nor does any copy, action or history" \
	"$(q "select count(*) from request_copies where request_id in (2,3)") $(q "select count(*) from history where request_id in (2,3)") $(q "select count(*) from outbox where request_id in (2,3)")" "0 0 0"
d show 1 >/dev/null 2>&1; check_eq "a kept request still shows (its archive verified)" "$?" 0
out=$(d prune --older-than 400 2>&1)
check_contains "a second run removes nothing" "$out" "prune: 0 requests, 0 messages"
# the approval's reuse period ends: then it goes too
q "update validations set reuse_until=$((now - 1)) where request_id=1"
out=$(d prune --older-than 400 2>&1)
check_contains "once its reuse period is over the approval goes" "$out" "removed request 1: digicert"
check_eq "the pending request never goes" "$(ids requests)" "4,5"
# an approval with no validation row stays for SC-081's longest reuse period
q "update requests set state='approved', state_changed=$((now - 300 * 86400)), last_seen=$((now - 300 * 86400)) where id=5"
out=$(d prune --older-than 200 2>&1)
check_eq "an approval of 300 days ago without a validation row stays" "$(ids requests)" "4,5"

out=$(d prune 2>&1); rc=$?
check_eq "prune without --older-than: usage (64)" "$rc" 64
check_contains "saying how" "$out" "usage: dcvmail prune --older-than DAYS [--dry-run]"
out=$(d prune --older-than 0 2>&1); rc=$?
check_eq "--older-than 0 is refused (64)" "$rc" 64
check_contains "with the range" "$out" "dcvmail prune: --older-than 0: give a number of days from 1 to"
out=$("$DCVMAIL" -d "$TEST_TMP/none" prune --older-than 30 2>&1); rc=$?
check "prune on no ledger fails" [ "$rc" -ne 0 ]
check "and creates none" [ ! -e "$TEST_TMP/none" ]

if ! sqlite; then
	out=$(d backup "$TEST_TMP/b.db" 2>&1); rc=$?
	check "backup of a PostgreSQL ledger is refused" [ "$rc" -ne 0 ]
	check_contains "naming the database's own tools" "$out" "back it up with pg_dump"
	t_done
fi
# backup: a copy that sqlite3 opens and that passes integrity_check
out=$(d backup "$TEST_TMP/b.db" 2>&1); rc=$?
check_eq "backup exits 0" "$rc" 0
check_contains "and says what it wrote" "$out" "$TEST_TMP/b.db: backup of $S/ledger.db"
check_eq "the backup is mode 0600" "$(stat -c %a "$TEST_TMP/b.db")" 600
check_eq "sqlite3 finds it intact" "$(sqlite3 "$TEST_TMP/b.db" "PRAGMA integrity_check")" ok
check_eq "one self-contained file (journal_mode delete)" "$(sqlite3 "$TEST_TMP/b.db" "PRAGMA journal_mode")" delete
check_eq "with the ledger's rows" "$(sqlite3 "$TEST_TMP/b.db" "select group_concat(id) from (select id from requests order by id)")" "4,5"
check_eq "no temp file left" "$(ls "$TEST_TMP" | grep -c '\.tmp\.')" 0
# the raw messages an import keeps in the ledger are in the backup: restored
# alone (no archive/ beside it), show verifies them against their SHA-256
R="$TEST_TMP/restored"; mkdir -m 700 "$R"; cp "$TEST_TMP/b.db" "$R/ledger.db"
rid=$(q "select id from requests where id in (4, 5) and id in (select request_id from messages where sha256 in (select sha256 from archive)) limit 1")
check_eq "the backup holds the imported raw messages" "$(sqlite3 "$TEST_TMP/b.db" "select count(*) from archive")" "$(q "select count(*) from archive")"
out=$("$DCVMAIL" -d "$R" show "$rid" 2>&1); rc=$?
check "a restored backup shows request $rid, its raw message verified" sh -c '[ "$1" = 0 ] && ! echo "$2" | grep -q UNUSABLE' _ "$rc" "$out"
out=$(d backup "$TEST_TMP" 2>&1); rc=$?
check_eq "backup to a directory fails (73)" "$rc" 73
check_contains "saying so" "$out" "dcvmail backup: $TEST_TMP: is a directory"
out=$(d backup 2>&1); rc=$?
check_eq "backup without FILE: usage (64)" "$rc" 64
# while mail is recorded: every copy is consistent, the last one complete
ls "$F"/*.eml | head -60 >"$TEST_TMP/list"
( while read -r m; do d check "$m" >/dev/null 2>&1; done <"$TEST_TMP/list" ) &
W=$!
bad=0 i=0
while kill -0 "$W" 2>/dev/null && [ "$i" -lt 40 ]; do
	i=$((i + 1))
	d backup "$TEST_TMP/live.db" >/dev/null 2>&1 || bad=$((bad + 1))
	[ "$(sqlite3 "$TEST_TMP/live.db" "PRAGMA integrity_check")" = ok ] || bad=$((bad + 1))
	# a message row never without its request (one transaction each)
	[ "$(sqlite3 "$TEST_TMP/live.db" "select count(*) from messages m where request_id is not null and not exists (select 1 from requests r where r.id = m.request_id)")" = 0 ] || bad=$((bad + 1))
done
wait "$W"
check "backups were taken while mail was recorded ($i)" [ "$i" -gt 0 ]
check_eq "every one of them intact and consistent" "$bad" 0
d backup "$TEST_TMP/live.db" >/dev/null 2>&1
check_eq "a backup over an older one replaces it with all rows" \
	"$(sqlite3 "$TEST_TMP/live.db" "select count(*) from messages")" "$(q "select count(*) from messages")"

# the cron lines, as contrib/cron/dcvmail has them and dcvmail(8) shows them
CRON="$TOP/contrib/cron/dcvmail"
lines=$(grep -v '^#' "$CRON" | grep -v '^[A-Z]*=' | grep .)
check_eq "contrib/cron/dcvmail has the two jobs" "$(printf '%s\n' "$lines" | wc -l)" 2
man=$(sed -n '/^\.Bd -literal/,/^\.Ed/p' "$TOP/man/dcvmail.8" | tr -s ' \t' '  ')
printf '%s\n' "$lines" | tr -s ' \t' '  ' | while IFS= read -r l; do
	case "$man" in *"$l"*) echo ok ;; *) echo "missing: $l" ;; esac
done >"$TEST_TMP/inman"
check_eq "dcvmail(8) shows both cron lines as they are" "$(sort -u "$TEST_TMP/inman")" ok
if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
	skip "running the cron lines needs root and a mount namespace"
	t_done
fi
U=dcvmail
getent passwd dcvmail >/dev/null || U=nobody # the cron user; nobody where no dcvmail user exists
cat >"$TEST_TMP/cron.sh" <<EOF
set -e
# /var/lib of this namespace only: a fresh /var/lib/dcvmail owned by the user
mount -t tmpfs tmpfs /var/lib
install -d -m 700 -o $U /var/lib/dcvmail
EOF
cat >>"$TEST_TMP/cron.sh" <<'EOF'
export DCVMAIL_CONFIG= DCVMAIL_RULES_DIR="$TOP/rules"
as() { setpriv --reuid="$U" --regid="$(id -g "$U")" --clear-groups "$@"; }
as "$DCVMAIL" check "$TOP/tests/corpus/ca/sectigo-dcv-plain.eml" "$TOP/tests/corpus/ca/certum-dcv.eml" >/dev/null
as "$DCVMAIL" reject 1 >/dev/null
sqlite3 /var/lib/dcvmail/ledger.db "update requests set first_seen=0, last_seen=0, state_changed=0 where id=1"
path=$(sed -n 's/^PATH=//p' "$CRON")
grep -v '^#' "$CRON" | grep -v '^[A-Z]*=' | grep . | while IFS= read -r l; do
	user=$(printf '%s\n' "$l" | cut -f2); cmd=$(printf '%s\n' "$l" | cut -f3-)
	echo "user=$user"
	# the command line as cron runs it: sh -c, PATH from the file (this
	# build's dcvmail first, in place of the installed one)
	as env PATH="$(dirname "$DCVMAIL"):$path" sh -c "$cmd"; echo "rc=$?"
done
ls -l /var/lib/dcvmail/ledger-backup.db | cut -d' ' -f1,3
sqlite3 /var/lib/dcvmail/ledger-backup.db "PRAGMA integrity_check"
sqlite3 /var/lib/dcvmail/ledger.db "select group_concat(id) from (select id from requests order by id)"
EOF
out=$(U=$U CRON=$CRON unshare -m sh "$TEST_TMP/cron.sh" 2>&1); rc=$?
check_eq "the cron lines run (in a private /var/lib)" "$rc" 0
check_contains "as the user dcvmail" "$out" "user=dcvmail"
check_eq "both exit 0" "$(printf '%s\n' "$out" | grep -c '^rc=0$')" 2
check_contains "the backup is written, 0600, the user's" "$out" "-rw------- $U"
check_contains "and intact" "$out" "
ok"
check_contains "prune removed the old rejected request" "$out" "removed request 1: sectigo"
check_eq "and kept the pending one" "$(printf '%s\n' "$out" | tail -1)" 2
t_done
