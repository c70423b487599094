# `dcvmail watch` on a PostgreSQL ledger (issue 18), against a real Dovecot
# and a local HTTPS CA site and webhook receiver: the database stopped while
# a watcher reads new mail (nothing is marked in the mailbox before its record
# is committed; the watcher retries with backoff, reconnects and catches up,
# each message once); two watchers of two "hosts" (two configs and state
# directories, one database) draining one outbox, one killed with kill -9 in
# the middle of an approval (nothing lost, no action twice, the approval ends
# "needs a person").
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-postgres.sh"
. "$TOP/tests/lib-dovecot.sh"
pg_have || { skip "no PostgreSQL server binaries (Debian: postgresql)"; exit 0; }
if [ "$(id -u)" != 0 ] || ! command -v dovecot >/dev/null; then skip "needs root and dovecot"; exit 0; fi
HTTPS_PIDS= PA= PB=
trap 'for p in $HTTPS_PIDS $PA $PB; do kill -9 $p 2>/dev/null; done; dv_stop; pg_stop' EXIT
pg_start || { not_ok "a private PostgreSQL starts"; exit 1; }
dv_start || { not_ok "a private Dovecot starts"; exit 1; }
printf 'secret\n' >"$TEST_TMP/pw"; chmod 600 "$TEST_TMP/pw"
printf 'k3y-for-the-test\n' >"$TEST_TMP/notify.secret"; chmod 600 "$TEST_TMP/notify.secret"
AR="$TEST_TMP/rules"; mkdir -p "$AR"; cp -r "$TOP"/rules/. "$AR"; testca_rules "$AR"
export DCVMAIL_RULES_DIR="$AR"
HP=$(free_port) CAP=$(free_port)
tls_cert "$TEST_TMP" site

# the fleet's configuration: the same on both hosts but for the host name;
# both watchers watch both mailboxes (one or more watchers per mailbox)
for h in a b; do
	{
		cat <<CONF
syslog no
hostname mx-$h.example.com
ledger "$PG_URL"
https-ca-file $TEST_TMP/site-ca.pem
notify-secret-file $TEST_TMP/notify.secret
notify-timeout 30
approve-timeout 60
pipe-server yes
route {
  type dcv
  approve
  notify https://localhost:$HP/hooks/dcv
}
auto-approve testca
CONF
		for u in whois approver; do
			printf 'mailbox %s {\n url imaps://localhost:%s/INBOX\n user %s@example.test\n password-file %s\n' \
				"$u" "$DV_IMAPS" "$u" "$TEST_TMP/pw"
			printf ' role %s\n ca-file %s\n reconnect-max 1\n trust-authserv-id mx.example.test\n}\n' "$u" "$DV_CA"
		done
	} >"$TEST_TMP/$h.conf"
done
dcv() { h=$1; shift; "$DCVMAIL" -c "$TEST_TMP/$h.conf" -d "$TEST_TMP/state-$h" "$@"; }
start() { # HOST: a watcher in the background, its pid in PA or PB
	"$DCVMAIL" -c "$TEST_TMP/$1.conf" -d "$TEST_TMP/state-$1" -v watch >>"$TEST_TMP/$1.out" 2>>"$TEST_TMP/$1.err" &
	if [ "$1" = a ]; then PA=$!; else PB=$!; fi
}
wait_sql() { # SECONDS SQL VALUE: until the query answers VALUE
	n=$(($1 * 10))
	while [ $n -gt 0 ]; do [ "$(pg_sql "$2" 2>/dev/null)" = "$3" ] && return 0; sleep 0.1; n=$((n - 1)); done
	[ "$(pg_sql "$2" 2>/dev/null)" = "$3" ]
}
wait_log() { # SECONDS HOST PATTERN [COUNT]: until the host's log has COUNT lines with PATTERN
	n=$(($1 * 10))
	while [ $n -gt 0 ]; do
		[ "$(grep -c -- "$3" "$TEST_TMP/$2.err" 2>/dev/null)" -ge "${4:-1}" ] && return 0
		sleep 0.1; n=$((n - 1))
	done
	return 1
}
# mails DIR PREFIX ORDERS COPIES: DigiCert requests, COPIES distinct copies each
mails() {
	mkdir -p "$1"
	python3 - "$@" <<'PY'
import sys
d, p, orders, copies = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for o in range(orders):
    for c in range(copies):
        with open("%s/%s-%02d-%d.eml" % (d, p, o, c), "w") as f:
            f.write("Authentication-Results: mx.example.test; dkim=pass header.d=digitalcertvalidation.com\n"
                    "From: DigiCert <no-reply@digitalcertvalidation.com>\nTo: admin@example.com\n"
                    "Subject: [Action Required] Approve Certificate Request for %s%d.example.com {%d}\n"
                    "Message-ID: <%s-%d-%d@t>\n\nApprove https://www.digicert.com/link/approve?t=%s%d-%d\n\n"
                    % (p, o, 9600000 + o + {"one": 0, "two": 1000, "three": 2000, "four": 3000}[p], p, o, c, p, o, c))
PY
}
# put USER FILE...: APPEND the files over one IMAP session
put() {
	python3 - "$DV_IMAPS" "$DV_CA" "$@" <<'PY'
import imaplib, ssl, sys
c = imaplib.IMAP4_SSL("localhost", int(sys.argv[1]), ssl_context=ssl.create_default_context(cafile=sys.argv[2]))
c.login(sys.argv[3], "secret")
for p in sys.argv[4:]:
    c.append("INBOX", None, None, open(p, "rb").read())
c.logout()
PY
}
marked() { dv_state "$1" | grep -c 'Dcvmail'; }
wait_marked() { # USER COUNT: until COUNT messages carry the keyword (5 s)
	n=25; while [ "$(marked "$1")" -lt "$2" ] && [ $n -gt 0 ]; do sleep 0.2; n=$((n - 1)); done
	[ "$(marked "$1")" -eq "$2" ]
}

