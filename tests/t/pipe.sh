# dcvmail pipe without Postfix: exit codes, what it records, what it prints.
. "$TOP/tests/lib.sh"
S="$TEST_TMP/state"
CONF="$TEST_TMP/dcvmail.conf"
printf 'syslog no\nrole constructed admin@ webmaster@\nrole txt dcv@example.net\n' >"$CONF"
FIX="$TOP/tests/corpus/ca"
pipe() { "$DCVMAIL" -c "$CONF" -d "$S" pipe "$@"; }

out=$(pipe -f noreply_support@trust-provider.com -r admin@example.net <"$FIX/sectigo-dcv-plain.eml" 2>&1); rc=$?
check_eq "a DCV mail is recorded: exit 0" "$rc" 0
check_not_contains "pipe output never holds the approval link" "$out" "EnterDCVCode"
check_not_contains "pipe output never holds the validation code" "$out" "A1b2*C3d4"
list=$("$DCVMAIL" -c "$CONF" -d "$S" list --json)
check_contains "the request is in the ledger" "$list" '"type":"dcv","ca":"sectigo","domain":"www.example.net","order":"123456789","copies":1'
role=$(sqlite3 "$S/ledger.db" "select role from messages")
check_eq "the envelope recipient admin@ gives the role constructed" "$role" "constructed"

out=$(pipe -r webmaster@example.net -o dcv@example.net <"$FIX/sectigo-dcv-html-comodo.eml" 2>&1); rc=$?
check_eq "a second copy is recorded" "$rc" 0
check_eq "the original recipient decides the role" "$(sqlite3 "$S/ledger.db" "select role from messages order by id desc limit 1")" "txt"
check_eq "copies of one order make one request with two copies" \
	"$(sqlite3 "$S/ledger.db" "select count(*), max(copies) from requests")" "1|2"

# -q ${queue_id}: the log line starts with it (syslog no: the log is stderr)
out=$(pipe -q 4XyZ9kq0Wz -r admin@example.net <"$FIX/sectigo-dcv-plain.eml" 2>&1 >/dev/null)
check_contains "pipe -q: the log line starts with the queue id, then request, domain, verdict" "$out" \
	"dcvmail pipe: 4XyZ9kq0Wz: request=1 domain=www.example.net dcv sectigo/sectigo-dcv seen-before role=constructed"
check_eq "one log line for the message" "$(printf '%s\n' "$out" | grep -c '4XyZ9kq0Wz')" 1
check_not_contains "the log line holds no link" "$out" "://"
check_not_contains "nor the validation code" "$out" "A1b2*C3d4"
out=$(pipe -q '' -r admin@example.net <"$FIX/sectigo-dcv-plain.eml" 2>&1 >/dev/null); rc=$?
check_eq "pipe -q with an empty queue id still delivers" "$rc" 0
check_contains "and logs NOQUEUE" "$out" "dcvmail pipe: NOQUEUE: request=1 "
out=$(pipe -q 'x;rm' -r admin@example.net <"$FIX/sectigo-dcv-plain.eml" 2>/dev/null); rc=$?
check_eq "pipe -q with something that is no queue id: a wrong master.cf line defers (75)" "$rc" 75
check_contains "with the usage naming -q" "$out" "4.3.0 usage: dcvmail pipe [-f SENDER] [-r RECIPIENT] [-o ORIGINAL_RECIPIENT] [-q QUEUE_ID]"
touch "$TEST_TMP/afile"
out=$("$DCVMAIL" -c "$CONF" -d "$TEST_TMP/afile/state" pipe -q 5ZZ1 <"$FIX/sectigo-dcv-plain.eml" 2>&1 >/dev/null)
check_contains "a deferral's log line starts with the queue id" "$out" "dcvmail pipe: 5ZZ1: deferred: dcvmail ledger unavailable"

pipe -r admin@example.net <"$FIX/sectigo-dcv-plain.eml" >/dev/null 2>&1
check_eq "the same message again: exit 0, nothing new" \
	"$?:$(sqlite3 "$S/ledger.db" "select count(*) from messages")" "0:2"

out=$(pipe --dry-run -r admin@example.net <"$FIX/digicert-dcv-plain.eml" 2>&1); rc=$?
check_eq "--dry-run exits 0" "$rc" 0
check_contains "--dry-run shows the verdict" "$out" "dcv digicert/digicert-dcv role=constructed"
check_not_contains "--dry-run does not print the link" "$out" "https://"
check_eq "--dry-run records nothing" "$(sqlite3 "$S/ledger.db" "select count(*) from messages")" "2"

