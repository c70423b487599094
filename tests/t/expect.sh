# Expectations under attack: someone else orders a certificate for your domain
# at the same CA while your expectation is open. An expectation without
# --order approves one request, for exactly its domain, for 7 days; with
# --order only that order. A local HTTPS "CA site" counts what is requested.
. "$TOP/tests/lib.sh"
HTTPS_PIDS=; LOCK_PID=
trap 'for p in $HTTPS_PIDS $LOCK_PID; do kill $p 2>/dev/null; done' EXIT
S="$TEST_TMP/state"; DB="$S/ledger.db"; R="$TEST_TMP/rules"
CA=$(free_port)
tls_cert "$TEST_TMP" site
mkdir -p "$R"
testca_rules "$R"
export DCVMAIL_RULES_DIR="$R"
conf() {
	cat >"$TEST_TMP/c.conf" <<CONF
syslog no
rules-dir $R
trust-authserv-id mx.example.test
check-trust-authserv-id yes
https-ca-file $TEST_TMP/site-ca.pem
approve-timeout 3
route {
  type dcv suspicious
  approve
}
auto-approve ${1:-testca}
CONF
}
conf
n=$$
mail() { # DOMAIN ORDER [AUTH]: a DCV request from the test CA, signed unless AUTH is "none"
	f="$TEST_TMP/m.$2.$(printf %s "$1" | tr -c 'a-z0-9.' _).eml"
	{
	[ "${3:-pass}" = pass ] && echo "Authentication-Results: mx.example.test; dkim=pass header.d=ca.test"
	cat <<EOF
From: Test CA Validation <validation@ca.test>
To: admin@example.com
Subject: Approve the certificate for $1 (order $2)
Message-ID: <m.$2.$n@ca.test>
Date: $(date -u -R)
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Someone ordered a certificate for $1. Your code: ABCDEF123456
Approve: https://localhost:$CA/approve?order=$2&t=tok$2
Reject: https://localhost:$CA/reject?order=$2&t=tok$2
EOF
	} >"$f"
	echo "$f"
}
dcv() { "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" "$@"; }
q() { sqlite3 "$DB" "$1"; }
# plan DOMAIN ORDER: the actions a dry run plans for that mail, with why
plan() { dcv check --dry-run --json "$(mail "$1" "$2")" 2>/dev/null |
	python3 -c 'import json,sys; o=json.loads(sys.stdin.readline()); print(" | ".join("%s: %s" % (a["kind"], a["why"]) for a in o["actions"]))'; }
