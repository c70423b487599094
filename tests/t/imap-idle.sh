# dcvmail watch (continuous: IDLE, polling, reconnect, signals, move-to)
# against a real Dovecot with TLS on 127.0.0.1.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-dovecot.sh"
if [ "$(id -u)" != 0 ] || ! command -v dovecot >/dev/null; then skip "needs root and dovecot"; exit 0; fi
P=; SINK_PID=
SINK=$(mktemp -d /tmp/dcvmail-sink.XXXXXX); chmod 777 "$SINK"; SPORT=$(free_port)
cleanup() { for p in $P $SINK_PID; do kill -9 "$p" 2>/dev/null; done; rm -rf "$SINK"; dv_stop; }
trap cleanup EXIT
if ! dv_start; then not_ok "private Dovecot starts"; exit 1; fi
ok "private Dovecot starts"
S="$TEST_TMP/state"; FIX="$TOP/tests/corpus/ca"; DB="$S/ledger.db"
printf 'secret\n' >"$TEST_TMP/pw"; chmod 600 "$TEST_TMP/pw"
printf 'wrong\n' >"$TEST_TMP/badpw"; chmod 600 "$TEST_TMP/badpw"
# whois: imaps + IDLE (renewed every 3 s); txt: STARTTLS, IDLE off, polled every
# second; approver: processed mail moved to the folder Processed.
conf() { # [ROLE_OF_WHOIS]
	{
	printf 'syslog no\nsmtp {\n url smtp://127.0.0.1:%s\n from dcvmail@example.test\n}\n' "$SPORT"
	printf 'route {\n type dcv\n ca digicert\n forward ops@example.test\n}\n'
	# the fixtures are days old: their pending alerts and digests are alerts.sh's
	printf 'pending-alert-mail no\ndigest off\n'
	printf 'mailbox whois {\n url imaps://localhost:%s/INBOX\n user whois@example.test\n password-file %s\n role %s\n ca-file %s\n idle-refresh 3\n reconnect-max 2\n}\n' \
		"$DV_IMAPS" "$TEST_TMP/pw" "${1:-whois}" "$DV_CA"
	printf 'mailbox txt {\n url imap://localhost:%s/INBOX\n user txt@example.test\n password-file %s\n role txt\n ca-file %s\n idle no\n poll-interval 1\n reconnect-max 2\n}\n' \
		"$DV_IMAP" "$TEST_TMP/pw" "$DV_CA"
	printf 'mailbox approver {\n url imaps://localhost:%s/INBOX\n user approver@example.test\n password-file %s\n role approver\n ca-file %s\n move-to Processed\n reconnect-max 2\n}\n' \
		"$DV_IMAPS" "$TEST_TMP/pw" "$DV_CA"
	} >"$TEST_TMP/c.conf"
}
start() { # start watch in the background: $P, output in $TEST_TMP/out and err
	"$DCVMAIL" -v -c "$TEST_TMP/c.conf" -d "$S" watch "$@" >>"$TEST_TMP/out" 2>>"$TEST_TMP/err" &
	P=$!
}
q() { sqlite3 "$DB" "$1" 2>/dev/null; }
# wait_for SECONDS SQL VALUE: until the query answers VALUE
wait_for() {
	n=$(awk "BEGIN{print int($1*20)}")
	for _ in $(seq "$n"); do [ "$(q "$2")" = "$3" ] && return 0; sleep 0.05; done
	[ "$(q "$2")" = "$3" ]
}
wait_log() { # SECONDS PATTERN: until err has PATTERN
	for _ in $(seq $(($1 * 10))); do grep -q -- "$2" "$TEST_TMP/err" && return 0; sleep 0.1; done
	return 1
}
imap_py() { # USER: python snippet on stdin gets c (logged in)
	python3 -c "
import imaplib, ssl, sys
c = imaplib.IMAP4_SSL('localhost', $DV_IMAPS, ssl_context=ssl.create_default_context(cafile='$DV_CA'))
c.login('$1', 'secret')
$(cat)
c.logout()"
}
echo 'c.create("Processed")' | imap_py approver@example.test