# every failure is a deferral (75) with a 4.3.0 line, never a bounce
touch "$TEST_TMP/afile"
out=$("$DCVMAIL" -c "$CONF" -d "$TEST_TMP/afile/state" pipe <"$FIX/sectigo-dcv-plain.eml" 2>/dev/null); rc=$?
check_eq "unusable state directory: exit 75" "$rc" 75
check_contains "with a 4.3.0 first line" "$(printf '%s' "$out" | head -1)" "4.3.0 "
mkdir -m 755 "$TEST_TMP/open"
out=$("$DCVMAIL" -c "$CONF" -d "$TEST_TMP/open" pipe <"$FIX/sectigo-dcv-plain.eml" 2>&1); rc=$?
check_eq "a state directory readable by others: exit 75" "$rc" 75
check_contains "and the fix is named" "$out" "chmod 700"
mkdir "$TEST_TMP/badrules"; printf 'ca x\n bogus\n' >"$TEST_TMP/badrules/x.rules"
out=$(DCVMAIL_RULES_DIR="$TEST_TMP/badrules" "$DCVMAIL" -c "$CONF" -d "$S" pipe <"$FIX/sectigo-dcv-plain.eml" 2>/dev/null); rc=$?
check_eq "broken rules: exit 75" "$rc" 75
check_eq "broken rules: one 4.3.0 line naming the rule file and line" "$out" "4.3.0 $TEST_TMP/badrules/x.rules:2:2: 'bogus' outside a rule (start one with 'rule ID')"
printf 'frobnicate yes\n' >"$TEST_TMP/bad.conf"
"$DCVMAIL" -c "$TEST_TMP/bad.conf" -d "$S" pipe <"$FIX/sectigo-dcv-plain.eml" >/dev/null 2>&1
check_eq "broken config: exit 75" "$?" 75
pipe --bogus-option <"$FIX/sectigo-dcv-plain.eml" >/dev/null 2>&1
check_eq "a wrong master.cf argument defers (75), never bounces" "$?" 75

# a signal while reading the message defers it
{ sleep 5; } | pipe -r admin@example.net >"$TEST_TMP/sig.out" 2>&1 &
pid=$!; sleep 0.5
kill -TERM "$(pgrep -n -f "dcvmail -c $CONF -d $S pipe")" 2>/dev/null
wait $pid; rc=$?
check_eq "SIGTERM while reading: exit 75" "$rc" 75
check_contains "SIGTERM: 4.3.0 line" "$(cat "$TEST_TMP/sig.out")" "4.3.0 dcvmail stopped by a signal"

