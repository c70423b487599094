# The link-shaped fallback (dcvmail.rules(5) FALLBACKS): mail from a CA in
# wording no rule knows, with a link of the shape of its approval pages, is
# a dcv request "template not recognised", and never approved, as an
# attacker who learnt the CA's link shape would try: authenticated, for an
# expected domain, on an allowed https host. The local HTTPS "CA site" must
# get no request at all, while the CA's known wording under the same
# conditions is approved there (so the setup can approve). A CA-looking
# sender that fails authentication stays suspicious.
. "$TOP/tests/lib.sh"
HTTPS_PIDS=
trap 'for p in $HTTPS_PIDS; do kill $p 2>/dev/null; done' EXIT
S="$TEST_TMP/state"; DB="$S/ledger.db"; R="$TEST_TMP/rules"
CA=$(free_port)
tls_cert "$TEST_TMP" site
mkdir -p "$R"
testca_rules "$R"
# the CA's approval pages are under /approve and /validate/confirm; the
# fallback takes the domain from the link's query
sed -i 's|^  link-host    localhost$|&\n  fallback-link /^\\/(?:approve\|validate\\/confirm)\\?(?:.*\&)?domain=(?<domain>[a-z0-9.-]+)/|' "$R/testca.rules"
export DCVMAIL_RULES_DIR="$R"
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
auto-approve testca
CONF
dcv() { "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" "$@"; }
q() { sqlite3 "$DB" "$1"; }
site() { cat "$TEST_TMP/ca.log" 2>/dev/null | wc -l | tr -d ' '; }
echo '{"GET /approve": {"body": "<form>order code</form>"}, "POST /approve": {"body": "<p>Thank you: the domain is validated.</p>"}, "*": {"body": "<p>Thank you: the domain is validated.</p>"}}' >"$TEST_TMP/ca.routes"
https_start ca "$CA" site
check_eq "the rules load (fallback-link in the CA block)" "$(dcv rules lint "$R" >/dev/null 2>&1; echo $?)" 0

# mail N SUBJECT LINK [AUTH]: from the test CA, authenticated unless AUTH is fail
mail() {
	f="$TEST_TMP/m$1.eml"
	{
	case ${4:-pass} in
	pass) echo "Authentication-Results: mx.example.test; dkim=pass header.d=ca.test" ;;
	fail) echo "Authentication-Results: mx.example.test; dkim=fail header.d=ca.test; dmarc=fail header.from=ca.test" ;;
	esac
	cat <<EOF
From: Test CA Validation <validation@ca.test>
To: admin@www.example.com
Subject: $2
Message-ID: <m$1@ca.test>
Date: $(date -u -R)
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Your code: ABCDEF123456
Go on: $3
EOF
	} >"$f"
	echo "$f"
}
dcv expect add --ca testca --domain www.example.com --until +7d >/dev/null
dcv expect add --ca testca --domain www.example.com --until +7d >/dev/null

# the control: the CA's known wording, same sender, domain and host, is approved
m=$(mail 1 "Approve the certificate for www.example.com (order 1001)" \
	"https://localhost:$CA/approve?order=1001&domain=www.example.com&t=tok1")
dcv pipe -r admin@www.example.com <"$m" >/dev/null 2>&1
check_eq "control: the known wording is approved on the CA's site" "$(q "select state from requests where order_id = '1001'")" approved
control=$(site)
check "control: the CA's site got the approval" [ "$control" -gt 0 ]

# the attacker's mail: new wording, the approval shape, every other guardrail holds
m=$(mail 2 "Please look at your certificate" "https://localhost:$CA/validate/confirm?domain=www.example.com&t=tok2")
out=$(dcv check --dry-run --json "$m" 2>/dev/null)
check_contains "check: a dcv request" "$out" '"type":"dcv"'
check_contains "of no rule" "$out" '"rule":null,"fallback":"template-not-recognised"'
check_contains "the CA named" "$out" '"ca":"testca"'
check_contains "the link captured" "$out" "\"approve\":\"https://localhost:$CA/validate/confirm?domain=www.example.com&t=tok2\""
check_contains "the domain from the link's query" "$out" '"domain":"www.example.com"'
check_contains "the sender authenticated" "$out" '"result":"pass"'
check_not_contains "no approval planned" "$out" '"kind":"approve"'
check_contains "a person is flagged instead, told why" "$out" '"kind":"flag"'
check_contains "the reason: template not recognised" "$out" "no rule recognises this mail's wording (template not recognised)"
check_not_contains "no other guardrail fails (authentication)" "$out" "sender not authenticated"
check_not_contains "no other guardrail fails (expectation)" "$out" "not an expected order"
check_not_contains "no other guardrail fails (link host)" "$out" "not allowed for this CA"
dcv pipe -r admin@www.example.com <"$m" >/dev/null 2>&1
check_eq "pipe records it as dcv of no rule" "$(q "select type || ' ' || coalesce(rule, '-') from messages where message_id = 'm2@ca.test'")" "dcv -"
check_eq "no approve action is queued" "$(q "select count(*) from outbox where kind = 'approve'")" \
	"$(q "select count(*) from outbox o join requests r on r.id = o.request_id where kind = 'approve' and r.order_id = '1001'")"
