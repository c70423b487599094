# approve: a local HTTPS "CA approval site" (tests/https-server.py, throwaway
# CA) records every request it gets. Only an expected, authenticated request
# on an allowlisted https link is approved, once; every failing condition
# means no request at all to the site and a forward to a person saying why.
. "$TOP/tests/lib.sh"
command -v smtp-sink >/dev/null || { skip "smtp-sink (postfix) not installed"; exit 0; }
HTTPS_PIDS=; SINK_PID=
SINK=$(mktemp -d /tmp/dcvmail-sink.XXXXXX); chmod 777 "$SINK"
trap 'for p in $HTTPS_PIDS $SINK_PID; do kill $p 2>/dev/null; done; rm -rf "$SINK"' EXIT
S="$TEST_TMP/state"; DB="$S/ledger.db"; R="$TEST_TMP/rules"
CA=$(free_port); EVIL=$(free_port); SPORT=$(free_port)
tls_cert "$TEST_TMP" site
mkdir -p "$R"
# a test CA whose approval pages live on localhost; its mail is signed by ca.test
testca_rules "$R"
cat >>"$R/testca.rules" <<'RULES'

rule testca-dcv-reject-link-only
  type     dcv
  subject  /^Approve the certificate for (?<domain>\S+) \(order (?<order>\d+)\)/
  link     /\/reject\?/
  link     reject  /\/reject\?/
  not link /\/approve\?/

rule testca-ev
  type     ev-intent
  subject  /^Confirm the EV order (?<order>\d+) for (?<domain>\S+)/
  link     approve /\/confirm\?/
