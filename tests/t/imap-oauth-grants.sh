# h-oauth: dcvmail watch with an oauth block against a real Dovecot whose
# oauth2 passdb asks tests/oauth-server.py, which is also the HTTPS token
# endpoint (throwaway CA): each grant records the mail exactly once; a
# rotated refresh token is written back; a revoked one is a clear error with
# backoff and nothing marked; oauth login (RFC 8628) and oauth test; a token
# that expires while the watcher is in IDLE; no token or secret in any
# output, log or ps listing; -n on the block's files.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-dovecot.sh"
if [ "$(id -u)" != 0 ] || ! command -v dovecot >/dev/null || ! python3 -c 'import cryptography' 2>/dev/null; then
	skip "needs root, dovecot and python3-cryptography"; exit 0
fi
O="$TEST_TMP/provider"; mkdir -p "$O"
tls_cert "$O" server
HP=$(free_port); IP=$(free_port)
umask 077
SECRET="cs-$$-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s' "$SECRET" >"$O/client-secret"; printf '%s\n' "$SECRET" >"$TEST_TMP/cs"
RT0="dcvtest-rt-first-$$-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s' "$RT0" >"$O/refresh-token"; printf '%s\n' "$RT0" >"$TEST_TMP/rt"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=dcvmail client" -keyout "$TEST_TMP/client.key" \
	-out "$TEST_TMP/client.pem" >/dev/null 2>&1
cp "$TEST_TMP/client.pem" "$O/client-cert.pem"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TEST_TMP/sa.key" 2>/dev/null
python3 - "$TEST_TMP/sa.key" "$HP" "$TEST_TMP/sa.json" <<'PY'
import json, sys
json.dump({"type": "service_account", "project_id": "dcvmail-test", "private_key_id": "k1",
           "private_key": open(sys.argv[1]).read(), "client_email": "dcvmail@dcvmail-test.iam.gserviceaccount.com",
           "client_id": "1", "token_uri": "https://localhost:%s/token" % sys.argv[2]}, open(sys.argv[3], "w"))
PY
cp "$TEST_TMP/sa.json" "$O/sa.json"
umask 022
python3 "$TOP/tests/oauth-server.py" "$O" "$HP" "$IP" 2>"$TEST_TMP/server.err" &
SPID=$!
P=
trap 'kill $SPID $P 2>/dev/null; dv_stop' EXIT
wait_port "$HP" 10 && wait_port "$IP" 10
if ! DV_OAUTH2="http://127.0.0.1:$IP/introspect" dv_start; then not_ok "Dovecot with an oauth2 passdb starts"; exit 1; fi
S="$TEST_TMP/state"; FIX="$TOP/tests/corpus/ca"; C="$TEST_TMP/c.conf"
ALL="$TEST_TMP/all-output" # everything dcvmail printed, grepped for secrets at the end
: >"$ALL"

conf() { # conf "GRANT LINES" [EXTRA MAILBOX LINES]
	printf 'syslog no\noauth t {\n%s\n token-endpoint https://localhost:%s/token\n device-endpoint https://localhost:%s/device\n ca-file %s\n}\nmailbox whois {\n url imaps://localhost:%s/INBOX\n user whois@example.test\n oauth t\n role whois\n ca-file %s\n timeout 10\n%s\n}\n' \
		"$1" "$HP" "$HP" "$O/server-ca.pem" "$DV_IMAPS" "$DV_CA" "${2:-}" >"$C"
	case "$1" in *device-endpoint*) ;; *refresh-token*) ;; *) sed -i '/device-endpoint/d' "$C" ;; esac
}
w() {
	"$DCVMAIL" -c "$C" -d "$S" watch --once >"$TEST_TMP/w.out" 2>&1; r=$?
	cat "$TEST_TMP/w.out" >>"$ALL"; cat "$TEST_TMP/w.out"; return $r
}
msgs() { sqlite3 "$S/ledger.db" "select count(*) from messages" 2>/dev/null || echo 0; }
srv() { grep -c -- "$1" "$O/log" 2>/dev/null; }
: >"$O/log"