# malformed and oversized mail is acknowledged and kept, not bounced
python3 -c 'import sys; sys.stdout.write("From: a@example.com\nSubject: big\n\n" + ("x" * 99 + "\n") * 120000)' >"$TEST_TMP/big.eml"
pipe -r admin@example.net <"$TEST_TMP/big.eml" >/dev/null 2>&1; rc=$?
check_eq "a 12 MB message: exit 0" "$rc" 0
check_eq "recorded as oversized" "$(sqlite3 "$S/ledger.db" "select type from messages where subject = 'big'")" "oversized"
sha=$(sha256sum "$TEST_TMP/big.eml" | cut -c1-64)
check "the whole 12 MB message is archived" cmp -s "$TEST_TMP/big.eml" "$S/archive/$(echo "$sha" | cut -c1-2)/$sha"
printf 'From: a@example.com\nSubject: broken\nContent-Type: multipart/mixed; boundary="zz"\n\n--zz\nContent-Type: text/plain; charset=x-no-such-charset\n\nhello\n' >"$TEST_TMP/broken.eml"
pipe -r admin@example.net <"$TEST_TMP/broken.eml" >/dev/null 2>&1; rc=$?
check_eq "broken MIME with an unknown charset: exit 0" "$rc" 0
check_eq "recorded as malformed" "$(sqlite3 "$S/ledger.db" "select type from messages where subject = 'broken'")" "malformed"
# the syncs of one lone delivery (an existing ledger, a new message): the
# archive file, its directory, the WAL commit, and the state directory
# (SQLite syncs it once per process that opened the WAL); no checkpoint on
# close, so ledger.db itself is never synced
if command -v strace >/dev/null; then
	Y="$TEST_TMP/sync"; mkdir -m 700 "$Y"
	pipe_y() { "$DCVMAIL" -c "$CONF" -d "$Y" pipe -r admin@example.net; }
	pipe_y <"$FIX/sectigo-dcv-plain.eml" >/dev/null 2>&1
	{ echo "X-Sync-Test: 1"; cat "$FIX/digicert-dcv-plain.eml"; } >"$TEST_TMP/sync.eml"
	strace -f -y -qq -e trace=fsync,fdatasync,syncfs,sync,msync -o "$TEST_TMP/sync.trace" \
		"$DCVMAIL" -c "$CONF" -d "$Y" pipe -r admin@example.net <"$TEST_TMP/sync.eml" >/dev/null 2>&1
	syncs=$(grep -cE '^[0-9]+ +(fsync|fdatasync|syncfs|sync|msync)\(' "$TEST_TMP/sync.trace")
	check_eq "one lone delivery syncs 4 times" "$syncs" 4
	check_eq "the archive file, its directory, the WAL, the state directory" \
		"$(sed -E 's/^[0-9]+ +[a-z]+\([0-9]+<([^>]*)>.*/\1/' "$TEST_TMP/sync.trace" |
			sed -E "s|^$Y|S|; s|/\.tmp\.[0-9a-f]+\.[0-9]+$|/TMP|; s|archive/[0-9a-f]{2}|archive/XX|" | tr '\n' ' ')" \
		"S/archive/XX/TMP S/archive/XX S/ledger.db-wal S "
	check_eq "ledger.db itself is not synced (no checkpoint on close)" \
		"$(grep -c "<$Y/ledger.db>" "$TEST_TMP/sync.trace")" 0
	check "the WAL keeps the delivery" [ -s "$Y/ledger.db-wal" ]
	check_eq "the traced delivery is recorded" "$("$DCVMAIL" -c "$CONF" -d "$Y" list --json | grep -c '"id"')" 2
	# lone deliveries keep the WAL short: each process that opens the
	# ledger first reads all of it, so one that leaves more than 128 pages
	# (512 KiB) truncates it as it closes
	max=0
	for i in $(seq 60); do
		{ echo "X-Wal-Test: $i"; cat "$FIX/digicert-dcv-plain.eml"; } | pipe_y >/dev/null 2>&1 || break
		w=$(stat -c %s "$Y/ledger.db-wal"); [ "$w" -gt "$max" ] && max=$w
	done
	check_eq "60 more copies of the DigiCert request: still 2 requests" "$("$DCVMAIL" -c "$CONF" -d "$Y" list --json | grep -c '"id"')" 2
	check_eq "and all 62 messages in the ledger" "$(sqlite3 "$Y/ledger.db" "select count(*) from messages")" 62
	check "the WAL never grew past 128 pages and one delivery ($max bytes)" [ "$max" -le $(((128 + 32) * 4120)) ]
	# the timed outbox run checkpoints: then ledger.db alone holds everything
	"$DCVMAIL" -c "$CONF" -d "$Y" outbox >/dev/null 2>&1
	check_eq "after dcvmail outbox the WAL is empty" "$(stat -c %s "$Y/ledger.db-wal")" 0
	cp "$Y/ledger.db" "$TEST_TMP/alone.db"
	check_eq "and a copy of ledger.db alone has all 62 messages" \
		"$(sqlite3 "file:$TEST_TMP/alone.db?immutable=1" "select count(*) from messages")" 62
else
	skip "sync count: strace is not installed"
fi
# start-up: libxml2 is loaded only when a message has an HTML part
check "dcvmail is not linked with libxml2" sh -c "! ldd '$DCVMAIL' | grep -q libxml2"
out=$(LD_DEBUG=files "$DCVMAIL" -c "$CONF" pipe --dry-run -r admin@example.net <"$FIX/sectigo-dcv-plain.eml" 2>&1)
check_contains "a plain-text mail is classified" "$out" "dcv sectigo/sectigo-dcv"
check_not_contains "without loading libxml2" "$out" "libxml2.so"
out=$(LD_DEBUG=files "$DCVMAIL" -c "$CONF" pipe --dry-run -r admin@example.net <"$FIX/sectigo-dcv-html-comodo.eml" 2>&1)
check_contains "an HTML mail loads libxml2" "$out" "libxml2.so.2"
check_contains "and is classified from its HTML" "$out" "dcv sectigo/"
if command -v strace >/dev/null; then
	strace -f -qq -e trace=openat -o "$TEST_TMP/open.trace" "$DCVMAIL" -c "$CONF" -d "$S" pipe -r admin@example.net \
		<"$TEST_TMP/sync.eml" >/dev/null 2>&1
	check "a delivery (hashed, archived, recorded) does not set up OpenSSL" sh -c "! grep -q openssl.cnf '$TEST_TMP/open.trace'"
fi
# a large body (patterns are JIT-compiled for it, in pipe mode only then) classifies as a small one
{ cat "$FIX/sectigo-dcv-plain.eml"; python3 -c 'print(("filler text of a long mail, nothing to see here\n") * 2000)'; } >"$TEST_TMP/long.eml"
out=$("$DCVMAIL" -c "$CONF" pipe --dry-run -r admin@example.net <"$TEST_TMP/long.eml" 2>&1)
check_contains "a 100 kB CA mail is classified in pipe mode" "$out" "dcv sectigo/sectigo-dcv"
t_done