https_start hook "$HP" site
# --- the database stopped while watching
mails "$TEST_TMP/one" one 5 2
start a
check "watcher a connects" wait_log 10 a "connected; waiting" 2
put whois@example.test "$TEST_TMP"/one/one-0[01]-*.eml
check "mail arriving while watching is recorded in PostgreSQL" wait_sql 10 "select count(*) from messages" 4
check "and marked in the mailbox once recorded" wait_marked whois@example.test 4
pg_halt
put whois@example.test "$TEST_TMP"/one/one-0[23]-*.eml
check "the database down: the watcher says why and retries" wait_log 15 a "port $PG_PORT failed: Connection refused.*; next try in"
check "with backoff (two tries logged)" wait_log 10 a "next try in" 2
check_eq "nothing read meanwhile is marked in the mailbox" "$(marked whois@example.test)" 4
check "the watcher keeps running" kill -0 "$PA"
check_eq "no local ledger appears as a fallback" "$(ls "$TEST_TMP/state-a" | grep -c ledger.db)" 0
pg_resume
check "after the restart it reconnects and catches up" wait_sql 20 "select count(*) from messages" 8
check_eq "every message once" "$(pg_sql "select count(distinct sha256) from messages")/$(pg_sql "select count(*), sum(copies) from requests")" "8/4|8"
check "and then marked, all of them" wait_marked whois@example.test 8
# the MX host's deliveries through dcvmail-pipe to this watcher: deferred while the database is down
pipe() { "$(dirname "$DCVMAIL")/dcvmail-pipe" -c "$TEST_TMP/a.conf" -d "$TEST_TMP/state-a" -r admin@example.com \
	<"$TEST_TMP/one/one-04-0.eml" 2>&1; }
pg_halt
out=$(pipe); rc=$?
check_eq "database down: a delivery through the watcher's pipe-server defers (75)" "$rc" 75
check_contains "saying why" "$out" "4.3.0 dcvmail could not record the message"
pg_resume
out=$(pipe); rc=$?
check_eq "after the restart the redelivery is recorded, once" \
	"$rc:$(pg_sql "select count(*) from messages where subject like '%one4.%'")" "0:1"

# --- two watchers draining one outbox; one is killed in the middle of an approval
careqs() { grep -cF "\"method\": \"$1\", \"path\": \"/approve?order=$2&" "$TEST_TMP/ca.log" 2>/dev/null || true; }
echo '{"GET /approve": {"body": "<form>order code</form>", "set_cookie": "sid=s1; Path=/", "delay": 30},
 "POST /approve": {"body": "<p>Thank you: the domain is validated.</p>"}}' >"$TEST_TMP/ca.routes"