G_REFRESH="grant refresh-token
 client-id dcvmail-test
 refresh-token-file $TEST_TMP/rt"
G_SECRET="provider microsoft
 tenant example.test
 grant client-credentials
 client-id dcvmail-test
 client-secret-file $TEST_TMP/cs"
G_CERT="provider microsoft
 tenant example.test
 grant client-credentials
 client-id dcvmail-test
 client-certificate $TEST_TMP/client.pem
 client-key $TEST_TMP/client.key"
G_JWT="provider google
 grant jwt-bearer
 service-account-file $TEST_TMP/sa.json"

# each token source: one new mail, recorded once, marked
NMSG=0
for g in ${GRANTS:-refresh secret cert jwt}; do
	case $g in
	refresh) conf "$G_REFRESH"; want="token refresh_token ok"; m=digicert-dcv-plain ;;
	secret) conf "$G_SECRET"; want="token client_credentials ok secret"; m=certum-dcv ;;
	cert) conf "$G_CERT"; want="token client_credentials ok assertion"; m=cybertrust-dcv ;;
	jwt) conf "$G_JWT"; want="token jwt-bearer ok sub=whois@example.test"; m=amazon-acm ;;
	esac
	dv_append whois@example.test "$FIX/$m.eml"
	before=$(srv "$want")
	out=$(w); rc=$?
	NMSG=$((NMSG + 1))
	check_eq "$g: watch --once exits 0" "$rc" 0 || printf "%s\n" "$out" | sed "s/^/# /"
	check_eq "$g: the token endpoint issued the token ($want)" "$(srv "$want")" $((before + 1))
	check_eq "$g: the mail is recorded" "$(msgs)" "$NMSG"
	out=$(w)
	check_eq "$g: and only once (a second pass records nothing)" "$(msgs)" "$NMSG"
done
check_contains "Dovecot logged in with XOAUTH2 and the introspected tokens" "$(cat "$DV/dovecot.log")" "method=XOAUTH2"

# rotation: the refresh grant's new refresh token replaced the file, 0600
RT1=$(cat "$TEST_TMP/rt")
check "the rotated refresh token was written back" [ "$RT1" != "$RT0" ]
check_eq "it is the one the provider now accepts" "$RT1" "$(cat "$O/refresh-token")"
check_eq "the file keeps mode 0600" "$(stat -c %a "$TEST_TMP/rt")" 600
check "no temporary file is left beside it" sh -c "! ls '$TEST_TMP'/rt.new-* 2>/dev/null"

# dcvmail oauth test: a token, then logins, with timings, no token
conf "$G_REFRESH"
out=$("$DCVMAIL" -c "$C" -d "$S" oauth test t 2>&1); rc=$?
printf '%s\n' "$out" >>"$ALL"
printf '%s\n' "$out" >"$TEST_TMP/oauth-test.out"
check_eq "oauth test exits 0" "$rc" 0
check_contains "it names the grant and endpoint" "$out" "oauth t: grant refresh-token, https://localhost:$HP/token"
check_contains "it got a new token, with its lifetime" "$out" "token: new in"
check_contains "then one from the cache" "$out" "token: from the cache in"
check_contains "it logged in with a new token" "$out" "mailbox whois: logged in as whois@example.test and opened the folder in"
check_contains "and with the cached one" "$out" "(the cached token)"
sed 's/^/# /' "$TEST_TMP/oauth-test.out"
for _ in 1 2; do # figures for the notes: login with a new and with a cached token
	"$DCVMAIL" -c "$C" -d "$S" oauth test t 2>&1 | tee -a "$ALL" | grep -E "token: new|opened the folder" | sed 's/^/# /'
done

# a revoked refresh token: a clear error naming the mailbox, nothing marked, backoff
echo "rt-someone-else" >"$O/refresh-token"
dv_append whois@example.test "$FIX/sectigo-dcv-plain.eml"
before=$(dv_state whois@example.test)
out=$(w); rc=$?
check_eq "a revoked refresh token fails the pass (75)" "$rc" 75
check_contains "naming the mailbox, the block and the provider's reason" "$out" \
	"whois: oauth 't': https://localhost:$HP/token refused: invalid_grant (AADSTS70000: the refresh token was revoked)"
