# actions-once: an approval reaches the CA at most once, even when the
# process running it is killed. The local "CA site" (tests/https-server.py)
# holds its answers; the process running a queued approval (inline in
# `dcvmail pipe`, `dcvmail outbox`, `dcvmail watch`) gets kill -9 while the
# site holds the GET, while it holds the POST, and just after the site
# answered the POST with success (the ledger is held busy meanwhile, so the
# process cannot record the success first). After each kill, and once the
# leases have run out: never a second GET or POST, the request needs a
# person with the interrupted attempt in `show`, and the person is told.
# Only `dcvmail approve ID` tries again. Forwards and webhooks repeated after
# a kill carry the same Message-ID / delivery id.
. "$TOP/tests/lib.sh"
HTTPS_PIDS=; SMTP_PID=; RUN=; LOCKER=
cleanup() { for p in $RUN $LOCKER $HTTPS_PIDS $SMTP_PID; do kill -9 "$p" 2>/dev/null; done; }
trap cleanup EXIT
S="$TEST_TMP/state"; DB="$S/ledger.db"; R="$TEST_TMP/rules"; OUT="$TEST_TMP/smtp"
CA=$(free_port); SPORT=$(free_port)
tls_cert "$TEST_TMP" site
mkdir -p "$R" "$OUT"
testca_rules "$R"
export DCVMAIL_RULES_DIR="$R"
printf 'k3y-for-the-test\n' >"$TEST_TMP/notify.secret"; chmod 600 "$TEST_TMP/notify.secret"
conf() { # PIPE_ACTION_DEADLINE (0: pipe only queues)
	cat >"$TEST_TMP/c.conf" <<CONF
syslog no
rules-dir $R
trust-authserv-id mx.example.test
https-ca-file $TEST_TMP/site-ca.pem
approve-timeout ${APPROVE_TIMEOUT:-10}
notify-timeout 10
notify-secret-file $TEST_TMP/notify.secret
pipe-server yes
pipe-action-deadline $1
# the fixtures are days old: their pending alerts and digests are alerts.sh's
pending-alert-mail no
digest off
smtp {
  url smtp://127.0.0.1:$SPORT
  from dcvmail@example.test
}
route {
  type dcv
  ${FWD-forward pki@example.test}
  approve
}
route {
  type dcv
  domain hook.example.com
  notify https://localhost:$CA/hook
}
auto-approve testca
CONF
}
conf 20
mail() { # DOMAIN ORDER: a DCV request from the test CA, authenticated and expected
	f="$TEST_TMP/m$2.eml"
	dcv expect add --ca testca --domain "$1" --order "$2" --until +7d >/dev/null
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
Reject: https://localhost:$CA/reject?order=$2&t=tok$2
EOF
	echo "$f"
}
dcv() { "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" "$@"; }
DCV="$DCVMAIL -c $TEST_TMP/c.conf -d $S" # in the background, $! must be dcvmail itself
q() { sqlite3 "$DB" "$1"; }
routes() { echo "$1" >"$TEST_TMP/ca.routes"; }
# reqs METHOD ORDER [LOG]: how many such requests the CA's site got (or answered)
reqs() { grep -cF "\"method\": \"$1\", \"path\": \"/approve?order=$2&" "$TEST_TMP/ca.log${3:-}" 2>/dev/null || true; }
waitfor() { # TENTHS COMMAND...: until the command succeeds
	n=$1; shift
	for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done; return 1
}
got() { [ "$(reqs "$1" "$2" "${3:-}")" -ge 1 ]; }
rid() { q "select id from requests where order_id = '$1'"; }
# forwards_for ID: the forwards that reached the person for request ID
forwards_for() { grep -lF "Request:  #$1 (" "$OUT"/*.eml 2>/dev/null || true; }
has_forward() { [ -n "$(forwards_for "$1")" ]; }
told() { for f in $(forwards_for "$1"); do grep -q "an approval was interrupted, check the CA's portal" "$f" && return 0; done; return 1; }
is_interrupted() { [ "$(q "select count(*) from approval_attempts a join requests r on r.id = a.request_id where r.order_id = '$1' and a.outcome = 'interrupted'")" -ge 1 ]; }
is_approved() { [ "$(q "select state from requests where order_id = '$1'")" = approved ]; }
stop_run() { kill -TERM "$RUN" 2>/dev/null; { wait "$RUN"; } 2>/dev/null; RUN=; }
kill_run() { kill -9 "$RUN" 2>/dev/null; { wait "$RUN"; } 2>/dev/null; RUN=; }

https_start ca "$CA" site
python3 "$TOP/tests/smtp-server.py" "$SPORT" "$TEST_TMP/smtp.log" "$OUT" --hold-file "$TEST_TMP/smtp.hold" \
	2>>"$TEST_TMP/smtp.err" &
SMTP_PID=$!; wait_port "$SPORT" 10

# start RUNNER MAILFILE: the runner in the background on the queued approval (RUN)
start() {
	case $1 in
	pipe) $DCV pipe -r admin@www.example.com <"$2" >/dev/null 2>&1 & RUN=$! ;;
	outbox | watch)
		conf 0; dcv pipe -r admin@www.example.com <"$2" >/dev/null 2>&1; conf 20
		if [ "$1" = outbox ]; then $DCV outbox >/dev/null 2>&1 & RUN=$!
		else $DCV watch >>"$TEST_TMP/watch.log" 2>&1 & RUN=$!; fi ;;
	esac
}
# rerun RUNNER MAILFILE ORDER [TENTHS]: the next run of that kind, to its end
rerun() {
	case $1 in
	pipe) dcv pipe -r admin@www.example.com <"$2" >/dev/null 2>&1 ;; # Postfix delivers the mail again
	outbox) dcv outbox >/dev/null 2>&1 ;;
	watch) $DCV watch >>"$TEST_TMP/watch.log" 2>&1 & RUN=$!
		waitfor "${4:-50}" told "$(rid "$3")"; stop_run ;;
	esac
}
# hold_ledger: another process holds the ledger's write lock until unlock
hold_ledger() {
	rm -f "$TEST_TMP/locked" "$TEST_TMP/unlock"
	python3 - "$DB" "$TEST_TMP/locked" "$TEST_TMP/unlock" <<'PY' &
import os, sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
con.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.02)
con.execute("ROLLBACK")
PY
	LOCKER=$!
	waitfor 50 test -f "$TEST_TMP/locked"
}
unhold_ledger() { touch "$TEST_TMP/unlock"; wait "$LOCKER"; LOCKER=; }

page='"GET /approve": {"body": "<form>order code</form>", "set_cookie": "sid=s1; Path=/"%s}'
done_page='"POST /approve": {"body": "<p>Thank you: the domain is validated.</p>"%s}'
# kill_at RUNNER POINT ORDER: the runner killed at POINT (get, post, after)
kill_at() {
	r=$1; p=$2; o=$3; d="$r, killed $p"
	case $p in
	get) routes "{$(printf "$page" ', "delay": 5'), $(printf "$done_page" '')}" ;;
	post) routes "{$(printf "$page" ''), $(printf "$done_page" ', "delay": 5')}" ;;
	after) routes "{$(printf "$page" ''), $(printf "$done_page" ', "delay": 3')}" ;; # time for the locker to start, under load too
	esac
	m=$(mail www.example.com "$o")
	start "$r" "$m"
	if [ "$p" = get ]; then waitfor 100 got GET "$o"; else waitfor 100 got POST "$o"; fi ||
		not_ok "$d: the CA's site got the request to hold"
	if [ "$p" = after ]; then
		hold_ledger # from here the runner cannot record anything
		waitfor 50 got POST "$o" .answered || not_ok "$d: the site answered the POST"
		sleep 0.3
	fi
	kill_run
	[ "$p" = after ] && unhold_ledger
	id=$(rid "$o")
	routes "{$(printf "$page" ''), $(printf "$done_page" '')}" # a repeat would now succeed at once
	if [ "$p" = post ]; then
		# the process cannot be told from here (as on another host): only its lease
		q "update approval_attempts set host = 'elsewhere.example' where outcome = 'approving'"
		rerun "$r" "$m" "$o" 15
		check_eq "$d: while the lease runs, the next $r run sends nothing" "$(reqs GET "$o"):$(reqs POST "$o")" "1:1"
		check_contains "$d: and show says an approval is running" "$(dcv show "$id")" "approving, started"
		q "update approval_attempts set lease_until = strftime('%s', 'now') - 1 where outcome = 'approving'"
	fi
	q "update outbox set lease_until = 0 where done = 0" # the killed runner's claim has run out too
	rerun "$r" "$m" "$o"
	# and much later, every lease long gone
	q "update outbox set lease_until = 0, next_try = 0 where done = 0"
	dcv outbox >/dev/null 2>&1
	check_eq "$d: the approval page was requested once" "$(reqs GET "$o")" 1
	check_eq "$d: the form was posted $([ "$p" = get ] && echo never || echo once)" "$(reqs POST "$o")" \
		"$([ "$p" = get ] && echo 0 || echo 1)"
	check_eq "$d: the request needs a person" "$(q "select state_note from requests where id = $id")" \
		"needs a person: an approval was interrupted, check the CA's portal"
	check_eq "$d: the request is not recorded as approved" "$(q "select state from requests where id = $id")" forwarded
	check_contains "$d: show has the interrupted attempt" "$(dcv show "$id")" "interrupted, started"
	want_steps=$([ "$p" = get ] && echo "GET:-" || echo "GET:200 POST:-")
	check_eq "$d: show --json has one interrupted attempt with its steps" \
		"$(dcv show "$id" --json | python3 -c '
import json, sys
a = json.load(sys.stdin)["approval_attempts"]
print(len(a), a[0]["outcome"], " ".join("%s:%s" % (s["method"], s["status"] or "-") for s in a[0]["steps"]))')" \
		"1 interrupted $want_steps"
	check "$d: the person is told so by a forward" told "$id"
}

# the control: without a kill, each runner approves once
routes "{$(printf "$page" ', "delay": 0.5'), $(printf "$done_page" ', "delay": 0.5')}"
o=100
for r in pipe outbox watch; do
	o=$((o + 1))
	m=$(mail www.example.com $o)
	start $r "$m"
	if [ $r = watch ]; then waitfor 100 is_approved $o; stop_run; else { wait "$RUN"; } 2>/dev/null; RUN=; fi
	check_eq "$r, no kill: approved, one GET and one POST" "$(q "select state from requests where order_id = '$o'"):$(reqs GET $o):$(reqs POST $o)" "approved:1:1"
	check_eq "$r, no kill: show --json has the one attempt and its steps" \
		"$(dcv show "$(rid $o)" --json | python3 -c '
import json, sys
a = json.load(sys.stdin)["approval_attempts"]
print(len(a), a[0]["outcome"], a[0]["process"]["pid"] > 0, " ".join("%s:%s" % (s["method"], s["status"]) for s in a[0]["steps"]))')" \
		"1 approved True GET:200 POST:200"
done

# the ledger as a kill leaves it between recording the approval and closing its attempt
id=$(rid 101); n0=$(q "select count(*) from outbox where request_id = $id")
q "update approval_attempts set outcome = 'approving', ended = null, lease_until = 0 where request_id = $id"
dcv outbox >/dev/null 2>&1
check_eq "an approval recorded before its attempt was closed stays approved, nobody is asked again" \
	"$(q "select state || ' ' || state_by from requests where id = $id"):$(q "select count(*) from outbox where request_id = $id")" \
	"approved dcvmail (automatic):$n0"
check_contains "and show says its attempt was interrupted, with the request recorded as approved" "$(dcv show "$id")" \
	"stopped before the outcome was recorded; the request is recorded as approved"

o=200
for r in pipe outbox watch; do
	for p in get post after; do
		o=$((o + 1))
		kill_at $r $p $o
	done
done

# only a person tries again
id=$(rid 201)
out=$(SUDO_USER=nobody dcv approve "$id" 2>&1); rc=$?
check_eq "dcvmail approve ID after an interrupted approval tries again and approves" "$rc:$(q "select state || ' ' || state_by from requests where id = $id")" "0:approved nobody"
check_eq "with one more visit to the page and one form" "$(reqs GET 201):$(reqs POST 201)" "2:1"
check_eq "show --json: the interrupted attempt, then the person's" \
	"$(dcv show "$id" --json | python3 -c 'import json,sys; print(" ".join(a["outcome"] + ":" + a["who"] for a in json.load(sys.stdin)["approval_attempts"]))')" \
	"interrupted:dcvmail (automatic) approved:nobody"

# a person's approve while the automatic one runs: refused, nothing sent twice
routes "{$(printf "$page" ', "delay": 2'), $(printf "$done_page" '')}"
m=$(mail www.example.com 302)
start outbox "$m"
waitfor 100 got GET 302 || not_ok "the CA's site got the GET to hold"
out=$(SUDO_USER=daemon dcv approve "$(rid 302)" 2>&1); rc=$?
check_eq "dcvmail approve ID while an approval of it runs: exit 75, nothing requested" "$rc:$(reqs GET 302)" "75:1"
check_contains "saying so" "$out" "another approval of this request is running"
{ wait "$RUN"; } 2>/dev/null; RUN=
check_eq "the running approval ends alone, once" "$(q "select state || ' ' || state_by from requests where order_id = '302'"):$(reqs GET 302):$(reqs POST 302)" \
	"approved dcvmail (automatic):1:1"

# a request whose routes tell nobody: the interrupted approval is flagged for a person
FWD="" conf 0
routes "{$(printf "$page" ', "delay": 5'), $(printf "$done_page" '')}"
dcv pipe -r admin@www.example.com <"$(mail www.example.com 301)" >/dev/null 2>&1
$DCV outbox >/dev/null 2>&1 & RUN=$!
waitfor 100 got GET 301 || not_ok "approve only: the CA's site got the GET"
kill_run
FWD="" conf 0
dcv outbox >/dev/null 2>&1
check_eq "approve only, killed get: no forward to send, so the request is flagged for a person" \
	"$(q "select kind || ' ' || done || ' ' || ok || ' ' || why from outbox where request_id = $(rid 301) and kind <> 'approve'")" \
	"flag 1 1 an approval was interrupted, check the CA's portal"
check_contains "and show says so" "$(dcv show "$(rid 301)")" "flag  done (1 attempts)"
conf 20

# the answering request (the POST) reached the CA but its answer is unclear:
# never sent again by itself, a person checks the portal
for how in 503 timeout; do
	o=$((o + 1))
	if [ $how = 503 ]; then
		routes "{$(printf "$page" ''), \"POST /approve\": {\"status\": 503, \"body\": \"busy\"}}"
	else
		routes "{$(printf "$page" ''), $(printf "$done_page" ', "delay": 4')}"
	fi
	APPROVE_TIMEOUT=2 conf 20
	dcv pipe -r admin@www.example.com <"$(mail www.example.com $o)" >/dev/null 2>&1
	q "update outbox set next_try = 0, lease_until = 0 where done = 0"
	APPROVE_TIMEOUT=2 conf 20
	dcv outbox >/dev/null 2>&1
	check_eq "POST $how: one GET and one POST, none again on the next runs" "$(reqs GET $o):$(reqs POST $o)" "1:1"
	check_contains "POST $how: the request needs a person" "$(q "select state_note from requests where order_id = '$o'")" \
		"the CA may have received the approval"
	check_eq "POST $how: not recorded as approved" "$(q "select state from requests where order_id = '$o'")" forwarded
done
conf 20

# a forward and a webhook repeated after a kill carry the same identity
routes '{"POST /hook": {"body": "ok", "delay": 5}}'
conf 0; dcv pipe -r admin@hook.example.com <"$(mail hook.example.com 901)" >/dev/null 2>&1; conf 20
hid=$(rid 901)
touch "$TEST_TMP/smtp.hold" # the server has the forward but holds its answer
$DCV outbox >/dev/null 2>&1 & RUN=$!
waitfor 100 has_forward "$hid" || not_ok "the forward reaches the SMTP server"
kill_run; rm -f "$TEST_TMP/smtp.hold"
q "update outbox set lease_until = 0 where done = 0"
$DCV outbox >/dev/null 2>&1 & RUN=$! # the forward again, then the webhook, held
waitfor 100 grep -q '"path": "/hook"' "$TEST_TMP/ca.log" || not_ok "the webhook gets the notification"
kill_run
routes '{"POST /hook": {"body": "ok"}}'
q "update outbox set lease_until = 0 where done = 0"
dcv outbox >/dev/null 2>&1
check_eq "the forward was sent twice (the first answer never came)" "$(forwards_for "$hid" | wc -l)" 2
mids=$(for f in $(forwards_for "$hid"); do grep -m1 -i '^Message-ID:' "$f" | tr -d '\r'; done | sort -u)
check_eq "both forwards carry the same Message-ID" "$(echo "$mids" | wc -l)" 1
check_contains "derived from the request, not the time" "$mids" "Message-ID: <dcvmail."
other=$(grep -m1 -ih '^Message-ID:' $(forwards_for "$(rid 101)") | tr -d '\r')
check_eq "another request's forward has another Message-ID" "$([ -n "$other" ] && [ "$other" != "$mids" ] && echo differs)" differs
check_eq "the webhook got the notification twice, with the same delivery id in the body and the header" \
	"$(python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if "\"/hook\"" in l]
ids = {(json.loads(x["body"])["delivery"], x["headers"].get("x-dcvmail-delivery")) for x in r}
print(len(r), len(ids), all(a == b and len(a) == 32 for a, b in ids))' "$TEST_TMP/ca.log")" "2 1 True"
t_done