dcv outbox >/dev/null 2>&1
id=$(q "select request_id from messages where message_id = 'm2@ca.test'")
out=$(dcv approve "$id" 2>&1); rc=$?
check_eq "a person's approve is refused too (exit 65)" "$rc" 65
check_contains "saying why" "$out" "template not recognised"
check_eq "the CA's site got no request from it" "$(site)" "$control"
check_not_contains "its link was never opened" "$(cat "$TEST_TMP/ca.log")" "/validate/confirm"

# failed authentication: suspicious, not a dcv
m=$(mail 3 "Please look at your certificate" "https://localhost:$CA/validate/confirm?domain=www.example.com&t=tok3" fail)
out=$(dcv check --dry-run --json "$m" 2>/dev/null)
check_contains "a CA sender failing authentication is suspicious" "$out" '"type":"suspicious","rule_type":"dcv"'
check_contains "saying so" "$out" "sender authentication failed"
check_not_contains "and nothing approves it" "$out" '"kind":"approve"'

# a foreign sender with the CA's link shape: a notice naming the CA, no link taken
m=$(mail 4 "Please look at your certificate" "https://localhost:$CA/validate/confirm?domain=www.example.com&t=tok4" none)
sed -i 's/^From: .*/From: Helpdesk <helpdesk@example.org>/' "$m"
out=$(dcv check --dry-run --json "$m" 2>/dev/null)
check_contains "a foreign sender's mail is a notice" "$out" '"type":"notice"'
check_contains "naming the CA from the link host" "$out" "the CA is known only from the link host localhost"
check_contains "with no approval link" "$out" '"approve":null'
check_eq "the CA's site still got nothing more" "$(site)" "$control"

# fallback-link errors name file, line and cause
mkdir -p "$TEST_TMP/bad1" "$TEST_TMP/bad2" "$TEST_TMP/bad3"
printf 'ca x "X"\n  from-domain x.test\n  link-host x.test\nrule x-n\n  type notice\n  subject /a/\n  fallback-link /approve/\n' >"$TEST_TMP/bad1/x.rules"
out=$("$DCVMAIL" rules lint "$TEST_TMP/bad1" 2>&1)
check_contains "fallback-link after a rule is an error" "$out" "x.rules:7:3: fallback-link belongs in the 'ca' block, before its rules"
printf 'ca x "X"\n  from-domain x.test\n  link-host x.test\n  fallback-link /a/\n  fallback-link /b/\n' >"$TEST_TMP/bad2/x.rules"
out=$("$DCVMAIL" rules lint "$TEST_TMP/bad2" 2>&1)
check_contains "a second fallback-link is an error" "$out" "x.rules:5:3: ca 'x' has a fallback-link already"
printf 'ca x "X"\n  from-domain x.test\n  link-host x.test\n  fallback-link /(approve/\n' >"$TEST_TMP/bad3/x.rules"
out=$("$DCVMAIL" rules lint "$TEST_TMP/bad3" 2>&1); rc=$?
check_contains "a broken fallback-link pattern is an error" "$out" "x.rules:4:"
check_eq "and rules lint exits 78" "$rc" 78

# without fallback-link the CA's new wording is a notice
sed -i '/fallback-link/d' "$R/testca.rules"
out=$(dcv check --dry-run --json "$TEST_TMP/m2.eml" 2>/dev/null)
check_contains "a CA without fallback-link: a notice" "$out" '"type":"notice"'
check_contains "no rule matched" "$out" "no rule of CA testca matched"
t_done