check_contains "and what to do" "$out" "get a new one with: dcvmail oauth login t"
check_eq "the new mail is not recorded" "$(msgs)" "$NMSG"
check_eq "nor marked" "$(dv_state whois@example.test)" "$before"
r0=$(srv "refresh_token revoked")
# (stopped once it asked twice; at most the 4 s it always ran)
"$DCVMAIL" -c "$C" -d "$S" watch >"$TEST_TMP/retry.out" 2>&1 &
P=$!
for _ in $(seq 80); do [ $(($(srv "refresh_token revoked") - r0)) -ge 2 ] && break; sleep 0.05; done
kill "$P" 2>/dev/null; wait "$P" 2>/dev/null; P=
out=$(cat "$TEST_TMP/retry.out"); printf '%s\n' "$out" >>"$ALL"
check_contains "the watcher retries with backoff" "$out" "dcvmail oauth login t; next try in"
check "and asks again after the backoff" [ $(($(srv "refresh_token revoked") - r0)) -ge 2 ]

# dcvmail oauth login: device authorization, pending, slow_down, success
t0=$(date +%s)
out=$("$DCVMAIL" -c "$C" -d "$S" oauth login t 2>&1); rc=$?
t1=$(date +%s)
printf '%s\n' "$out" >>"$ALL"
check_eq "oauth login exits 0" "$rc" 0
check_contains "it prints where to sign in" "$out" "open  https://localhost:$HP/activate"
check_contains "and the code" "$out" "enter WDJB-MJHT"
check_contains "it waits while the sign-in is pending" "$out" "waiting for the sign-in"
check_contains "it slows down when asked (interval + 5 s)" "$out" "every 6 s now"
check "and really waited that long" [ "$(sed -n 's/.*device ok gap=\([0-9]*\).*/\1/p' "$O/log")" -ge 6 ]
check_contains "the device request asked for the block's scope" "$(cat "$O/log")" "device-authorization scope="
check_contains "it says where the refresh token went" "$out" "the refresh token is in $TEST_TMP/rt (mode 0600)"
check_eq "the stored refresh token is the one issued" "$(cat "$TEST_TMP/rt")" "$(cat "$O/refresh-token")"
check_eq "with mode 0600" "$(stat -c %a "$TEST_TMP/rt")" 600
echo "# oauth login took $((t1 - t0)) s"
out=$(w); rc=$?
check_eq "after the login watch --once works again" "$rc" 0
check_eq "the waiting mail is recorded, once" "$(msgs)" $((NMSG + 1))
NMSG=$((NMSG + 1))

# a token that expires while the watcher sits in IDLE: the next login takes a new one
echo 3 >"$O/expires-in"
conf "$G_SECRET" " idle-refresh 60
 reconnect-max 1"
: >"$TEST_TMP/watch.err"
"$DCVMAIL" -v -c "$C" -d "$S" watch >/dev/null 2>"$TEST_TMP/watch.err" &
P=$!
wait_log() { for _ in $(seq $(($1 * 10))); do [ "$(grep -c -- "$2" "$TEST_TMP/watch.err")" -ge "${3:-1}" ] && return 0; sleep 0.1; done; return 1; }
check "the watcher logs in and waits in IDLE" wait_log 10 "waiting for new mail with IDLE"
c0=$(srv "token client_credentials ok secret")
sleep 3.5
dv_down
dv_append_later() { dv_up && dv_append whois@example.test "$FIX/globalsign-dcv.eml"; }
sleep 0.5
dv_append_later
check "after the connection drops it logs in again" wait_log 15 "waiting for new mail with IDLE" 2
wait_msgs() { for _ in $(seq 200); do [ "$(msgs)" = "$1" ] && return 0; sleep 0.1; done; return 1; }
if wait_msgs $((NMSG + 1)); then ok "and the mail that came meanwhile is recorded"; else
	not_ok "and the mail that came meanwhile is recorded"; echo "# $(msgs) messages, want $((NMSG + 1))"; sed 's/^/# /' "$TEST_TMP/watch.err"; fi