# approved_orders: the orders the CA site got a POST for, sorted
approved_orders() { python3 -c '
import json, sys
print(" ".join(sorted(json.loads(l)["body"].split("&")[0] for l in open(sys.argv[1]) if json.loads(l)["method"] == "POST")))' "$TEST_TMP/ca.log"; }
echo '{"GET /approve": {"body": "<form>order code</form>"}, "POST /approve": {"body": "<p>Thank you: the domain is validated.</p>"}}' >"$TEST_TMP/ca.routes"
https_start ca "$CA" site

# --- one order-less expectation, four orders for the same domain, one after the other
out=$(dcv expect add --ca testca --domain www.example.com)
check_contains "expect add says the expectation is used up by one request" "$out" "one request (the first that comes), then it is used up"
for o in 1001 1002 1003 1004; do dcv pipe -r admin@www.example.com <"$(mail www.example.com $o)" >/dev/null 2>&1; done
check_eq "four orders, one order-less expectation: exactly one approval queued" "$(q "select count(*) from outbox where kind = 'approve'")" 1
check_eq "and the CA's site got one approval: the first order" "$(approved_orders)" "order=1001"
check_eq "the other three need a person" "$(q "select count(*) from outbox where kind = 'flag'")" 3
check_contains "saying the expectation was used" "$(q "select why from outbox where kind = 'flag' limit 1")" \
	"not an expected order: expectation 1 (testca www.example.com) was used by request 1"
check_eq "only the first request is marked expected" "$(q "select group_concat(expected) from requests order by id")" "1,0,0,0"
check_contains "expect list shows the request that used it" "$(dcv expect list)" "any, once"
check_contains "by id" "$(dcv expect list | sed -n 2p)" "request 1"
dcv expect list --json >"$TEST_TMP/l.json"
python3 - "$TEST_TMP/l.json" <<'PY'
import json, sys
def ok(c, d): print(("ok - " if c else "not ok - ") + d)
e = [json.loads(l) for l in open(sys.argv[1])][0]
ok(e["single_use"] and e["used_up"] and [u["request"] for u in e["uses"]] == [1], "expect list --json: used up, by request 1")
ok(e["domain"] == "www.example.com" and e["include_subdomains"] is False and e["order"] is None, "with its scope")
PY

# --- the same, four orders at once: the use is decided in the recording transaction
dcv expect add --ca testca --domain race.example.com >/dev/null
: >"$TEST_TMP/ca.log"
# hold the ledger's write lock so that all four plan the approval before any records it
(echo "BEGIN IMMEDIATE;"; sleep 2; echo "COMMIT;") | sqlite3 "$DB" &
LOCK_PID=$!
sleep 0.5
pids=
for o in 2001 2002 2003 2004; do
	m=$(mail race.example.com $o)
	dcv pipe -r admin@race.example.com <"$m" >"$TEST_TMP/race.$o" 2>&1 &
	pids="$pids $!"
done
wait $pids
wait $LOCK_PID; LOCK_PID=
check_eq "four concurrent deliveries: one approval queued" \
	"$(q "select count(*) from outbox o join requests r on r.id = o.request_id where r.domain = 'race.example.com' and o.kind = 'approve'")" 1
check_eq "one order approved on the CA's site" "$(approved_orders | wc -w)" 1
check_eq "one use recorded" "$(q "select count(*) from expectation_uses where expectation_id = 2")" 1
check_eq "the others, planned before the first was recorded, were flagged for a person instead" \
	"$(q "select count(*) from outbox o join requests r on r.id = o.request_id where r.domain = 'race.example.com' and o.kind = 'flag' and o.why like 'not an expected order: expectation 2 (testca race.example.com) was used by request % (while this mail was being recorded)'")" 3
check_contains "and pipe says so" "$(cat "$TEST_TMP"/race.*)" "flag done: needs a person: not an expected order"

# --- names under the domain and wildcards only when written
dcv expect add --ca testca --domain example.org >/dev/null
out=$(plan www.example.org 3001)
check_contains "an expectation for example.org does not cover www.example.org" "$out" "not an expected order"
check_not_contains "so no approval" "$out" "approve:"
check_contains "nor the wildcard *.example.org" "$(plan '*.example.org' 3002)" "not an expected order"
check_contains "the name itself is covered" "$(plan example.org 3003)" "approve: every guardrail holds"
dcv expect add --ca testca --domain example.net --include-subdomains >/dev/null
check_contains "--include-subdomains covers a name under it" "$(plan www.example.net 3004)" "approve: every guardrail holds"
check_contains "and the wildcard" "$(plan '*.example.net' 3005)" "approve: every guardrail holds"
check_contains "but not a lookalike" "$(plan badexample.net 3006)" "not an expected order"
dcv expect add --ca testca --domain '*.example.info' >/dev/null
check_contains "a written wildcard covers the wildcard request" "$(plan '*.example.info' 3007)" "approve: every guardrail holds"
check_contains "but not a name under the domain" "$(plan www.example.info 3008)" "not an expected order"

# --- --order: only that order
dcv expect add --ca testca --domain shop.example.com --order 4001 >/dev/null
check_contains "an --order expectation does not cover another order of the domain" "$(plan shop.example.com 4002)" "not an expected order"
check_contains "it covers its own" "$(plan shop.example.com 4001)" "approve: every guardrail holds"

# --- the default lifetime: 7 days
dcv expect add --ca testca --domain old.example.com >/dev/null
id=$(q "select max(id) from expectations")
check_eq "without --until an expectation lasts 7 days" "$(q "select until - created from expectations where id = $id")" 604800
q "update expectations set created = created - 6 * 86400, until = until - 6 * 86400 where id = $id"
check_contains "6 days after it was added it still counts" "$(plan old.example.com 5001)" "approve: every guardrail holds"
q "update expectations set created = created - 2 * 86400, until = until - 2 * 86400 where id = $id"
out=$(plan old.example.com 5002)
check_contains "8 days after, it does not" "$out" "not an expected order: expectation $id (testca old.example.com) has expired"
check_contains "expect list marks it expired" "$(dcv expect list | grep old.example.com)" "(expired)"

# --- a forged mail does not use an expectation up
dcv expect add --ca testca --domain forged.example.com >/dev/null
dcv pipe -r admin@forged.example.com <"$(mail forged.example.com 6001 none)" >/dev/null 2>&1
check_eq "an unauthenticated mail: no use recorded" "$(q "select count(*) from expectation_uses u join expectations e on e.id = u.expectation_id where e.domain = 'forged.example.com'")" 0
: >"$TEST_TMP/ca.log"
dcv pipe -r admin@forged.example.com <"$(mail forged.example.com 6002)" >/dev/null 2>&1
check_eq "the authenticated order after it is approved" "$(approved_orders)" "order=6002"

# --- given back when the approval is refused before anything is sent
dcv expect add --ca testca --domain back.example.com >/dev/null
dcv check -q "$(mail back.example.com 7001)" >/dev/null 2>&1   # recorded, not yet run
rid=$(q "select id from requests where order_id = '7001'")
check_eq "recording the request uses the expectation" "$(q "select expected from requests where id = $rid")" 1
conf other   # auto-approve is off when the approval runs
: >"$TEST_TMP/ca.log"
dcv outbox >/dev/null 2>&1
check_eq "the approval is refused at run time: nothing sent" "$(wc -l <"$TEST_TMP/ca.log")" 0
check_contains "the request gave the expectation back" "$(dcv expect list | grep back.example.com)" "request $rid (released)"
check_contains "with the reason" "$(q "select release_note from expectation_uses where request_id = $rid")" "refused before anything was sent: not approved, nothing requested: auto-approve is off for testca"
conf
dcv pipe -r admin@back.example.com <"$(mail back.example.com 7002)" >/dev/null 2>&1
check_eq "so the next order uses it and is approved" "$(approved_orders)" "order=7002"
# but not when an earlier attempt reached the CA's site
dcv expect add --ca testca --domain retry.example.com >/dev/null
cp "$TEST_TMP/ca.routes" "$TEST_TMP/ok.routes"
echo '{"*": {"status": 503, "body": "busy"}}' >"$TEST_TMP/ca.routes"
dcv pipe -r admin@retry.example.com <"$(mail retry.example.com 7301)" >/dev/null 2>&1
rid=$(q "select id from requests where order_id = '7301'")
check_eq "the CA's site answered 503: the approval waits for a retry" "$(q "select done, attempts from outbox where request_id = $rid and kind = 'approve'")" "0|1"
cp "$TEST_TMP/ok.routes" "$TEST_TMP/ca.routes"
conf other
q "update outbox set next_try = 0 where done = 0"
dcv outbox >/dev/null 2>&1
check_eq "refused at the retry" "$(q "select done, ok from outbox where request_id = $rid and kind = 'approve'")" "1|0"
check_eq "the use stands: the first attempt reached the CA" "$(q "select released is null from expectation_uses where request_id = $rid")" 1
conf
# a person's rejection gives it back too
dcv expect add --ca testca --domain rej.example.com >/dev/null
dcv check -q "$(mail rej.example.com 7101)" >/dev/null 2>&1
rid=$(q "select id from requests where order_id = '7101'")
dcv reject "$rid" --note "not our order" >/dev/null 2>&1
check_contains "rejecting the request releases its expectation" "$(q "select release_note from expectation_uses where request_id = $rid")" "request rejected by"
: >"$TEST_TMP/ca.log"
dcv outbox >/dev/null 2>&1
check_eq "its queued approval sends nothing" "$(wc -l <"$TEST_TMP/ca.log")" 0
dcv pipe -r admin@rej.example.com <"$(mail rej.example.com 7102)" >/dev/null 2>&1
check_eq "the order that was expected is approved" "$(approved_orders)" "order=7102"
# a queued approval whose request does not hold the expectation is refused when it runs
dcv expect add --ca testca --domain held.example.com >/dev/null
dcv check -q "$(mail held.example.com 7201)" >/dev/null 2>&1
rid=$(q "select id from requests where order_id = '7201'")
q "update expectation_uses set released = 1 where request_id = $rid"
: >"$TEST_TMP/ca.log"
dcv outbox >/dev/null 2>&1
check_eq "an approval without its expectation sends nothing" "$(wc -l <"$TEST_TMP/ca.log")" 0
check_contains "and says why" "$(q "select last_error from outbox where request_id = $rid and kind = 'approve'")$(q "select state_note from requests where id = $rid")" "holds no expectation"

# --- what expect add accepts (issue 13 item 9, issue 22)
before=$(q "select count(*) from expectations")
bad() { # DESCRIPTION WANT ARGS...: exit 64, the message names WANT, nothing added
	d=$1; w=$2; shift 2
	out=$(dcv expect add "$@" 2>&1); rc=$?
	check_eq "$d: refused (64)" "$rc" 64
	check_contains "$d: the error names the value" "$out" "$w"
	check_eq "$d: nothing added" "$(q "select count(*) from expectations")" "$before"
}
bad "an unknown CA" "--ca nosuchca: no such CA in the rules of $R (known: testca)" --ca nosuchca --domain example.com
bad "a domain with a quote" "--domain example.com\": a character other than" --ca testca --domain 'example.com"'
bad "a domain with a space" "--domain exa mple.com:" --ca testca --domain 'exa mple.com'
bad "a domain with ESC" '--domain example.com\x1b[31m:' --ca testca --domain "$(printf 'example.com\033[31m')"
bad "a single label" "--domain localhost: a single label" --ca testca --domain localhost
bad "an IP address" "--domain 192.0.2.1: an address" --ca testca --domain 192.0.2.1
bad "a name that is not a valid IDN" "not a valid internationalised domain name" --ca testca --domain "$(printf 'a\342\200\256b.example')"
# a U-label is stored as its A-label, so it matches the CA's mail in either form
out=$(dcv expect add --ca testca --domain "$(printf 'b\303\274cher.example')" 2>&1)
check_contains "a U-label is stored as its A-label" "$out" "testca xn--bcher-kva.example until"
check_eq "and only that form is in the ledger" "$(q "select domain from expectations where domain like '%bcher%'")" "xn--bcher-kva.example"
out=$(dcv expect add --ca testca --domain "$(printf '*.b\303\274cher.example')" 2>&1)
check_contains "a wildcard U-label too" "$out" "testca *.xn--bcher-kva.example until"
before=$(q "select count(*) from expectations")
bad "a wildcard with --include-subdomains" "give the domain itself (example.com)" --ca testca --domain '*.example.com' --include-subdomains
bad "an order with a space" "--order 12 34:" --ca testca --domain example.com --order '12 34'
bad "an order too long" "longer than 64" --ca testca --domain example.com --order "$(printf '%065d' 1)"
bad "--until in the past" "--until 2020-01-01: that is in the past" --ca testca --domain example.com --until 2020-01-01
bad "--until a date that does not exist" "--until 2026-02-31: not a date dcvmail can read" --ca testca --domain example.com --until 2026-02-31
bad "--until a word" "--until soon: not a date" --ca testca --domain example.com --until soon
bad "--until now" "--until +0d: that is in the past" --ca testca --domain example.com --until +0d
# a quote in an order id (printable, so allowed) stays valid JSON
dcv expect add --ca testca --domain quote.example.com --order 'A"B\C' >/dev/null
dcv expect list --json >"$TEST_TMP/l.json"
python3 - "$TEST_TMP/l.json" <<'PY'
import json, sys
def ok(c, d): print(("ok - " if c else "not ok - ") + d)
try:
    es = [json.loads(l) for l in open(sys.argv[1])]
    ok(any(e["order"] == 'A"B\\C' for e in es), "expect list --json: a quote and a backslash in an order are valid JSON")
except ValueError as e:
    ok(False, "expect list --json is valid JSON (%s)" % e)
PY

# --- issue 21: domain control is per name; an --order expectation for one name of a
# two-name order approves that name only, never the other name of the same order
dcv expect add --ca testca --domain a.example.com --order 9001 >/dev/null
: >"$TEST_TMP/ca.log"
dcv pipe -r admin@example.com <"$(mail a.example.com 9001)" >/dev/null 2>&1
check_eq "order 9001: the expected name is approved" "$(approved_orders)" "order=9001"
dcv pipe -r admin@example.com <"$(mail b.example.com 9001)" >/dev/null 2>&1
rb=$(q "select id from requests where order_id = '9001' and domain = 'b.example.com'")
check_eq "the order's other name is a request of its own" "$(q "select count(*) from requests where order_id = '9001'"):${rb:+yes}" "2:yes"
check_eq "and is not approved: the CA's site got one POST" "$(grep -c '"POST"' "$TEST_TMP/ca.log")" 1
check_eq "its request stays pending, not expected" "$(q "select state, expected from requests where id = $rb")" "pending|0"
check_contains "flagged for a person: not an expected order" \
	"$(q "select why from outbox where request_id = $rb and kind = 'flag'")" "not an expected order"
check_eq "the expectation was used by the first name only" \
	"$(q "select group_concat(r.domain) from expectation_uses u join requests r on r.id = u.request_id join expectations e on e.id = u.expectation_id where e.order_id = '9001'")" "a.example.com"
dcv approve "$rb" >/dev/null 2>&1
check_eq "when the admin approves it, it is" "$(grep -c '"POST"' "$TEST_TMP/ca.log"):$(q "select state from requests where id = $rb")" "2:approved"

# --- a ledger from before: an order-less expectation used by two requests
O="$TEST_TMP/old"; mkdir -m 700 "$O"
sqlite3 "$O/ledger.db" "CREATE TABLE requests (id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, ca TEXT,
  type TEXT, domain TEXT, order_id TEXT, state TEXT NOT NULL DEFAULT 'pending', approve_link TEXT,
  copies INTEGER NOT NULL DEFAULT 0, expected INTEGER NOT NULL DEFAULT 0, expectation_id INTEGER,
  first_seen INTEGER, last_seen INTEGER, state_changed INTEGER, state_by TEXT, state_note TEXT);