if command -v smtp-sink >/dev/null; then
	smtp-sink -u nobody -d "$SINK/%M." -c 127.0.0.1:"$SPORT" 20 >/dev/null 2>&1 &
	SINK_PID=$!; wait_port "$SPORT" 10
fi
conf
start
check "watch connects to all three mailboxes" wait_log 10 "approver: connected"
check_contains "whois waits with IDLE" "$(cat "$TEST_TMP/err")" "whois: connected; waiting for new mail with IDLE"
check_contains "txt (idle no) polls" "$(cat "$TEST_TMP/err")" "txt: connected; checking for new mail every 1 s"

# mail arriving while watch idles is recorded within 2 seconds, with its role
dv_append whois@example.test "$FIX/digicert-dcv-plain.eml"
check "mail APPENDed while IDLE-ing is recorded within 2 s" wait_for 2 "select count(*) from messages" 1
check_eq "with the whois role" "$(q "select role from messages")" whois
if [ -n "$SINK_PID" ]; then
	for _ in $(seq 60); do [ "$(ls "$SINK" | wc -l)" -gt 0 ] && break; sleep 0.05; done
	check_eq "the watcher's outbox forwards the request to the person at once" "$(ls "$SINK" | wc -l)" 1
	check_contains "to the routed address" "$(cat "$SINK"/*)" "ops@example.test"
fi
dv_append approver@example.test "$FIX/globalsign-dcv.eml" '(\Seen)'
check "approver mail is recorded within 2 s" wait_for 2 "select count(*) from messages where role = 'approver'" 1
dv_append txt@example.test "$FIX/sectigo-dcv-plain.eml"
check "a polled mailbox (no IDLE) is read at its interval" wait_for 3 "select count(*) from messages where role = 'txt'" 1
sleep 0.5
check_contains "processed approver mail is moved to move-to" \
	"$(echo 'print(c.select("Processed")[1][0].decode(), c.select("INBOX")[1][0].decode())' | imap_py approver@example.test)" "1 0"
check_contains "a message a person had read keeps \\Seen after the move" \
	"$(echo 'c.select("Processed"); print(c.uid("FETCH", "1:*", "(FLAGS)")[1])' | imap_py approver@example.test)" '\\Seen'
check_not_contains "\\Seen is never set by dcvmail" "$(dv_state whois@example.test)" '\Seen'

# IDLE is renewed (idle-refresh 3) and still delivers
sleep 3.5
check_contains "IDLE is renewed before the refresh interval runs out" "$(cat "$TEST_TMP/err")" "whois: renewing IDLE"
dv_append whois@example.test "$FIX/digicert-dcv-copy-webmaster.eml"
check "after renewal new mail still arrives within 2 s" wait_for 2 "select count(*) from messages where role = 'whois'" 2

# SIGHUP with a broken config keeps the running one
cp "$TEST_TMP/c.conf" "$TEST_TMP/c.good"
echo "no-such-keyword yes" >>"$TEST_TMP/c.conf"
kill -HUP "$P"
check "SIGHUP with a broken config says so" wait_log 5 "reload failed"
check_contains "naming the file and line" "$(cat "$TEST_TMP/err")" "c.conf:"
dv_append whois@example.test "$FIX/sectigo-dcv-plain-htmlb64.eml"
check "and keeps watching with the running config" wait_for 3 "select count(*) from messages where role = 'whois'" 3
# SIGHUP with a good new config applies it: whois mail now gets the role "constructed"
conf constructed
kill -HUP "$P"
check "SIGHUP reloads the config" wait_log 5 "reloaded: 3 mailboxes"
sleep 1
dv_append whois@example.test "$FIX/globalsign-dcv-htmlb64.eml"
check "mail after the reload is recorded with the new config's role" \
	wait_for 3 "select count(*) from messages where role = 'constructed'" 1
conf

# Dovecot stops and comes back: watch reconnects and catches up
dv_down
check "a dropped connection is noticed and retried with backoff" wait_log 10 "next try in"
dv_drop whois@example.test "$FIX/cybertrust-dcv.eml"
sleep 1
dv_up
check "after Dovecot restarts, mail delivered meanwhile is recorded" \
	wait_for 20 "select count(*) from messages where mailbox = 'whois'" 5