check "with a new token: the expired one is not offered" [ "$(srv "token client_credentials ok secret")" -gt "$c0" ]
check_not_contains "no login was refused" "$(cat "$TEST_TMP/watch.err")" "refused the token"
ps -eo args >"$TEST_TMP/ps"
kill "$P"; wait "$P" 2>/dev/null; P=
cat "$TEST_TMP/watch.err" >>"$ALL"
NMSG=$((NMSG + 1))
check_eq "nothing is recorded twice" "$(sqlite3 "$S/ledger.db" 'select count(*) - count(distinct sha256) from messages')" 0

# no token, secret or refresh token anywhere: outputs, the state, ps
check_contains "the outputs were collected" "$(cat "$ALL")" "whois"
for f in "$ALL" "$TEST_TMP/ps"; do
	check "no client secret in $(basename "$f")" sh -c "! grep -qF '$SECRET' '$f'"
	check "no refresh token in $(basename "$f")" sh -c "! grep -qE 'dcvtest-rt-' '$f'"
	check "no access token in $(basename "$f")" sh -c "! grep -qE 'dcvtest-at-' '$f'"
done
check "no token in the state directory" sh -c "! grep -rqE 'dcvtest-(at|rt)-|$SECRET' '$S'"

# -n: the block's files
before=$(wc -l <"$O/log")
conf "$G_SECRET"
"$DCVMAIL" -c "$C" -n >/dev/null 2>&1
check_eq "-n accepts a complete block" "$?" 0
chmod 644 "$TEST_TMP/cs"
out=$("$DCVMAIL" -c "$C" -n 2>&1); rc=$?
check_eq "-n refuses a world-readable client-secret-file" "$rc" 78
check_contains "naming the block and the fix" "$out" "client-secret-file of oauth 't' $TEST_TMP/cs has mode 0644"
chmod 600 "$TEST_TMP/cs"
conf "$G_REFRESH
 refresh-token-file $TEST_TMP/no-rt"
sed -i "/refresh-token-file .*\/rt$/d" "$C"
out=$("$DCVMAIL" -c "$C" -n 2>&1); rc=$?
check_eq "-n refuses a missing refresh-token-file" "$rc" 78
check_contains "saying how to get one" "$out" "refresh-token-file of oauth 't' $TEST_TMP/no-rt: not there yet; get it with: dcvmail oauth login t"
conf "$G_JWT"
sed -i "s|$TEST_TMP/sa.json|$TEST_TMP/missing.json|" "$C"
out=$("$DCVMAIL" -c "$C" -n 2>&1); rc=$?
check_eq "-n refuses a missing service-account-file" "$rc" 78
check_contains "naming it" "$out" "service-account-file of oauth 't' $TEST_TMP/missing.json: No such file"
conf "grant client-credentials
 client-id dcvmail-test
 client-secret-file $TEST_TMP/cs"
out=$("$DCVMAIL" -c "$C" -n 2>&1); rc=$?
check_eq "-n refuses client-credentials without a scope" "$rc" 78
check_contains "saying so" "$out" "oauth 't': grant client-credentials needs a scope"
conf "$G_SECRET
 refresh-token-file $TEST_TMP/rt"
out=$("$DCVMAIL" -c "$C" -n 2>&1)
check_contains "-n refuses a setting the grant does not use" "$out" "oauth 't': refresh-token-file is not used by grant client-credentials"
sed -i 's/oauth t$/oauth nosuch/' "$C"; sed -i '/refresh-token-file/d' "$C"
out=$("$DCVMAIL" -c "$C" -n 2>&1)
check_contains "-n refuses a mailbox naming no block" "$out" "mailbox 'whois': no oauth block is called 'nosuch'"
check_eq "and none of these -n runs asked the provider" "$(wc -l <"$O/log")" "$before"
t_done
