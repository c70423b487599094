# The state directory under attack and after accidents: archive files checked
# against their SHA-256 before a decision, decoys at the archive path, a
# symlinked or foreign ledger, an emptied ledger, oversized mail kept whole,
# the same bytes delivered to two recipients, temp files left by kill -9, a
# read-only state directory.
. "$TOP/tests/lib.sh"
HTTPS_PIDS=
trap 'for p in $HTTPS_PIDS; do kill $p 2>/dev/null; done' EXIT
S="$TEST_TMP/state"; DB="$S/ledger.db"; R="$TEST_TMP/rules"
CA=$(free_port)
tls_cert "$TEST_TMP" site
mkdir -p "$R"
cat >"$R/testca.rules" <<'RULES'
ca testca "Test CA"
  from-domain  ca.test
  dkim-domain  ca.test
  link-host    localhost

rule testca-dcv
  type     dcv
  subject  /^Approve the certificate for (?<domain>\S+) \(order (?<order>\d+)\)/
  body     /code: (?<code>[A-Z0-9]{12})/
  link     approve /\/approve\?/
  approve-method  post
  approve-field   order {order}
  approve-field   code {code}
  approve-success /Thank you: the domain is validated/
RULES
export DCVMAIL_RULES_DIR="$R"
cat >"$TEST_TMP/c.conf" <<CONF
syslog no
rules-dir $R
trust-authserv-id mx.example.test
https-ca-file $TEST_TMP/site-ca.pem
approve-timeout 3
pipe-action-deadline 0
role constructed admin@ webmaster@
smtp {
  url smtp://127.0.0.1:1
  from dcvmail@example.test
}
route {
  type dcv
  forward pki@example.test
}
CONF
# mail DOMAIN ORDER: an authenticated DCV request from the test CA
mail() {
	f="$TEST_TMP/m$2.eml"
	cat >"$f" <<EOF
Authentication-Results: mx.example.test; dkim=pass header.d=ca.test
From: Test CA Validation <validation@ca.test>
To: admin@$1
Subject: Approve the certificate for $1 (order $2)
Message-ID: <m$2@ca.test>
Date: $(date -u -R)
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Someone ordered a certificate for $1. Your code: ABCDEF123456
Approve: https://localhost:$CA/approve?order=$2&t=tok$2
EOF
	echo "$f"
}
dcv() { "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" "$@"; }
q() { sqlite3 "$DB" "$1"; }
site() { cat "$TEST_TMP/ca.log" 2>/dev/null | wc -l | tr -d ' '; }
sha() { sha256sum "$1" | cut -c1-64; }
apath() { echo "$S/archive/$(echo "$1" | cut -c1-2)/$1"; }
echo '{"GET /approve": {"body": "<form>order code</form>"}, "POST /approve": {"body": "<p>Thank you: the domain is validated.</p>"}}' >"$TEST_TMP/ca.routes"
https_start ca "$CA" site

# --- item 5: an archive file replaced by another order's mail ---
m1=$(mail a.example.com 7001); m2=$(mail b.example.com 7002)
dcv pipe -r admin@a.example.com <"$m1" >/dev/null 2>&1
dcv pipe -r admin@b.example.com <"$m2" >/dev/null 2>&1
id1=$(q "select id from requests where order_id = '7001'")
s1=$(sha "$m1"); s2=$(sha "$m2")
check "both requests are recorded" [ -n "$id1" ] && [ -f "$(apath "$s1")" ]
cp "$(apath "$s1")" "$TEST_TMP/orig1"
cat "$(apath "$s2")" >"$(apath "$s1")" # the other order's mail under request 1's name
out=$(dcv approve "$id1" 2>&1); rc=$?
check_eq "approve ID on a replaced archive file is refused (65)" "$rc" 65
check_contains "saying the archive is tampered or damaged" "$out" "archive tampered or damaged"
check_eq "and the CA's site gets no request" "$(site)" 0
check_eq "the request stays pending" "$(q "select state from requests where id = $id1")" pending
out=$(dcv approve "$id1" --dry-run 2>&1); rc=$?
check_eq "approve --dry-run refuses it the same way (65)" "$rc" 65
check_contains "with the same reason" "$out" "archive tampered or damaged"
check_contains "show marks the archive as unusable" "$(dcv show "$id1" 2>&1)" "archive tampered or damaged"
check_contains "show --json too" "$(dcv show --json "$id1" 2>&1)" '"archive":"unusable"'
cp "$TEST_TMP/orig1" "$(apath "$s1")"
out=$(dcv approve "$id1" --dry-run 2>&1); rc=$?
check_eq "with the original file back, --dry-run would approve it" "$rc" 0
check_contains "the approval link of its own order" "$out" "would open https://localhost:$CA/"
# a symlink at the archive path is not followed when read
mv "$(apath "$s1")" "$TEST_TMP/moved1"; ln -s "$TEST_TMP/moved1" "$(apath "$s1")"
out=$(dcv approve "$id1" --dry-run 2>&1); rc=$?
check_eq "a symlink in place of the archive file is refused (65)" "$rc" 65
check_contains "as tampering" "$out" "symbolic link"
rm "$(apath "$s1")"; mv "$TEST_TMP/moved1" "$(apath "$s1")"