RULES
export DCVMAIL_RULES_DIR="$R" # the environment wins over rules-dir
conf() {
	cat >"$TEST_TMP/c.conf" <<CONF
syslog no
rules-dir $R
trust-authserv-id mx.example.test
check-trust-authserv-id yes
https-ca-file $TEST_TMP/site-ca.pem
approve-timeout 3
smtp {
  url smtp://127.0.0.1:$SPORT
  from dcvmail@example.test
}
route {
  type dcv ev-intent suspicious
  forward pki@example.test
  approve
}
auto-approve ${1:-testca}
CONF
}
conf
# mail DOMAIN ORDER [LINKHOST] [AUTH] [EXTRA LINKS]: a DCV request from the test CA
n=0
mail() {
	n=$((n + 1))
	f="$TEST_TMP/m$n.eml"
	{
	[ "${4:-pass}" = pass ] && echo "Authentication-Results: mx.example.test; dkim=pass header.d=ca.test"
	cat <<EOF
From: Test CA Validation <validation@ca.test>
To: admin@$1
Subject: Approve the certificate for $1 (order $2)
Message-ID: <m$n.$2@ca.test>
Date: $(date -u -R)
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Someone ordered a certificate for $1. Your code: ABCDEF123456
Approve: ${3:-https://localhost:$CA}/approve?order=$2&t=tok$n
Reject: https://localhost:$CA/reject?order=$2&t=tok$n
${5:-}
EOF
	} >"$f"
	echo "$f"
}
dcv() { "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" "$@"; }
q() { sqlite3 "$DB" "$1"; }
site() { cat "$TEST_TMP/ca.log" 2>/dev/null | wc -l | tr -d ' '; }
evil() { cat "$TEST_TMP/evil.log" 2>/dev/null | wc -l | tr -d ' '; }
forwards() { ls "$SINK" | wc -l; }
last_forward() { cat "$(ls -t "$SINK"/* | head -1)"; }
wait_forwards() { for _ in $(seq 50); do [ "$(forwards)" -ge "$1" ] && return 0; sleep 0.1; done; return 1; }
ok_page='{"GET /approve": {"body": "<form>order code</form>", "set_cookie": "sid=s3ss10n; Path=/"}, "POST /approve": {"body": "<p>Thank you: the domain is validated.</p>"}}'
echo "$ok_page" >"$TEST_TMP/ca.routes"
https_start ca "$CA" site
https_start evil "$EVIL" site
smtp-sink -u nobody -d "$SINK/%M." -c 127.0.0.1:"$SPORT" 20 >/dev/null 2>&1 &
SINK_PID=$!; wait_port "$SPORT" 10

# --dry-run: planned, nothing sent
# one expectation per order this test approves or refuses for another reason
for o in 1001 2003 2004 2005 2006 2007 2008 3001 3002 3003 3004 3005; do
	dcv expect add --ca testca --domain www.example.com --order $o --until +7d >/dev/null
done
m=$(mail www.example.com 1001)
out=$(dcv check --dry-run --json "$m" 2>/dev/null)
check_contains "an expected, authenticated request plans the approval" "$out" '"kind":"approve"'
dcv pipe --dry-run -r admin@www.example.com <"$m" >/dev/null 2>&1
check_eq "--dry-run sends nothing to the CA's site" "$(site)" 0

# the expected request: approved once, with the form
dcv pipe -r admin@www.example.com <"$m" >/dev/null 2>&1
check_eq "the request is approved on the CA's site: the page, then the form" "$(site)" 2
python3 - "$TEST_TMP/ca.log" <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
def ok(c, d): print(("ok - " if c else "not ok - ") + d)
ok(reqs[0]["method"] == "GET" and reqs[0]["path"].startswith("/approve?order=1001"), "first the approval link itself (GET)")
ok(reqs[1]["method"] == "POST", "then the rule's form (POST)")
ok(reqs[1]["body"] == "order=1001&code=ABCDEF123456", "with the fields the rule names, filled from the mail: " + reqs[1]["body"])
ok("sid=s3ss10n" in reqs[1]["headers"].get("cookie", ""), "carrying the page's session cookie")
ok(not any("/reject" in r["path"] for r in reqs), "the reject link is never requested")
PY
check_eq "the ledger says approved, by dcvmail" "$(q "select state || ' ' || state_by from requests")" "approved dcvmail (automatic)"
check_eq "and records the validation" "$(q "select count(*) from validations")" 1
wait_forwards 1
check_contains "the person is told it was approved" "$(last_forward)" "State:    approved by dcvmail (automatic)"
m2=$(mail www.example.com 1001 "" pass)
sed -i 's/^Message-ID: .*/Message-ID: <second-copy@ca.test>/; s/^To: .*/To: webmaster@www.example.com/' "$m2"
dcv pipe -r webmaster@www.example.com <"$m2" >/dev/null 2>&1
check_eq "a second copy of the same request is not approved again" "$(site)" 2
check_eq "it joins the request" "$(q "select copies from requests")" 2

# every failing condition: no request to the site, a forward saying why
before=$(site); fw=$(forwards)
told_why() { # DESCRIPTION WHY: the next forward reaches the person and says WHY
	if wait_forwards $((fw + 1)); then
		check_contains "$1: a person is told why" "$(last_forward | tr -d '\r' | tr '\n' ' ' | sed 's/  */ /g')" "$2"
	else
		not_ok "$1: a forward reaches the person"
	fi
	fw=$(forwards); before=$(site)
}
refused() { # DESCRIPTION MAILFILE WHY
	dcv pipe -r "admin@x.test" <"$2" >/dev/null 2>&1
	check_eq "$1: the CA's site gets no request" "$(site)" "$before"
	told_why "$1" "$3"
}
refused "an unexpected domain" "$(mail www.example.org 2001)" "not an expected order"
dcv expect add --ca testca --domain old.example.info --until +1d >/dev/null
sqlite3 "$DB" "update expectations set until = strftime('%s','now') - 60 where domain = 'old.example.info'"
refused "an expired expectation" "$(mail old.example.info 2002)" "not an expected order"
refused "a link host the CA does not use" "$(mail www.example.com 2003 "https://127.0.0.1:$EVIL")" "points at an IP address"
refused "a link to another host name" "$(mail www.example.com 2004 "https://ca-test.example.net")" "is not allowed for Test CA"
refused "http instead of https" "$(mail www.example.com 2005 "http://localhost:$CA")" "not https"
refused "a sender that is not authenticated" "$(mail www.example.com 2006 "" none)" "the sender is not authenticated"
conf other
refused "auto-approve off for the CA" "$(mail www.example.com 2007)" "auto-approve is off for testca"
conf
# a reject link only: nothing to approve
m=$(mail www.example.com 2008)
sed -i '/^Approve:/d' "$m"
refused "a mail with only a reject link" "$m" "has no approval link"
check_eq "and the reject link was never requested" "$(grep -c '/reject' "$TEST_TMP/ca.log")" 0

# the site redirects elsewhere: nothing is sent to the other host
echo "{\"/approve\": {\"status\": 302, \"location\": \"https://127.0.0.1:$EVIL/steal\"}}" >"$TEST_TMP/ca.routes"
refused_at_run() { # DESCRIPTION MAILFILE WHY: the site sees the link, nothing more
	dcv pipe -r "admin@x.test" <"$2" >/dev/null 2>&1
	check_eq "$1: only the approval link itself is requested" "$(site)" $((before + 1))
	check_eq "$1: the other host gets nothing" "$(evil)" 0
	check_eq "$1: the request is not approved" "$(q "select state from requests order by id desc limit 1")" forwarded
	told_why "$1" "$3"
}
refused_at_run "a redirect to another host" "$(mail www.example.com 3001)" "which is refused"
echo "{\"/approve\": {\"status\": 302, \"location\": \"https://localhost:$CA/reject?order=3002&t=tok\"}}" >"$TEST_TMP/ca.routes"
m=$(mail www.example.com 3002)
sed -i "s|^Reject: .*|Reject: https://localhost:$CA/reject?order=3002\&t=tok|" "$m"
refused_at_run "a redirect to the reject link" "$m" "the link is the reject link"
# the page answers without confirming
echo '{"*": {"body": "<p>Sorry, that code has expired.</p>"}}' >"$TEST_TMP/ca.routes"
dcv pipe -r admin@x.test <"$(mail www.example.com 3003)" >/dev/null 2>&1
check_eq "a page that does not confirm: the request stays open" "$(q "select state from requests order by id desc limit 1")" forwarded
check_contains "and needs a person" "$(q "select state_note from requests order by id desc limit 1")" "without confirming the approval (approve-success did not match)"
before=$(site)

# the site is down: retried later, not approved meanwhile
kill $(echo $HTTPS_PIDS | cut -d' ' -f1) 2>/dev/null; sleep 0.3
echo "$ok_page" >"$TEST_TMP/ca.routes"
dcv pipe -r admin@x.test <"$(mail www.example.com 3004)" >/dev/null 2>&1
row=$(q "select done, attempts from outbox where kind = 'approve' order by id desc limit 1")
check_eq "the CA's site down: the approval waits for a retry" "$row" "0|1"
https_start ca "$CA" site
q "update outbox set next_try = 0 where done = 0"
dcv outbox >/dev/null 2>&1
check_eq "when the site is back, the retry approves it" "$(q "select state from requests order by id desc limit 1")" approved

# a redirect within the CA's allowed hosts is followed, and the form goes where it ended
echo "{\"GET /approve\": {\"status\": 302, \"location\": \"https://localhost:$CA/approve2?s=1\"}, \"GET /approve2\": {\"body\": \"form\"}, \"POST /approve2\": {\"body\": \"Thank you: the domain is validated.\"}}" >"$TEST_TMP/ca.routes"
: >"$TEST_TMP/ca.log"
dcv pipe -r admin@x.test <"$(mail www.example.com 3005)" >/dev/null 2>&1
check_eq "a redirect to an allowed host is followed and the request approved" "$(q "select state from requests order by id desc limit 1")" approved
check_eq "the page, the redirect target, then the form there" "$(python3 -c "import json,sys; print(' '.join(json.loads(l)['method'] + ' ' + json.loads(l)['path'].split('?')[0] for l in open('$TEST_TMP/ca.log')))")" "GET /approve GET /approve2 POST /approve2"
echo "$ok_page" >"$TEST_TMP/ca.routes"

# dcvmail approve ID: a person's decision follows the link without an expectation
m=$(mail www.example.net 4001)
dcv pipe -r admin@www.example.net <"$m" >/dev/null 2>&1
id=$(q "select id from requests order by id desc limit 1")
: >"$TEST_TMP/ca.log"
out=$(dcv approve "$id" --dry-run 2>&1); rc=$?
check_eq "approve ID --dry-run: nothing sent" "$rc:$(site)" "0:0"
check_contains "and says what it would do" "$out" "would open https://localhost:$CA/"
out=$(SUDO_USER=nobody dcv approve "$id" 2>&1); rc=$?
check_eq "approve ID for an unexpected order approves it when a person asks" "$rc:$(q "select state || ' ' || state_by from requests where id = $id")" "0:approved nobody"
check_eq "with one visit and one form" "$(site)" 2
check_not_contains "the output never shows the code" "$out" "ABCDEF123456"
m=$(mail www.example.net 4002 "" none)
dcv pipe -r admin@www.example.net <"$m" >/dev/null 2>&1
id=$(q "select id from requests order by id desc limit 1")
out=$(dcv approve "$id" 2>&1); rc=$?
check_eq "approve ID still refuses an unauthenticated sender (65), sending nothing" "$rc:$(site)" "65:2"
check_contains "saying why" "$out" "sender not authenticated"

# dcvmail reject ID: recorded, the CA's reject link shown, never requested
dcv pipe -r admin@www.example.net <"$(mail www.example.net 5001)" >/dev/null 2>&1
id=$(q "select id from requests order by id desc limit 1")
: >"$TEST_TMP/ca.log"
out=$(SUDO_USER=daemon dcv reject "$id" --note "not ours" 2>&1); rc=$?
check_eq "reject ID records the person's rejection" "$rc:$(q "select state || ' ' || state_by || ' ' || state_note from requests where id = $id")" "0:rejected daemon not ours"
check_contains "and shows the CA's own reject link" "$out" "https://localhost:$CA/reject?order=5001"
check_eq "which dcvmail never requests" "$(site)" 0
t_done