CREATE TABLE expectations (id INTEGER PRIMARY KEY, ca TEXT NOT NULL, domain TEXT NOT NULL, order_id TEXT,
  created INTEGER, until INTEGER NOT NULL DEFAULT 0, used_by INTEGER NOT NULL DEFAULT 0);
CREATE TABLE messages (id INTEGER PRIMARY KEY, sha256 TEXT UNIQUE NOT NULL, received INTEGER);
INSERT INTO expectations VALUES (1, 'testca', 'example.com', NULL, 1, 0, 1);
INSERT INTO requests (id, key, ca, domain, order_id, expected, expectation_id, first_seen)
  VALUES (1, 'k1', 'testca', 'www.example.com', '1', 1, 1, 10), (2, 'k2', 'testca', 'a.example.com', '2', 1, 1, 20);
PRAGMA user_version = 1;"
chmod 600 "$O/ledger.db"
"$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$O" expect add --ca testca --domain new.example.com >/dev/null 2>&1
check_eq "an old ledger is migrated: the first request holds the old expectation, the second gave it back" \
	"$(sqlite3 "$O/ledger.db" "select group_concat(request_id || ':' || (released is null), ' ') from expectation_uses where expectation_id = 1")" "1:1 2:0"
check_eq "and only the first stays expected" "$(sqlite3 "$O/ledger.db" "select group_concat(expected) from requests order by id")" "1,0"
check_contains "expect list shows both" "$("$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$O" expect list | sed -n 2p)" "request 1, request 2 (released)"
t_done
