# h-oauth: dcvmail watch --once logging in with SASL XOAUTH2 and a token from
# a token-command, against a real Dovecot whose oauth2 passdb asks a local
# introspection endpoint (tests/oauth-introspect.py) about each token.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-dovecot.sh"
if [ "$(id -u)" != 0 ] || ! command -v dovecot >/dev/null; then skip "needs root and dovecot"; exit 0; fi
IP=$(free_port)
GOOD="ya29.good-$$-c2VjcmV0LXRva2Vu"
BAD="ya29.revoked-$$-YmFkLXRva2Vu"
: >"$TEST_TMP/introspect.log"
python3 "$TOP/tests/oauth-introspect.py" "$IP" "$GOOD" whois@example.test "$TEST_TMP/introspect.log" &
IPID=$!
trap 'kill $IPID ${wp:-} 2>/dev/null; dv_stop' EXIT
wait_port "$IP" 10
if ! DV_OAUTH2="http://127.0.0.1:$IP/introspect" dv_start; then not_ok "private Dovecot with an oauth2 passdb starts"; exit 1; fi
ok "private Dovecot with an oauth2 passdb starts"
S="$TEST_TMP/state"; FIX="$TOP/tests/corpus/ca"
C="$TEST_TMP/c.conf"

# token programs: print a fixed token; the first call an expired one, then
# the good one (a counter file); hang; fail with a reason on stderr
mk() { printf '#!/bin/sh\n%s\n' "$2" >"$TEST_TMP/$1"; chmod 755 "$TEST_TMP/$1"; }
mk tok-good "echo x >>$TEST_TMP/calls; echo '$GOOD'"
mk tok-bad "echo x >>$TEST_TMP/calls; echo '$BAD'"
mk tok-expired "echo x >>$TEST_TMP/calls; if [ \$(wc -l <$TEST_TMP/calls) -eq 1 ]; then echo expired-$$; else echo '$GOOD'; fi"
mk tok-hang "sleep 60 & echo \$! >$TEST_TMP/hang.pid; wait"
mk tok-fail "echo 'invalid_grant: the refresh token was revoked' >&2; exit 3"

conf() { # conf TOKEN-COMMAND [EXTRA]
	printf 'syslog no\nmailbox whois {\n url imaps://localhost:%s/INBOX\n user whois@example.test\n auth %s\n token-command %s\n role whois\n ca-file %s\n timeout %s\n}\n' \
		"$DV_IMAPS" "${AUTH:-xoauth2}" "$1" "$DV_CA" "${2:-10}" >"$C"
}
w() { : >"$TEST_TMP/calls"; "$DCVMAIL" -c "$C" -d "$S" watch --once 2>&1; }
msgs() { sqlite3 "$S/ledger.db" "select count(*) from messages" 2>/dev/null || echo 0; }

# dcvmail -n
conf "$TEST_TMP/tok-good"
"$DCVMAIL" -c "$C" -n >/dev/null 2>&1
check_eq "-n accepts auth xoauth2 with a token-command" "$?" 0
sed -i '/token-command/d' "$C"
out=$("$DCVMAIL" -c "$C" -n 2>&1); rc=$?
check_eq "-n refuses auth xoauth2 without a token-command" "$rc" 78
check_contains "naming the file and the mailbox's line" "$out" "$C:2: mailbox 'whois': auth xoauth2 needs an oauth block or a token-command"
conf "$TEST_TMP/no-such-program --flag"
out=$("$DCVMAIL" -c "$C" -n 2>&1); rc=$?
check_eq "-n refuses a token-command that does not exist" "$rc" 78
check_contains "naming the file, the token-command's line and the program" "$out" "$C:6: token-command of mailbox 'whois': $TEST_TMP/no-such-program: No such file"
conf "no-such-token-program-$$"
out=$("$DCVMAIL" -c "$C" -n 2>&1)
check_contains "or a program not found in PATH" "$out" "no-such-token-program-$$: not found in PATH"
chmod 644 "$TEST_TMP/tok-fail"; conf "$TEST_TMP/tok-fail"
out=$("$DCVMAIL" -c "$C" -n 2>&1)
check_contains "or one that is not executable" "$out" "tok-fail: not an executable file"
chmod 755 "$TEST_TMP/tok-fail"

