# h-smtpauth: forwarding through a real Postfix submission port that takes
# SASL XOAUTH2 and OAUTHBEARER, with the token from the smtp block's
# token-command. Postfix asks a private Dovecot (smtpd_sasl_type dovecot),
# whose oauth2 passdb asks a local introspection endpoint
# (tests/oauth-introspect.py) about each token; TLS with a throwaway CA.
# Postfix relays the forwards to a sink (tests/smtp-server.py).
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-postfix.sh"
if [ "$(id -u)" != 0 ] || ! command -v dovecot >/dev/null || ! command -v postfix >/dev/null; then
	skip "needs root, postfix and dovecot"; exit 0
fi
USER_=dcvmail@example.test
GOOD="ya29.smtp-good-$$-c2VjcmV0LXRva2Vu"
BAD="ya29.smtp-revoked-$$-YmFkLXRva2Vu"
LONG="eyJ0eXAiOiJKV1QiLCJub25jZSI6$(head -c 1800 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d =)-$$"
# four free ports, and a wait for several at once: one python3 each (python3
# starts slowly on a loaded machine, and lib.sh's helpers start one a probe)
set -- $(python3 -c 'import socket
ss = [socket.socket() for _ in range(6)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
IP=$1; SINKP=$2; SUB=$3; NOAUTH=$4; ONLYX=$5; SASLP=$6
wait_ports() { # wait_ports SECONDS PORT...
	python3 - "$@" <<'PY'
import socket, sys, time
end = time.time() + float(sys.argv[1]); left = [int(p) for p in sys.argv[2:]]
while left and time.time() < end:
    for p in list(left):
        s = socket.socket(); s.settimeout(0.2)
        if s.connect_ex(("127.0.0.1", p)) == 0: left.remove(p)
        s.close()
    if left: time.sleep(0.05)
sys.exit(1 if left else 0)
PY
}
D=$(mktemp -d /tmp/dcvmail-sasl.XXXXXX); chmod 755 "$D"
S="$TEST_TMP/state"; FIX="$TOP/tests/corpus/ca"; C="$TEST_TMP/c.conf"; ALL="$TEST_TMP/all-output"
PIDS=
introspect() { # introspect TOKEN: (re)start the endpoint knowing TOKEN
	[ -n "${IPID:-}" ] && kill "$IPID" 2>/dev/null && wait "$IPID" 2>/dev/null
	python3 "$TOP/tests/oauth-introspect.py" "$IP" "$1" "$USER_" "$TEST_TMP/introspect.log" &
	IPID=$!
	[ -n "${2:-}" ] || wait_ports 10 "$IP"
}
cleanup() {
	for p in $PIDS ${IPID:-}; do kill "$p" 2>/dev/null; done
	[ -f "$D/dovecot.conf" ] && dovecot -c "$D/dovecot.conf" stop >/dev/null 2>&1
	[ -n "${KEEP:-}" ] && cp "$PF_LOG" "$TEST_TMP/maillog"
	pf_stop
	[ -n "${KEEP:-}" ] || rm -rf "$D"
}
trap cleanup EXIT
t0=$(date +%s)

# --- the servers ---
: >"$TEST_TMP/introspect.log"
introspect "$GOOD" later
mkdir -p "$TEST_TMP/sink"; : >"$TEST_TMP/sink.log"
python3 "$TOP/tests/smtp-server.py" "$SINKP" "$TEST_TMP/sink.log" "$TEST_TMP/sink" 2>>"$TEST_TMP/sink.err" &
PIDS="$PIDS $!"
printf 'introspection_mode = post\nintrospection_url = http://127.0.0.1:%s/introspect\nforce_introspection = yes\nusername_attribute = username\nactive_attribute = active\nactive_value = true\n' \
	"$IP" >"$D/oauth2.conf.ext"
cat >"$D/dovecot.conf" <<CONF
base_dir = $D/run
log_path = $D/dovecot.log
protocols = none
ssl = no
auth_mechanisms = xoauth2 oauthbearer
auth_failure_delay = 0
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $D/oauth2.conf.ext
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
# no growing penalty for failed logins from 127.0.0.1, which would make the
# refused-token cases slow (Postfix gives up on Dovecot after some seconds)
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
CONF
if ! dovecot -c "$D/dovecot.conf"; then
	sed 's/^/# /' "$D/dovecot.log" 2>/dev/null; not_ok "a private Dovecot SASL service starts"; exit 1
fi
tls_cert "$TEST_TMP" mx
if ! pf_start; then not_ok "a private Postfix starts"; exit 1; fi
# the submission port: TLS required, AUTH only inside it, by Dovecot, and
# only authenticated clients may relay; a second port offers no AUTH at all,
# a third only XOAUTH2
cat >>"$PF/conf/master.cf" <<CONF
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
$SUB      inet  n       -       n       -       -       smtpd
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_cert_file=$TEST_TMP/mx.pem
  -o smtpd_tls_key_file=$TEST_TMP/mx.key
  -o smtpd_tls_auth_only=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_type=dovecot
  -o smtpd_sasl_path=$D/run/auth-postfix
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
$ONLYX    inet  n       -       n       -       -       smtpd
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_cert_file=$TEST_TMP/mx.pem
  -o smtpd_tls_key_file=$TEST_TMP/mx.key
  -o smtpd_tls_auth_only=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_type=dovecot
  -o smtpd_sasl_path=$D/run/auth-postfix
  -o smtpd_sasl_mechanism_filter=xoauth2
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
$NOAUTH   inet  n       -       n       -       -       smtpd
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_cert_file=$TEST_TMP/mx.pem
  -o smtpd_tls_key_file=$TEST_TMP/mx.key
CONF
postconf -c "$PF/conf" -e "transport_maps = inline:{sink.test=smtp:[127.0.0.1]:$SINKP}" "smtp_tls_security_level = none"
postfix -c "$PF/conf" reload >/dev/null 2>&1
if wait_ports 20 "$SUB" "$ONLYX" "$NOAUTH" "$SINKP" "$IP"; then ok "Postfix submission with Dovecot SASL (XOAUTH2, OAUTHBEARER) starts"; else
	not_ok "Postfix submission with Dovecot SASL starts"; sed 's/^/# /' "$PF_LOG"; exit 1; fi
sleep 0.3; : >"$TEST_TMP/sink.log"
echo "# servers up after $(($(date +%s) - t0)) s"

# token programs: a fixed token; a revoked one first, then the good one
mk() { printf '#!/bin/sh\necho x >>%s\n%s\n' "$TEST_TMP/calls" "$2" >"$TEST_TMP/$1"; chmod 755 "$TEST_TMP/$1"; }
mk tok-good "echo '$GOOD'"
mk tok-bad "echo '$BAD'"
mk tok-long "echo '$LONG'"
mk tok-expired "if [ \$(wc -l <$TEST_TMP/calls) -eq 1 ]; then echo '$BAD'; else echo '$GOOD'; fi"
mk tok-hang "sleep 60 & echo \$! >$TEST_TMP/hang.pid; wait"
conf() { # conf TOKEN-PROGRAM [PORT]
	cat >"$C" <<CONF
syslog no
pending-alert-mail no
digest off
role constructed admin@
smtp {
  url submission://localhost:${2:-$SUB}
  from $USER_
  user ${U:-$USER_}
  auth ${AUTH:-xoauth2}
  token-command $1 --for smtp
  require-tls yes
  ca-file $TEST_TMP/mx-ca.pem
  timeout ${TMO:-10}
}
route default {
  forward ops@sink.test
}
CONF
}
dcv() { "$DCVMAIL" -c "$C" -d "$S" "$@"; }
# forward FIXTURE: a DCV mail through the pipe, which forwards it at once
forward() { : >"$TEST_TMP/calls"; dcv -v pipe -r admin@example.com <"$FIX/$1" 2>&1 | tee -a "$ALL"; }
q() { sqlite3 "$S/ledger.db" "$1"; }
mails() { ls "$TEST_TMP/sink"/*.eml 2>/dev/null | wc -l; }
calls() { wc -l <"$TEST_TMP/calls"; }
sent() { grep -c "relay=127.0.0.1\[127.0.0.1\]:$SINKP.*status=sent" "$PF_LOG"; }
# watch the process list while dcvmail runs: no token may show in it
# (until told to stop, and waited for: a last ps still running after a kill
# would list the greps below, which carry the tokens)
(while [ ! -e "$TEST_TMP/ps.stop" ]; do ps -eo args; sleep 0.25; done >"$TEST_TMP/ps.log" 2>/dev/null) &
PSPID=$!; PIDS="$PIDS $PSPID"

# --- dcvmail -n ---
conf "$TEST_TMP/tok-good"
out=$("$DCVMAIL" -c "$C" -n 2>&1); rc=$?
check_eq "-n accepts smtp auth xoauth2 with a token-command" "$rc" 0
out=$("$DCVMAIL" -c "$C" -n -v 2>&1)
check_contains "-n -v shows the smtp auth" "$out" "    auth xoauth2"
check_contains "and its token-command" "$out" "    token-command $TEST_TMP/tok-good --for smtp"
sed -i '/token-command/d' "$C"
out=$("$DCVMAIL" -c "$C" -n 2>&1); rc=$?
check_eq "-n refuses auth xoauth2 without a token-command" "$rc" 78
check_contains "naming the smtp block's line" "$out" "$C:5: smtp block: auth xoauth2 needs an oauth block or a token-command"
conf "$TEST_TMP/no-such-program"
out=$("$DCVMAIL" -c "$C" -n 2>&1); rc=$?
check_eq "-n refuses an smtp token-command that does not exist" "$rc" 78
check_contains "naming the token-command's line and the program" "$out" "$C:10: token-command of the smtp block: $TEST_TMP/no-such-program: No such file"
conf "$TEST_TMP/tok-good" && sed -i "s|^  user .*|  password-file $TEST_TMP/c.conf|" "$C"
out=$("$DCVMAIL" -c "$C" -n 2>&1)
check_contains "OAuth takes no password-file" "$out" "smtp block: OAuth (auth xoauth2) takes no password-file"
check_contains "and needs the user the token is for" "$out" "smtp block: auth xoauth2 needs a user"
conf "$TEST_TMP/tok-good" && sed -i "s|^  auth .*|  auth bearer|" "$C"
check_contains "an unknown auth is named" "$("$DCVMAIL" -c "$C" -n 2>&1)" "unknown auth 'bearer' (password, xoauth2, oauthbearer)"

# --- XOAUTH2, accepted ---
conf "$TEST_TMP/tok-good"
out=$(forward digicert-dcv-plain.eml)
pf_wait_log "status=sent" 1 10
check_eq "XOAUTH2: the forward is relayed by Postfix (status=sent)" "$(sent)" 1
check_eq "and arrives, once" "$(mails)" 1
check_contains "Postfix authenticated it with XOAUTH2 as the smtp user" "$(cat "$PF_LOG")" "sasl_method=XOAUTH2, sasl_username=$USER_"
check_eq "the token was asked for once" "$(calls)" 1
check_eq "the request is forwarded" "$(q "select state from requests order by id desc limit 1")" forwarded
check_eq "the outbox row is done" "$(q "select done, ok from outbox order by id desc limit 1")" "1|1"

# --- OAUTHBEARER, accepted ---
AUTH=oauthbearer conf "$TEST_TMP/tok-good"
out=$(forward sectigo-dcv-plain.eml)
pf_wait_log "status=sent" 2 10
check_eq "OAUTHBEARER: the forward is relayed (status=sent)" "$(sent)" 2
check_contains "Postfix authenticated it with OAUTHBEARER" "$(cat "$PF_LOG")" "sasl_method=OAUTHBEARER, sasl_username=$USER_"
check_eq "and it arrives" "$(mails)" 2

# --- auth oauthbearer where only XOAUTH2 is offered: XOAUTH2, as for a mailbox ---
x0=$(grep -c "sasl_method=XOAUTH2" "$PF_LOG"); s0=$(sent)
AUTH=oauthbearer conf "$TEST_TMP/tok-good" "$ONLYX"
out=$(forward sectigo-dcv-idn.eml)
pf_wait_log "status=sent" $((s0 + 1)) 10
check_eq "auth oauthbearer on a server offering only XOAUTH2: relayed" "$(sent)" $((s0 + 1))
check_eq "after logging in with XOAUTH2" "$(grep -c "sasl_method=XOAUTH2" "$PF_LOG")" $((x0 + 1))

# --- a token of Microsoft's size: the response goes after AUTH's 334, not on its line ---
introspect "$LONG"
conf "$TEST_TMP/tok-long"
out=$(forward globalsign-dcv.eml)
pf_wait_log "status=sent" 4 10
check_eq "a ${#LONG}-character token (XOAUTH2) is accepted and the forward relayed" "$(sent)" 4
AUTH=oauthbearer conf "$TEST_TMP/tok-long"
out=$(forward cybertrust-dcv.eml)
pf_wait_log "status=sent" 5 10
check_eq "and with OAUTHBEARER" "$(sent)" 5
introspect "$GOOD"

# --- an expired token, then a fresh one: one retry, delivered once ---
for mech in xoauth2 oauthbearer; do
	m0=$(mails); s0=$(sent); f0=$(grep -c "authentication failed" "$PF_LOG")
	case $mech in xoauth2) fx=godaddy-dcv.eml ;; *) fx=sslcom-dcv.eml ;; esac
	AUTH=$mech conf "$TEST_TMP/tok-expired"
	out=$(forward $fx)
	pf_wait_log "status=sent" $((s0 + 1)) 10
	check_contains "$mech: a refused token is replaced by a fresh one, said so" "$out" "refused the token"
	check_contains "$mech: and the login with it succeeds" "$out" "logged in with a fresh token"
	check_eq "$mech: the token-command ran twice" "$(calls)" 2
	check_eq "$mech: Postfix refused one login" "$(grep -c "authentication failed" "$PF_LOG")" $((f0 + 1))
	check_eq "$mech: the forward arrives once" "$(mails)" $((m0 + 1))
	check_eq "$mech: the outbox row is done" "$(q "select done, ok, attempts from outbox order by id desc limit 1")" "1|1|1"
done

# --- a token always refused: queued with the server's reason, retried later ---
m0=$(mails)
conf "$TEST_TMP/tok-bad"
out=$(forward certum-dcv.eml); rc=$?
check_eq "with a revoked token the pipe still exits 0 (the forward is queued)" "$rc" 0
check_eq "the token-command ran twice (a fresh token, refused too)" "$(calls)" 2
row=$(q "select done, attempts, next_try > strftime('%s','now') from outbox order by id desc limit 1")
check_eq "the forward stays queued for a later try" "$row" "0|1|1"
err=$(q "select last_error from outbox order by id desc limit 1")
check_contains "with the server's reason" "$err" "localhost refused the XOAUTH2 login of $USER_: 535 5.7.8 Error: authentication failed"
check_contains "and the error challenge's JSON" "$err" '(error challenge {"status":"401","schemes":"bearer"'
check_eq "nothing arrives" "$(mails)" "$m0"
check "the request is not forwarded" [ "$(q "select state from requests order by id desc limit 1")" != forwarded ]
q "update outbox set next_try = 0"
: >"$TEST_TMP/calls"
out=$(dcv outbox 2>&1); echo "$out" >>"$ALL"
check_contains "the outbox retries it, refused again" "$out" "forward will retry: localhost refused the XOAUTH2 login"
check_eq "a second try, queued again" "$(q "select done, attempts from outbox order by id desc limit 1")" "0|2"
conf "$TEST_TMP/tok-good"
q "update outbox set next_try = 0"
s0=$(sent)
: >"$TEST_TMP/calls"
out=$(dcv outbox 2>&1); echo "$out" >>"$ALL"
pf_wait_log "status=sent" $((s0 + 1)) 10
check_eq "once the token is good again the retry delivers it" "$(mails)" $((m0 + 1))
check_eq "the outbox row is done" "$(q "select done, ok from outbox order by id desc limit 1")" "1|1"
check_eq "the request is forwarded" "$(q "select state from requests order by id desc limit 1")" forwarded
q "update outbox set next_try = 0"
dcv outbox >>"$ALL" 2>&1
sleep 0.5
check_eq "and another outbox run sends nothing more" "$(mails)" $((m0 + 1))

# --- a token-command that hangs: killed after the smtp timeout, queued ---
m0=$(mails)
TMO=2 conf "$TEST_TMP/tok-hang"
t1=$(date +%s)
out=$(forward amazon-acm-htmlb64.eml)
t2=$(date +%s)
check "a hanging token-command is given up after the timeout ($((t2 - t1)) s)" sh -c "[ $((t2 - t1)) -ge 2 ] && [ $((t2 - t1)) -le 8 ]"
check_contains "the error says so" "$(q "select last_error from outbox order by id desc limit 1")" "smtp token-command $TEST_TMP/tok-hang: no token within 2 s: killed"
check_eq "the forward stays queued" "$(q "select done, attempts from outbox order by id desc limit 1")" "0|1"
sleep 0.2
gone() { [ ! -r "/proc/$1/stat" ] || grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }
check "what the token-command started is killed too" gone "$(cat "$TEST_TMP/hang.pid")"
check_eq "nothing was sent" "$(mails)" "$m0"

# --- a server that offers no OAuth mechanism ---
conf "$TEST_TMP/tok-good" "$NOAUTH"
out=$(forward jprs-dcv.eml)
check_contains "a server without AUTH XOAUTH2 or OAUTHBEARER: a clear error" "$(q "select last_error from outbox order by id desc limit 1")" "localhost offers neither AUTH XOAUTH2 nor AUTH OAUTHBEARER"
check_eq "and no token is asked for" "$(calls)" 0

# --- the SASL exchange byte for byte (tests/smtp-server.py), with a user
# holding ',' and '=' (escaped in OAUTHBEARER's gs2 header), and a hostile
# server that quotes the token it was sent in its 535 ---
UX="dcv,ops=x@example.test"
mkdir -p "$TEST_TMP/sasl"; : >"$TEST_TMP/sasl.log"
python3 "$TOP/tests/smtp-server.py" "$SASLP" "$TEST_TMP/sasl.log" "$TEST_TMP/sasl" --cert "$TEST_TMP/mx.pem" \
	--key "$TEST_TMP/mx.key" --user "$UX" --oauth-token "$GOOD" --echo-token 2>>"$TEST_TMP/sasl.err" &
PIDS="$PIDS $!"
wait_ports 10 "$SASLP"; sleep 0.2; : >"$TEST_TMP/sasl.log"
sasl_log() { grep "^AUTH\|^ERROR" "$TEST_TMP/sasl.log"; }
U=$UX conf "$TEST_TMP/tok-good" "$SASLP"
out=$(forward digicert-dcv-wildcard.eml)
check_eq "XOAUTH2's initial response, byte for byte, on the AUTH line, inside TLS" "$(sasl_log)" \
	"AUTH XOAUTH2 ir=yes len=$(printf 'user=%s\001auth=Bearer %s\001\001' "$UX" "$GOOD" | base64 -w0 | wc -c) user=$UX^Aauth=Bearer <token>^A^A tls=True"
check_eq "and the forward is delivered" "$(ls "$TEST_TMP/sasl"/*.eml 2>/dev/null | wc -l)" 1
: >"$TEST_TMP/sasl.log"
AUTH=oauthbearer U=$UX conf "$TEST_TMP/tok-good" "$SASLP"
out=$(forward sectigo-dcv-wildcard.eml)
check_eq "OAUTHBEARER's (RFC 7628), with ',' and '=' of the user escaped" "$(sasl_log | cut -d' ' -f1-3,5-)" \
	"AUTH OAUTHBEARER ir=yes n,a=dcv=2Cops=3Dx@example.test,^Aauth=Bearer <token>^A^A tls=True"
: >"$TEST_TMP/sasl.log"
U=$UX conf "$TEST_TMP/tok-long" "$SASLP"
out=$(forward globalsign-dcv-alphassl.eml)
check_contains "a long token: AUTH XOAUTH2 alone, the response after the 334" "$(sasl_log)" \
	"AUTH XOAUTH2 ir=no len=0 user=$UX^Aauth=Bearer "
check_contains "XOAUTH2's error challenge is answered with an empty line" "$(sasl_log)" "ERROR-CHALLENGE answer []"
err=$(q "select last_error from outbox order by id desc limit 1")
check_contains "a 535 that quotes the token is not repeated" "$err" "(its answer quoted the token, so it is not shown)"
check_not_contains "the token is not in the error" "$err" "$LONG"
: >"$TEST_TMP/sasl.log"
AUTH=oauthbearer U=$UX conf "$TEST_TMP/tok-bad" "$SASLP"
out=$(forward godaddy-dcv-starfield.eml)
check_eq "OAUTHBEARER's error challenge is answered with %x01, once per token" "$(sasl_log | grep -c 'ERROR-CHALLENGE answer \[AQ==\]')" 2
err=$(q "select last_error from outbox order by id desc limit 1")
check_contains "the answer that quoted the token is withheld" "$err" '(its answer quoted the token, so it is not shown)'
check_not_contains "never the token" "$err" "$BAD"

# --- a named oauth block (client-credentials grant) as the smtp block's
# token source: tests/oauth-server.py is the HTTPS token endpoint and takes
# over Dovecot's introspection port; the token is asked for once and cached
O="$TEST_TMP/provider"; mkdir -p "$O"; tls_cert "$O" server
OHP=$(free_port)
SECRET="cs-$$-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
(umask 077; printf '%s' "$SECRET" >"$O/client-secret"; printf '%s\n' "$SECRET" >"$TEST_TMP/cs")
kill "$IPID" 2>/dev/null; wait "$IPID" 2>/dev/null; IPID=
python3 "$TOP/tests/oauth-server.py" "$O" "$OHP" "$IP" 2>"$TEST_TMP/oauth-server.err" &
IPID=$!
wait_ports 10 "$OHP" "$IP"
: >"$O/log"
cat >"$C" <<CONF
syslog no
pending-alert-mail no
digest off
role constructed admin@
oauth m365 {
  grant client-credentials
  token-endpoint https://localhost:$OHP/token
  client-id dcvmail-test
  client-secret-file $TEST_TMP/cs
  scope https://outlook.office365.com/.default
  ca-file $O/server-ca.pem
}
smtp {
  url submission://localhost:$SUB
  from whois@example.test
  user whois@example.test
  oauth m365
  require-tls yes
  ca-file $TEST_TMP/mx-ca.pem
}
route default {
  forward ops@sink.test
}
CONF
out=$("$DCVMAIL" -c "$C" -n 2>&1); rc=$?
check_eq "-n accepts an smtp block naming an oauth block (auth xoauth2 implied)" "$rc" 0
s0=$(sent)
: >"$TEST_TMP/calls"
for f in certum-dcv.eml cybertrust-dcv.eml; do
	"$DCVMAIL" -c "$C" -d "$TEST_TMP/state-oauth" -v pipe -r admin@example.com <"$FIX/$f" >>"$ALL" 2>&1
done
pf_wait_log "status=sent" $((s0 + 2)) 15
check_eq "forwards through the oauth block's client-credentials token: both relayed (status=sent)" "$(($(sent) - s0))" 2
check_eq "the token endpoint gave one token to each of the two pipe processes" "$(grep -c 'client_credentials ok' "$O/log")" 2
out=$("$DCVMAIL" -c "$C" -d "$TEST_TMP/state-oauth" oauth test m365 2>&1); rc=$?
printf '%s\n' "$out" >>"$ALL"
check_eq "oauth test of the smtp block's oauth block exits 0" "$rc" 0
check_contains "and logs in to the submission server without sending" "$out" "smtp submission://localhost:$SUB: logged in as whois@example.test in"
check_eq "with nothing relayed by that login" "$(($(sent) - s0))" 2
sed -i 's|^  oauth m365|  oauth nosuch|' "$C"
check_contains "an unknown oauth block is named" "$("$DCVMAIL" -c "$C" -n 2>&1)" "smtp block: no oauth block is called 'nosuch'"
sed -i 's|^  oauth nosuch|  oauth m365\n  token-command /bin/true|' "$C"
check_contains "oauth and token-command exclude each other" "$("$DCVMAIL" -c "$C" -n 2>&1)" "smtp block: oauth and token-command exclude each other"

# --- no token anywhere ---
: >"$TEST_TMP/ps.stop"; wait "$PSPID" 2>/dev/null
cat "$S"/ledger.db* "$TEST_TMP"/state-oauth/ledger.db* >"$TEST_TMP/ledger.bytes" 2>/dev/null
leaks=
for t in "$GOOD" "$BAD" "$LONG" "$SECRET"; do
	for f in "$ALL" "$PF_LOG" "$D/dovecot.log" "$TEST_TMP/sink.log" "$TEST_TMP/sasl.log" "$TEST_TMP/ps.log" "$TEST_TMP/ledger.bytes"; do
		# the introspection endpoint and the test server stand for the
		# provider: they have the good token in their argv
		grep -av -e oauth-introspect.py -e smtp-server.py -e oauth-server.py "$f" | grep -qaF -- "$t" && leaks="$leaks $f"
	done
done
check_eq "no token in dcvmail's output, Postfix's and Dovecot's logs, the ledger (outbox rows, attempts)" "$leaks" ""
check "nor in the process list, watched all along ($(grep -c dcvmail "$TEST_TMP/ps.log") dcvmail lines seen)" \
	[ "$(grep -c dcvmail "$TEST_TMP/ps.log")" -gt 0 ]
echo "# smtp-oauth: $(($(date +%s) - t0)) s"
t_done