check "watch is still running" kill -0 "$P"

# SIGTERM: clean stop; mail arriving while stopped is read on restart, once
kill -TERM "$P"; wait "$P"; rc=$?; P=
check_eq "SIGTERM stops watch cleanly (exit 0)" "$rc" 0
check_contains "and says so" "$(cat "$TEST_TMP/err")" "stopping on signal 15"
dv_append whois@example.test "$FIX/digicert-issued.eml"
# a request recorded by another intake while the watcher is down: its forward waits in the outbox
fw=$(ls "$SINK" | wc -l)
"$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" check -q "$FIX/digicert-dcv-ja-iso2022jp.eml" >/dev/null 2>&1
check_eq "a request recorded by check is queued, not sent" "$(q "select count(*) from outbox where done = 0 and kind = 'forward'")" 1
start
check "mail that arrived while watch was stopped is recorded after a restart" \
	wait_for 10 "select count(*) from messages where mailbox = 'whois'" 6
if [ -n "$SINK_PID" ]; then
	check "the watcher's outbox sends what other intakes queued" \
		wait_for 5 "select count(*) from outbox where done = 0 and kind = 'forward'" 0
	check_eq "one more forward reaches the person" "$(ls "$SINK" | wc -l)" $((fw + 1))
fi
check_eq "no message is recorded twice" "$(q "select count(*) - count(distinct sha256) from messages")" 0

# kill -9 in the middle of a long catch-up: nothing lost, nothing twice
dv_drop txt@example.test "$FIX/digicert-dcv-plain.eml" 600
for _ in $(seq 200); do n=$(q "select count(*) from messages where mailbox = 'txt'"); [ "${n:-0}" -gt 20 ] && break; sleep 0.02; done
kill -9 "$P"; wait "$P" 2>/dev/null; P=
n=$(q "select count(*) from messages where mailbox = 'txt'")
check "watch was killed in the middle of the batch ($n of 601 recorded)" [ "$n" -lt 601 ]
start
check "after kill -9 and a restart every message is recorded" \
	wait_for 60 "select count(*) from messages where mailbox = 'txt'" 601
check_eq "none twice" "$(q "select count(*) - count(distinct sha256) from messages")" 0
check_eq "the ledger is intact" "$(q "pragma integrity_check")" ok
kill -TERM "$P"; wait "$P"; P=

# --dry-run: EXAMINE, shows new mail, changes nothing anywhere
count=$(q "select count(*) from messages")
: >"$TEST_TMP/out"
start --dry-run
wait_log 10 "dry run: EXAMINE only" >/dev/null
sleep 1
dv_drop whois@example.test "$FIX/certum-dcv.eml"
before=$(dv_state whois@example.test)
sleep 2
kill -TERM "$P"; wait "$P"; P=
check_contains "a dry run shows the new mail" "$(cat "$TEST_TMP/out")" "whois"
check_eq "a dry run records nothing" "$(q "select count(*) from messages")" "$count"
check_eq "and leaves the mailbox exactly as it was" "$(dv_state whois@example.test)" "$before"

# a wrong password: a clear error and a long backoff, not a busy loop
sed -i "0,/password-file .*/s|password-file .*|password-file $TEST_TMP/badpw|" "$TEST_TMP/c.conf"
: >"$TEST_TMP/err"
start
check "a refused login is reported" wait_log 10 "whois: login as whois@example.test refused"
sleep 4
check "the watcher keeps running for the other mailboxes" kill -0 "$P"
check_eq "and tries the refused login once in 4 s, not in a loop" \
	"$(grep -c "whois: login as whois@example.test refused" "$TEST_TMP/err")" 1
check "it says when it tries again (60 s plus jitter)" grep -Eq "refused by localhost; next try in (6[0-9]|7[0-5]) s" "$TEST_TMP/err"
check_not_contains "the password is never shown" "$(cat "$TEST_TMP/err" "$TEST_TMP/out")" "wrong"
kill -TERM "$P"; wait "$P"; P=
t_done