# a good token: the mail is recorded and marked
dv_append whois@example.test "$FIX/digicert-dcv-plain.eml"
conf "$TEST_TMP/tok-good"
out=$(w); rc=$?
check_eq "with a good token watch --once exits 0" "$rc" 0
check_contains "and reads the mail" "$out" "whois: 1 new message"
check_eq "the mail is recorded" "$(msgs)" 1
check_contains "and marked" "$(dv_state whois@example.test)" '$Dcvmail'
check_contains "Dovecot logged in with XOAUTH2" "$(cat "$DV/dovecot.log")" "method=XOAUTH2"
check_not_contains "the token is not in dcvmail's output" "$out" "$GOOD"
out=$("$DCVMAIL" -v -c "$C" -d "$S" watch --once 2>&1)
check_contains "the capabilities after login are the ones used (IDLE, MOVE)" "$out" "connected to localhost:$DV_IMAPS IDLE MOVE"

# a refused token: tried once more with a fresh token, then the server's reason
dv_append whois@example.test "$FIX/sectigo-dcv-plain.eml"
before=$(dv_state whois@example.test)
: >"$TEST_TMP/introspect.log"
conf "$TEST_TMP/tok-bad"
out=$(w); rc=$?
check_eq "with a refused token watch --once fails (75)" "$rc" 75
check_contains "with the server's reason" "$out" "XOAUTH2 login as whois@example.test refused by localhost: Authentication failed."
check_eq "after running the token-command a second time" "$(wc -l <"$TEST_TMP/calls")" 2
check_eq "and asking the server twice" "$(grep -c inactive "$TEST_TMP/introspect.log")" 2
check_not_contains "the token is not in dcvmail's output" "$out" "$BAD"
check_eq "the new mail is not recorded" "$(msgs)" 1
check_eq "nor marked: the mailbox is as it was" "$(dv_state whois@example.test)" "$before"
if [ -d "$S" ]; then
	check "the token is in no file of the state directory" sh -c "! grep -rqF '$BAD' '$S'"
fi

# an expired token, then a good one: one retry, and the mail is recorded
conf "$TEST_TMP/tok-expired"
out=$(w); rc=$?
check_eq "an expired token is replaced by a fresh one: exit 0" "$rc" 0
check_contains "after saying so" "$out" "refused the token"
check_contains "and logging in with it" "$out" "logged in with a fresh token"
check_eq "the token-command ran twice" "$(wc -l <"$TEST_TMP/calls")" 2
check_eq "the waiting mail is recorded" "$(msgs)" 2
check_not_contains "no token in the output" "$out" "$GOOD"

# a token-command that hangs is killed after the mailbox's timeout
conf "$TEST_TMP/tok-hang" 2
t0=$(date +%s)
out=$(w); rc=$?
t1=$(date +%s)
check_eq "a hanging token-command fails the pass (75)" "$rc" 75
check_contains "with a clear error" "$out" "no token within 2 s: killed"
check "after the timeout, not much later" [ $((t1 - t0)) -ge 2 ] && [ $((t1 - t0)) -le 6 ]
gone() { [ ! -r "/proc/$1/stat" ] || grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; } # a zombie is dead
sleep 0.2
check "and what it started is killed too" gone "$(cat "$TEST_TMP/hang.pid")"