https_start ca "$CAP" site
start b
check "watcher b connects" wait_log 10 b "connected; waiting" 2
dcv a expect add --ca testca --domain www.example.com --order 601 --until +7d >/dev/null
cat >"$TEST_TMP/ap.eml" <<MAIL
Authentication-Results: mx.example.test; dkim=pass header.d=ca.test
From: Test CA Validation <validation@ca.test>
To: admin@www.example.com
Subject: Approve the certificate for www.example.com (order 601)
Message-ID: <ap601@ca.test>
Date: Wed, 25 Nov 2026 09:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Someone ordered a certificate for www.example.com. Your code: ABCDEF123456
Approve: https://localhost:$CAP/approve?order=601&t=tok601
Reject: https://localhost:$CAP/reject?order=601&t=tok601
MAIL
sed 's/<ap601@/<ap601.2@/' "$TEST_TMP/ap.eml" >"$TEST_TMP/ap2.eml" # its copy to another address
# the same request's copies reach both hosts; so do the approval mail's
mails "$TEST_TMP/two" two 10 2
put whois@example.test "$TEST_TMP/ap.eml" "$TEST_TMP"/two/two-0[0-4]-0.eml "$TEST_TMP"/two/two-0[5-9]-1.eml &
put approver@example.test "$TEST_TMP/ap2.eml" "$TEST_TMP"/two/two-0[0-4]-1.eml "$TEST_TMP"/two/two-0[5-9]-0.eml
wait $!
n=0; while [ "$(careqs GET 601)" -lt 1 ] && [ $n -lt 150 ]; do sleep 0.1; n=$((n + 1)); done
row=$(pg_sql "select pid, host from approval_attempts where outcome = 'approving'")
pid=${row%%|*}
check_eq "one watcher is in the middle of the approval (the CA has its GET)" "$(careqs GET 601):${pid:+pid}" "1:pid"
if [ "$pid" = "$PA" ]; then killed=a live=b; else killed=b live=a; fi
if [ -z "$pid" ] || { [ "$pid" != "$PA" ] && [ "$pid" != "$PB" ]; }; then
	not_ok "the approval is run by one of the two watchers (pid '$pid')"; exit 1; fi
# the killed host is another machine: the survivor can learn nothing from its pid, only the lease tells
pg_sql "update approval_attempts set host = 'mx-$killed.elsewhere' where outcome = 'approving'" >/dev/null
kill -9 "$pid"; wait "$pid" 2>/dev/null; ok "watcher $killed is killed with kill -9 in the middle of the approval"
if [ "$killed" = a ]; then PA=; else PB=; fi
# while the dead host's approval lease runs, the survivor claims the outbox row and sends nothing
id=$(pg_sql "select id from requests where order_id = '601'")
leased="update outbox set lease_until = 0, next_try = 0 where done = 0 and kind = 'approve' and request_id = $id"
pg_sql "$leased" >/dev/null
mails "$TEST_TMP/three" three 4 1
nb=$(grep -c "new message" "$TEST_TMP/$live.err")
put whois@example.test "$TEST_TMP/three/three-00-0.eml"
check "the survivor reads new mail and runs its outbox" wait_log 10 $live "new message" $((nb + 1))
check "and tries the approval again later" wait_sql 10 "select attempts > 0 from outbox where kind = 'approve' and request_id = $id" t
check_eq "while the lease runs: no second request at the CA, the approval is still running" \
	"$(careqs GET 601):$(careqs POST 601):$(pg_sql "select r.state, r.copies, a.outcome from requests r join approval_attempts a on a.request_id = r.id where r.id = $id")" "1:0:pending|2|approving"
# the lease runs out: the next outbox run leaves the request to a person
pg_sql "update approval_attempts set lease_until = extract(epoch from now())::bigint - 1 where outcome = 'approving'" >/dev/null
pg_sql "$leased" >/dev/null
put approver@example.test "$TEST_TMP/three/three-01-0.eml"
check "after the lease the request needs a person" wait_sql 15 "select state_note from requests where id = $id" \
	"needs a person: an approval was interrupted, check the CA's portal"
check_eq "never a second attempt at the CA" "$(careqs GET 601):$(careqs POST 601)" "1:0"
check_eq "the attempt is interrupted, there was one" \
	"$(pg_sql "select count(*), min(outcome) from approval_attempts where request_id = $id")" "1|interrupted"
# mail keeps coming while a host is down: the survivor records it; the dead host comes back
put whois@example.test "$TEST_TMP/three/three-02-0.eml"
put approver@example.test "$TEST_TMP/three/three-03-0.eml"
check "while a host is down, nothing is lost: the other records all mail" wait_sql 20 \
	"select count(*) from messages where subject like '%three%'" 4