# --- item 5: decoys planted at the future archive path before delivery ---
m3=$(mail c.example.com 7003); s3=$(sha "$m3")
mkdir -p -m 700 "$(dirname "$(apath "$s3")")"
tr 'a-z' 'b-za' <"$m3" >"$TEST_TMP/decoy" # same size, other bytes
ln -s "$TEST_TMP/decoy" "$(apath "$s3")"
dcv pipe -r admin@c.example.com <"$m3" >/dev/null 2>&1; rc=$?
check_eq "a symlink decoy at the archive path: delivered (exit 0)" "$rc" 0
check "the archive file is a regular file now, not the link" [ -f "$(apath "$s3")" ] && [ ! -L "$(apath "$s3")" ]
check "holding the message itself" cmp -s "$m3" "$(apath "$s3")"
check "and the link's target is untouched" cmp -s "$TEST_TMP/decoy" <(tr 'a-z' 'b-za' <"$m3")
m4=$(mail d.example.com 7004); s4=$(sha "$m4")
mkdir -p -m 700 "$(dirname "$(apath "$s4")")"
tr 'a-z' 'b-za' <"$m4" >"$(apath "$s4")"; chmod 600 "$(apath "$s4")"
dcv pipe -r admin@d.example.com <"$m4" >/dev/null 2>&1
check "a same-size decoy file is replaced by the message" cmp -s "$m4" "$(apath "$s4")"

# --- item 10: a missing archive file ---
id3=$(q "select id from requests where order_id = '7003'")
rm "$(apath "$s3")"
out1=$(dcv approve "$id3" --dry-run 2>&1); rc1=$?
out2=$(dcv approve "$id3" 2>&1); rc2=$?
check_eq "a missing archive: approve --dry-run and approve both exit 65" "$rc1:$rc2" "65:65"
check_contains "--dry-run says the archived message is missing" "$out1" "the archived message is missing"
check_contains "approve says so too" "$out2" "the archived message is missing"
check_eq "nothing was sent" "$(site)" 0
out=$(dcv show "$id3" 2>&1)
check_contains "show notices the missing archive file" "$out" "the archived message is missing"
check_contains "and marks it" "$out" "UNUSABLE"
check_not_contains "show of an intact request has no such mark" "$(dcv show "$id1" 2>&1)" "UNUSABLE"
cp "$m3" "$(apath "$s3")"; chmod 600 "$(apath "$s3")"

# --- h-import: an import keeps the raw messages in the ledger; checked the same way ---
m6=$(mail f.example.com 7006); m7=$(mail g.example.com 7007); s6=$(sha "$m6"); s7=$(sha "$m7")
{ cat "$TEST_TMP/c.conf"; echo "check-trust-authserv-id yes"; } >"$TEST_TMP/ci.conf"
dci() { "$DCVMAIL" -c "$TEST_TMP/ci.conf" -d "$S" "$@"; }
dci check -q "$m6" "$m7" >/dev/null 2>&1
id6=$(q "select id from requests where order_id = '7006'")
check_eq "an import keeps its raw messages in the ledger, not as files" \
	"$(q "select count(*) from archive where sha256 in ('$s6', '$s7')"):$([ -e "$(apath "$s6")" ] && echo file)" "2:"