# a token-command that fails: its exit status and first stderr line
conf "$TEST_TMP/tok-fail"
out=$(w); rc=$?
check_eq "a failing token-command fails the pass (75)" "$rc" 75
check_contains "with its exit status and stderr" "$out" "tok-fail: exit 3: invalid_grant: the refresh token was revoked"
# OAUTHBEARER (RFC 7628), which dcvmail speaks itself
AUTH=oauthbearer conf "$TEST_TMP/tok-bad"
dv_append whois@example.test "$FIX/globalsign-dcv.eml"
before=$(dv_state whois@example.test)
n0=$(msgs)
out=$(w); rc=$?
check_eq "auth oauthbearer with a refused token fails the pass (75)" "$rc" 75
check_contains "with the server's reason" "$out" "OAUTHBEARER login as whois@example.test refused by localhost: Authentication failed."
check_eq "after a second try with a fresh token" "$(wc -l <"$TEST_TMP/calls")" 2
check_not_contains "the token is not in the output" "$out" "$BAD"
check_eq "nothing is recorded or marked" "$(msgs) $(dv_state whois@example.test)" "$n0 $before"
AUTH=oauthbearer conf "$TEST_TMP/tok-good"
out=$("$DCVMAIL" -v -c "$C" -d "$S" watch --once 2>&1); rc=$?
check_eq "auth oauthbearer with a good token: exit 0" "$rc" 0
check_eq "Dovecot logged in once with OAUTHBEARER" "$(grep -c 'Login: .*method=OAUTHBEARER' "$DV/dovecot.log")" 1
check_contains "the capabilities after login are asked for (IDLE, MOVE)" "$out" "connected to localhost:$DV_IMAPS IDLE MOVE"
check_eq "the mail is recorded" "$(msgs)" $((n0 + 1))
check_not_contains "the token is not in the output" "$out" "$GOOD"

# the watcher retries a failing token-command with its backoff
: >"$TEST_TMP/calls"
mk tok-fail2 "echo x >>$TEST_TMP/calls; echo 'provider unreachable' >&2; exit 1"
conf "$TEST_TMP/tok-fail2"
# (stopped once the token-command ran twice; at most the 5 s it always ran)
"$DCVMAIL" -c "$C" -d "$S" watch >"$TEST_TMP/retry.out" 2>&1 &
wp=$!
for _ in $(seq 100); do [ "$(wc -l <"$TEST_TMP/calls")" -ge 2 ] && break; sleep 0.05; done
kill "$wp" 2>/dev/null; wait "$wp" 2>/dev/null
out=$(cat "$TEST_TMP/retry.out")
check_contains "the watcher logs the failure and its next try" "$out" "provider unreachable; next try in"
check "and runs the token-command again after the backoff" [ "$(wc -l <"$TEST_TMP/calls")" -ge 2 ]

# auth oauthbearer with a server that offers only XOAUTH2: XOAUTH2 is used
dv_stop
if ! DV_OAUTH2_MECHS=xoauth2 DV_OAUTH2="http://127.0.0.1:$IP/introspect" dv_start; then not_ok "Dovecot with XOAUTH2 only starts"; exit 1; fi
dv_append whois@example.test "$FIX/digicert-dcv-plain.eml"
AUTH=oauthbearer conf "$TEST_TMP/tok-good"
out=$(w); rc=$?
check_eq "auth oauthbearer on a server with only AUTH=XOAUTH2: exit 0" "$rc" 0
check_eq "it logged in with XOAUTH2" "$(grep -c 'Login: .*method=XOAUTH2' "$DV/dovecot.log")" 1

# a server that takes no OAuth login: a clear error, no token asked for
dv_stop
if ! dv_start; then not_ok "private Dovecot without oauth2 starts"; exit 1; fi
conf "$TEST_TMP/tok-good"
out=$(w); rc=$?
check_eq "a server without XOAUTH2 fails the pass (75)" "$rc" 75
check_contains "saying it takes no OAuth login" "$out" "localhost offers neither AUTH=XOAUTH2 nor AUTH=OAUTHBEARER"
check_eq "without running the token-command" "$(wc -l <"$TEST_TMP/calls")" 0
t_done