start $killed
check "the killed host restarts and connects" wait_log 10 $killed "connected; waiting" 4
check "the outbox drains: every action done" wait_sql 20 "select count(*) from outbox where done = 0" 0
check_eq "every message recorded once (9 + 2 + 20 + 4)" \
	"$(pg_sql "select count(*), count(distinct sha256) from messages")" "35|35"
check_eq "every request once with its copies" \
	"$(pg_sql "select count(*), sum(copies) from requests")" "20|35"
all_marked() { wait_marked whois@example.test 21 && wait_marked approver@example.test 13; }
check "all mail is marked in both mailboxes" all_marked
hooks() { python3 -c '
import json, sys
seen = {}
for l in open(sys.argv[1]):
    e = json.loads(l)
    b = json.loads(e["body"])
    seen.setdefault((b["request"], b["state_note"]), set()).add(e["headers"].get("x-dcvmail-delivery"))
print(len(set(r for r, _ in seen)), len(seen), sum(1 for d in seen.values() if len(d) > 1))' "$TEST_TMP/hook.log"; }
check_eq "each request's webhook once, and one when the approval was left to a person; none twice" \
	"$(hooks)" "20 21 0"
check_eq "the webhooks were acknowledged" "$(pg_sql "select count(*), sum(ok) from outbox where kind = 'notify'")" "21|21"
check "both watchers still run" kill -0 "${PA:-0}" "${PB:-0}"
# the database stops while a webhook is on its way (the receiver holds its
# answer 4 s): the watcher that sent it records the result once the
# database is back, at its next outbox run, not when the claim's 5-minute
# lease ends, and the webhook is not sent again
mails "$TEST_TMP/four" four 2 1
hooked() { grep -c "four$1.example.com" "$TEST_TMP/hook.log"; }
echo '{"/hooks/dcv": {"delay": 4}}' >"$TEST_TMP/hook.routes"
na=$(wc -l <"$TEST_TMP/hook.log.answered")
put whois@example.test "$TEST_TMP/four/four-00-0.eml"
n=0; while [ "$(hooked 0)" -lt 1 ] && [ $n -lt 200 ]; do sleep 0.1; n=$((n + 1)); done
pg_halt
n=0; while [ "$(wc -l <"$TEST_TMP/hook.log.answered")" -le "$na" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
echo '{}' >"$TEST_TMP/hook.routes"
sleep 1 # the sender finds the database gone
check_eq "the webhook was sent and answered while the database was down" \
	"$(hooked 0):$(($(wc -l <"$TEST_TMP/hook.log.answered") - na))" "1:1"
pg_resume
put whois@example.test "$TEST_TMP/four/four-01-0.eml" # new mail: an outbox run
check "with the database back, its result is recorded at the next outbox run" wait_sql 20 \
	"select done, ok from outbox o join requests r on r.id = o.request_id where o.kind = 'notify' and r.order_id = '9603000'" "1|1"
check_contains "and the log says so" "$(cat "$TEST_TMP/a.err" "$TEST_TMP/b.err")" "notify result recorded, the ledger back"
check_eq "the webhook was sent once" "$(hooked 0)" 1
# a host whose configuration lacks the mailbox blocks cannot judge the mail they read, and says why
printf 'syslog no\nledger "%s"\ntrust-authserv-id mx.example.test\n' "$PG_URL" >"$TEST_TMP/c.conf"
out=$("$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$TEST_TMP/state-c" approve "$id" 2>&1)
check_contains "a host without the fleet's mailbox blocks says so when it judges their mail" "$out" \
	"' is not in this host's configuration: give every host of a shared ledger the same mailbox blocks"
if [ "$T_FAILED" -gt 0 ]; then # what CI keeps of a failure: the actions not done or not ok, and what the watchers said
	pg_sql "select id, kind, request_id, done, ok, attempts, lease_until - extract(epoch from now())::bigint, next_try - extract(epoch from now())::bigint, last_error from outbox where done = 0 or ok = 0" | sed 's/^/# outbox: /'
	pg_sql "select outbox_id, at, ok, result from attempts where ok = 0 or ok is null" | sed 's/^/# attempt: /'
	for h in a b; do grep -E 'outbox|notify|lease|approv' "$TEST_TMP/$h.err" | tail -25 | sed "s/^/# $h: /"; done
fi
t_done