q "update archive set data = (select data from archive where sha256 = '$s7') where sha256 = '$s6'"
out=$(dci approve "$id6" 2>&1); rc=$?
check_eq "approve ID on a replaced raw message in the ledger is refused (65)" "$rc" 65
check_contains "as tampering" "$out" "archive tampered or damaged"
check_eq "and the CA's site gets no request" "$(site)" 0
check_eq "the request stays pending" "$(q "select state from requests where id = $id6")" pending
check_contains "show marks it unusable" "$(dci show "$id6" 2>&1)" "UNUSABLE"
q "update archive set data = readfile('$m6') where sha256 = '$s6'"
mkdir -p -m 700 "$(dirname "$(apath "$s6")")"; cp "$m7" "$(apath "$s6")"; chmod 600 "$(apath "$s6")"
out=$(dci approve "$id6" --dry-run 2>&1); rc=$?
check_eq "restored, --dry-run would approve it: a decoy file at its archive path is not read" "$rc" 0
check_contains "the approval link it would open" "$out" "would open https://localhost:$CA/"
rm -f "$(apath "$s6")"
q "delete from archive where sha256 = '$s6'"
out=$(dci approve "$id6" --dry-run 2>&1); rc=$?
check_eq "a raw message gone from the ledger (and no file) is refused (65)" "$rc" 65
check_contains "as missing" "$out" "the archived message is missing"
q "insert into archive (sha256, size, data) values ('$s6', $(wc -c <"$m6"), readfile('$m6'))"

# --- item 12: the same bytes to two recipients (Postfix, one delivery per recipient) ---
m5=$(mail e.example.com 7005)
dcv pipe -r admin@e.example.com <"$m5" >/dev/null 2>&1
dcv pipe -r webmaster@e.example.com <"$m5" >/dev/null 2>&1; rc=$?
dcv pipe -r webmaster@e.example.com <"$m5" >/dev/null 2>&1
id5=$(q "select id from requests where order_id = '7005'")
check_eq "the second recipient's delivery: exit 0" "$rc" 0
check_eq "one message row for the same bytes" "$(q "select count(*) from messages where request_id = $id5")" 1
check_eq "a copy per recipient, with its mailbox and role" \
	"$(q "select group_concat(mailbox || '/' || role, ' ') from (select * from request_copies where request_id = $id5 order by rowid)")" \
	"admin@e.example.com/constructed webmaster@e.example.com/constructed"
check_eq "the request counts two copies" "$(q "select copies from requests where id = $id5")" 2
check_eq "its actions are not duplicated" "$(q "select count(*) from outbox where request_id = $id5")" 1
check_contains "show lists the second delivery" "$(dcv show "$id5")" "also delivered"
check_contains "show --json lists both deliveries" "$(dcv show --json "$id5")" '"mailbox":"webmaster@e.example.com"'

# a forward reads the archive too: a replaced file is refused, not sent
s5=$(sha "$m5"); cp "$(apath "$s5")" "$TEST_TMP/orig5"
cat "$m2" >"$(apath "$s5")"
dcv outbox >/dev/null 2>&1
check_contains "a forward of a replaced archive file fails as tampering" \
	"$(q "select last_error from outbox where request_id = $id5")" "archive tampered or damaged"
cp "$TEST_TMP/orig5" "$(apath "$s5")"

