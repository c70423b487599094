# Approval guardrails (DESIGN.md 5): only an authenticated, expected request on an
# allowlisted https link for an auto-approve CA passes; every other case goes to
# a person with the reason in plain words.
. "$TOP/tests/lib.sh"
S="$TEST_TMP/state"; P="$TOP/tests/corpus/phish"; FIX="$TOP/tests/corpus/ca"
conf() {
	cat >"$TEST_TMP/c.conf" <<CONF
syslog no
trust-authserv-id mx.example.test
check-trust-authserv-id yes
$1
smtp {
  url smtp://127.0.0.1:25
  from dcvmail@example.test
}
route {
  type dcv ev-intent suspicious
  forward ops@example.test
  approve
}
CONF
}
plan() { "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" check --dry-run --json "$1" 2>/dev/null |
	python3 -c 'import json,sys; o=json.loads(sys.stdin.readline()); print(" | ".join("%s: %s" % (a["kind"], a["why"]) for a in o["actions"]))'; }
conf "auto-approve digicert sectigo"
"$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" expect add --ca digicert --domain shop.example.com --until +10d >/dev/null
out=$(plan "$P/genuine-digicert.eml")
check_contains "authenticated + expected + allowlisted + auto-approve: every guardrail holds" "$out" "every guardrail holds"
check_not_contains "and nothing is said against it" "$out" "not authenticated"
out=$(plan "$FIX/digicert-dcv-plain.eml")
check_contains "unauthenticated sender: a person is told why" "$out" "sender not authenticated"
check_contains "CA wording from an unauthenticated sender is suspicious" "$out" "DigiCert wording, but the sender is not authenticated"
check_not_contains "unauthenticated sender: no approval" "$out" "guardrail holds"
out=$(plan "$P/genuine-sectigo.eml")
check_contains "no expectation for the domain: not approved" "$out" "not an expected order: no \`dcvmail expect\` for sectigo www.example.net"
conf "auto-approve sectigo"
out=$(plan "$P/genuine-digicert.eml")
check_contains "auto-approve off for the CA: not approved" "$out" "auto-approve is off for digicert"
conf "auto-approve digicert"
for f in lookalike-suffix userinfo ip-literal plain-http punycode-cyrillic html-anchor-mismatch; do
	out=$(plan "$P/$f.eml")
	check_not_contains "$f: no approval" "$out" "guardrail holds"
	check_contains "$f: forwarded as suspicious" "$out" "forward: the mail is suspicious"
done
# an expired expectation does not count
"$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" expect rm 1 >/dev/null
"$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" expect add --ca digicert --domain shop.example.com >/dev/null
sqlite3 "$S/ledger.db" "update expectations set until = strftime('%s','now') - 60"
out=$(plan "$P/genuine-digicert.eml")
check_contains "an expired expectation: not approved" "$out" "not an expected order"
# an order-specific expectation must match the order
"$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" expect add --ca digicert --domain shop.example.com --order 1 >/dev/null
out=$(plan "$P/genuine-digicert.eml")
check_contains "another order: not approved" "$out" "not an expected order"
"$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" expect add --ca digicert --domain shop.example.com --order 48210100 >/dev/null
out=$(plan "$P/genuine-digicert.eml")
check_contains "the expected order: approved" "$out" "every guardrail holds"
# a reject-only mail is never approved
out=$(plan "$FIX/sectigo-reject-only.eml")
check_contains "reject link only: no approval link" "$out" "the mail has no approval link"
t_done