# --- item 4: oversized mail is kept whole, known by all its bytes ---
B="$TEST_TMP/big"; mkdir -m 700 "$B"
printf 'syslog no\nlimit message-size 1k\n' >"$TEST_TMP/small.conf"
big() { # FILE TAIL: a 200 KB message (over 4 x message-size) ending in TAIL
	python3 -c 'import sys; sys.stdout.write("From: a@example.com\nSubject: big\n\n" + ("x" * 99 + "\n") * 2000 + sys.argv[1] + "\n")' "$2" >"$1"
}
big "$TEST_TMP/big1.eml" one; big "$TEST_TMP/big2.eml" two
bp() { "$DCVMAIL" -c "$TEST_TMP/small.conf" -d "$B" pipe -r admin@example.net; }
bq() { sqlite3 "$B/ledger.db" "$1"; }
bp <"$TEST_TMP/big1.eml" >/dev/null 2>&1; rc=$?
b1=$(sha "$TEST_TMP/big1.eml"); b2=$(sha "$TEST_TMP/big2.eml")
check_eq "a message over 4 x message-size: exit 0" "$rc" 0
check_eq "recorded as oversized, by the hash and size of all its bytes" \
	"$(bq "select type, size from messages where sha256 = '$b1'")" "oversized|$(stat -c %s "$TEST_TMP/big1.eml")"
check "all of it is archived, not a prefix" cmp -s "$TEST_TMP/big1.eml" "$B/archive/$(echo "$b1" | cut -c1-2)/$b1"
bp <"$TEST_TMP/big2.eml" >"$TEST_TMP/big2.out" 2>&1; rc=$?
check_eq "a second big message with the same first 190 KB: exit 0" "$rc" 0
check_not_contains "it is not taken for the first one" "$(cat "$TEST_TMP/big2.out")" "seen-before"
check_eq "both are recorded" "$(bq "select count(*) from messages")" 2
check "and archived whole" cmp -s "$TEST_TMP/big2.eml" "$B/archive/$(echo "$b2" | cut -c1-2)/$b2"
bp <"$TEST_TMP/big1.eml" >"$TEST_TMP/big3.out" 2>&1
check_contains "the first one again is seen before" "$(cat "$TEST_TMP/big3.out")" "seen-before"
check_eq "no temp file is left" "$(find "$B/archive" -name '.tmp*' | wc -l)" 0
"$DCVMAIL" -c "$TEST_TMP/small.conf" -d "$B" pipe --dry-run -r admin@example.net <"$TEST_TMP/big1.eml" >"$TEST_TMP/dry.out" 2>&1
check_eq "--dry-run on a big message: exit 0" "$?" 0
check_contains "and it says oversized" "$(cat "$TEST_TMP/dry.out")" "oversized"
out=$("$DCVMAIL" -c "$TEST_TMP/small.conf" -d "$B" check -q "$TEST_TMP/big2.eml" 2>&1); rc=$?
check "check refuses a file over 4 x message-size instead of recording a prefix (exit $rc)" [ "$rc" -ne 0 ]
check_contains "saying it is not recorded" "$out" "not recorded"

# --- item 13: temp files of a killed writer are cleaned when the store opens for writing ---
sleep 0 & dead=$!; wait $dead
sub=$(dirname "$(apath "$s1")")
touch -d '-2 min' "$sub/.tmp.$s1.$dead" "$S/archive/.tmp.spool-0.$dead"
touch "$sub/.tmp.fresh.$dead"
touch -d '-2 min' "$sub/.tmp.live.$$"
dcv list >/dev/null 2>&1
check "a read-only command removes nothing" [ -f "$sub/.tmp.$s1.$dead" ]
dcv pipe -r admin@a.example.com <"$m1" >/dev/null 2>&1
check "a cleanup in the last 10 minutes: the archive is not scanned again" [ -f "$sub/.tmp.$s1.$dead" ]
touch -d '-11 min' "$S/.archive-cleaned"
dcv pipe -r admin@a.example.com <"$m1" >/dev/null 2>&1
check "an old temp file of a dead process is removed" [ ! -e "$sub/.tmp.$s1.$dead" ] && [ ! -e "$S/archive/.tmp.spool-0.$dead" ]
check "a fresh one is kept" [ -f "$sub/.tmp.fresh.$dead" ]
check "one of a running process is kept" [ -f "$sub/.tmp.live.$$" ]
rm -f "$sub/.tmp.fresh.$dead" "$sub/.tmp.live.$$"
# a real kill -9 while a big message is spooled
{ cat "$TEST_TMP/big1.eml"; sleep 5; } | bp >/dev/null 2>&1 &
bgp=$!
n=0; while [ "$(find "$B/archive" -maxdepth 1 -name '.tmp.spool*' | wc -l)" -eq 0 ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
kpid=$(pgrep -n -f "small.conf -d $B pipe")
kill -9 "$kpid" 2>/dev/null; wait "$bgp" 2>/dev/null
left=$(find "$B/archive" -maxdepth 1 -name '.tmp.spool*')
check "kill -9 while spooling leaves a temp file" [ -n "$left" ]
touch -d '-2 min' $left
touch -d '-11 min' "$B/.archive-cleaned"
bp <"$TEST_TMP/big2.eml" >/dev/null 2>&1
check_eq "the next delivery removes it" "$(find "$B/archive" -name '.tmp*' | wc -l)" 0

# --- item 5: the ledger and the archive tree are ours ---
mv "$DB" "$TEST_TMP/elsewhere.db"; ln -s "$TEST_TMP/elsewhere.db" "$DB"
out=$(dcv list 2>&1); rc=$?
check_eq "a ledger.db that is a symlink is refused (73)" "$rc" 73
check_contains "saying so" "$out" "ledger.db: is a symbolic link"
out=$(dcv pipe -r admin@a.example.com <"$m1" 2>/dev/null); rc=$?
check_eq "pipe defers (75) on a symlinked ledger" "$rc" 75
rm "$DB"; mv "$TEST_TMP/elsewhere.db" "$DB"
chown nobody "$DB"
out=$(dcv list 2>&1); rc=$?
check_eq "a ledger.db owned by another user is refused (73)" "$rc" 73
check_contains "naming the owner" "$out" "owned by uid $(id -u nobody)"
chown "$(id -u)" "$DB"
chmod 750 "$S/archive"
out=$(dcv list 2>&1); rc=$?
check "an archive directory open to the group is refused (exit $rc)" [ "$rc" -ne 0 ]
check_contains "with the fix" "$out" "chmod 700 $S/archive"
chmod 700 "$S/archive"
m6=$(mail f.example.com 7006); s6=$(sha "$m6")
# (chmod too: an earlier message may already have made this subdirectory 0700)
mkdir -p "$(dirname "$(apath "$s6")")"; chmod 755 "$(dirname "$(apath "$s6")")"
out=$(dcv pipe -r admin@f.example.com <"$m6" 2>&1); rc=$?
check_eq "an archive subdirectory open to others: pipe defers (75)" "$rc" 75
check_contains "naming the fix" "$out" "chmod 700 $(dirname "$(apath "$s6")")"
chmod 700 "$(dirname "$(apath "$s6")")"
check_eq "the ledger still works afterwards" "$(dcv list >/dev/null 2>&1; echo $?)" 0

# --- item 6: an emptied ledger beside an archive ---
Z="$TEST_TMP/zero"
"$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$Z" pipe -r admin@a.example.com <"$m1" >/dev/null 2>&1
: >"$Z/ledger.db"; rm -f "$Z/ledger.db-wal" "$Z/ledger.db-shm"
out=$("$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$Z" list 2>&1); rc=$?
check_eq "a zero-length ledger.db beside an archive is refused (73)" "$rc" 73
check_contains "with the recovery hint" "$out" "restore ledger.db from a backup"
out=$("$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$Z" pipe -r admin@a.example.com <"$m2" 2>&1); rc=$?
check_eq "pipe defers (75)" "$rc" 75
check_eq "and the file is not replaced by a new ledger" "$(stat -c %s "$Z/ledger.db")" 0
head -c 4096 /dev/urandom >"$Z/ledger.db"
out=$("$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$Z" list 2>&1); rc=$?
check_eq "a ledger.db that is not a database is refused too (73)" "$rc" 73
check_contains "naming it, with the recovery hint" "$out" "file is not a database; restore ledger.db from a backup"
Z2="$TEST_TMP/zero2"; mkdir -m 700 "$Z2"; : >"$Z2/ledger.db"; chmod 600 "$Z2/ledger.db"
"$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$Z2" pipe -r admin@a.example.com <"$m1" >/dev/null 2>&1
check_eq "an empty ledger.db with no archive beside it is a fresh start" "$?" 0

# --- item 18: a read-only state directory names the real cause ---
if unshare -m true 2>/dev/null; then
	out=$(unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && "$@"' sh "$S" \
		"$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" check -q "$m2" 2>&1); rc=$?
	check "a read-only state directory fails the import (exit $rc)" [ "$rc" -ne 0 ]
	check_contains "saying it is a read-only file system" "$out" "read-only file system"
	check_not_contains "not 'No such file or directory'" "$out" "No such file or directory"
	out=$(unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && "$@"' sh "$S" \
		"$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" pipe -r admin@g.example.com <"$(mail g.example.com 7007)" 2>&1); rc=$?
	check_eq "pipe defers (75)" "$rc" 75
	check_contains "and logs the real cause" "$out" "ead-only file system"
else
	skip "read-only state directory: no mount namespace here"
fi
# the pipe server holds at most 4 x message-size: it defers a longer message
# rather than record a prefix (dcvmail pipe keeps it whole)
PS="$TEST_TMP/psstate"
printf 'syslog no\npipe-server yes\nlimit message-size 1k\n' >"$TEST_TMP/ps.conf"
"$DCVMAIL" -c "$TEST_TMP/ps.conf" -d "$PS" watch >/dev/null 2>"$TEST_TMP/ps.err" &
WP=$!
for _ in $(seq 100); do grep -q "pipe-server: answering" "$TEST_TMP/ps.err" && break; sleep 0.05; done
out=$("$(dirname "$DCVMAIL")/dcvmail-pipe" -c "$TEST_TMP/ps.conf" -d "$PS" -r admin@example.net <"$TEST_TMP/big1.eml" 2>&1); rc=$?
check_eq "a message over the pipe server's cap is deferred (75), not cut" "$rc" 75
check_contains "saying why" "$out" "too large for the dcvmail pipe server"
check_eq "and nothing is recorded" "$(sqlite3 "$PS/ledger.db" "select count(*) from messages" 2>/dev/null || echo 0)" 0
kill -TERM "$WP"; wait "$WP" 2>/dev/null

# --- item 4: an oversized message in an IMAP mailbox is fetched and archived whole ---
. "$TOP/tests/lib-dovecot.sh"
if [ "$(id -u)" = 0 ] && command -v dovecot >/dev/null && dv_start; then
	trap 'for p in $HTTPS_PIDS; do kill $p 2>/dev/null; done; dv_stop' EXIT
	printf 'secret\n' >"$TEST_TMP/pw"; chmod 600 "$TEST_TMP/pw"
	printf 'syslog no\nlimit message-size 1k\nmailbox whois {\n url imaps://localhost:%s/INBOX\n user whois@example.test\n password-file %s\n role whois\n ca-file %s\n timeout 10\n}\n' \
		"$DV_IMAPS" "$TEST_TMP/pw" "$DV_CA" >"$TEST_TMP/imap.conf"
	dv_append whois@example.test "$TEST_TMP/big1.eml"
	dv_append whois@example.test "$TEST_TMP/big2.eml"
	I="$TEST_TMP/imapstate"
	out=$("$DCVMAIL" -c "$TEST_TMP/imap.conf" -d "$I" watch --once 2>&1); rc=$?
	check_eq "watch reads two big messages with the same beginning (exit 0)" "$rc" 0
	check_eq "both are recorded as oversized" "$(sqlite3 "$I/ledger.db" "select count(*) from messages where type = 'oversized'")" 2
	want=$(sed 's/$/\r/' "$TEST_TMP/big1.eml" | wc -c)
	check_eq "by their whole size (CRLF as IMAP serves them)" "$(sqlite3 "$I/ledger.db" "select group_concat(size) from messages")" "$want,$want"
	for h in $(sqlite3 "$I/ledger.db" "select sha256 from messages"); do
		f="$I/archive/$(echo "$h" | cut -c1-2)/$h"
		check_eq "archive $(echo "$h" | cut -c1-8) holds every byte, matching its name" "$(sha256sum <"$f" | cut -c1-64):$(stat -c %s "$f")" "$h:$want"
	done
else
	skip "IMAP oversized: needs root and dovecot"
fi
t_done
