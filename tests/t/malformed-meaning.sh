# Malformed mail keeps its meaning (issue 15 item 6): a CA mail that a rule
# recognises but whose MIME never closes (truncated, or cut off mid-word)
# shows the rule's type, CA and fields in check, list and show (text and
# JSON), with `malformed` as a separate status and its reason; it is never
# approved, even authenticated and expected: the local CA site gets no
# request, while a whole copy under the same conditions is approved.
. "$TOP/tests/lib.sh"
HTTPS_PIDS=
trap 'for p in $HTTPS_PIDS; do kill $p 2>/dev/null; done' EXIT
S="$TEST_TMP/state"; DB="$S/ledger.db"; R="$TEST_TMP/rules"; C="$TOP/tests/corpus/ca"
CA=$(free_port)
tls_cert "$TEST_TMP" site
mkdir -p "$R"
testca_rules "$R"
cp "$TOP/rules/digicert.rules" "$TOP/rules/sectigo.rules" "$R/"
export DCVMAIL_RULES_DIR="$R"
cat >"$TEST_TMP/c.conf" <<CONF
syslog no
rules-dir $R
trust-authserv-id mx.example.test
check-trust-authserv-id yes
https-ca-file $TEST_TMP/site-ca.pem
approve-timeout 3
route {
  type dcv malformed suspicious
  approve
}
auto-approve testca
CONF
dcv() { "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" "$@"; }
q() { sqlite3 "$DB" "$1"; }
site() { cat "$TEST_TMP/ca.log" 2>/dev/null | wc -l | tr -d ' '; }
echo '{"GET /approve": {"body": "<form>order code</form>"}, "POST /approve": {"body": "<p>Thank you: the domain is validated.</p>"}}' >"$TEST_TMP/ca.routes"
https_start ca "$CA" site

# mail ORDER WHOLE|CUT: an authenticated request of the test CA, whole or cut off
mail() {
	f="$TEST_TMP/m$1.eml"
	cat >"$f" <<EOF
Authentication-Results: mx.example.test; dkim=pass header.d=ca.test
From: Test CA Validation <validation@ca.test>
To: admin@www.example.com
Subject: Approve the certificate for www.example.com (order $1)
Message-ID: <m$1@ca.test>
Date: $(date -u -R)
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

Someone ordered a certificate for www.example.com. Your code: ABCDEF123456
Approve: https://localhost:$CA/approve?order=$1&t=tok
Reject: https://localhost:$CA/reject?order=$1&t=tok
EOF
	if [ "$2" = WHOLE ]; then printf -- '--b1--\n' >>"$f"; else printf 'Thank y' >>"$f"; fi
	echo "$f"
}
dcv expect add --ca testca --domain www.example.com --order 1001 --until +7d >/dev/null
dcv expect add --ca testca --domain www.example.com --order 1002 --until +7d >/dev/null
dcv pipe -r admin@www.example.com <"$(mail 1001 WHOLE)" >/dev/null 2>&1
check_eq "control: the whole mail is approved" "$(q "select state from requests where order_id = '1001'")" approved
control=$(site)
check "control: the CA's site got the approval" [ "$control" -gt 0 ]

m=$(mail 1002 CUT)
out=$(dcv check --dry-run "$m" 2>&1)
check_contains "check: the rule's type, then malformed" "$out" "	dcv (malformed)	testca/testca-dcv	"
check_contains "check: its fields" "$out" "	domain=www.example.com	order=1002	"
check_contains "check: the reason" "$out" "! malformed: multipart/mixed: no closing boundary (truncated)"
out=$(dcv check --dry-run --json "$m" 2>/dev/null)
check_contains "check --json: status and reason" "$out" '"status":"malformed","status_reason":"multipart/mixed: no closing boundary (truncated)"'
check_contains "check --json: type, the rule's type, CA, rule" "$out" '"type":"malformed","rule_type":"dcv","ca":"testca","rule":"testca-dcv"'
check_contains "check --json: fields" "$out" '"fields":{"domain":"www.example.com","order":"1002","code":"ABCDEF123456"}'
check_not_contains "check --json: no approval planned" "$out" '"kind":"approve"'
check_contains "check --json: it says why" "$out" "a malformed mail is never approved automatically"
dcv pipe -r admin@www.example.com <"$m" >/dev/null 2>&1
dcv outbox >/dev/null 2>&1
check_eq "the CA's site got no request for it" "$(site)" "$control"
id=$(q "select id from requests where order_id = '1002'")
out=$(dcv list)
row=$(printf '%s\n' "$out" | grep "^$id ")
check_contains "list: the rule's type" "$row" " dcv "
check_contains "list: CA, domain and order" "$(printf "%s" "$row" | tr -s " ")" "testca www.example.com 1002"
check_contains "list: malformed and why" "$row" "malformed: multipart/mixed: no closing boundary (truncated)"
row=$(printf '%s\n' "$out" | grep "^1 ")
check_not_contains "list: a whole request has no status note" "$row" "malformed"
out=$(dcv list --json | grep "\"id\":$id,")
check_contains "list --json: type, rule's type, status, reason" "$out" '"rule_type":"dcv","status":"malformed","status_reason":"multipart/mixed: no closing boundary (truncated)"'
out=$(dcv show "$id")
check_contains "show: a dcv request of malformed mail" "$out" "request $id: dcv request (MALFORMED mail) from testca"
check_contains "show: domain and order" "$out" "domain www.example.com, order 1002"
check_contains "show: why, never approved" "$out" "malformed: multipart/mixed: no closing boundary (truncated); never approved"
check_contains "show: the message's status" "$out" "malformed dcv mail: multipart/mixed: no closing boundary (truncated)"
out=$(dcv show --json "$id")
check_contains "show --json: the request's status" "$out" '"rule_type":"dcv","status":"malformed","status_reason":"multipart/mixed: no closing boundary (truncated)","messages"'
check_contains "show --json: the message's status" "$out" '"type":"malformed","rule_type":"dcv","status":"malformed","status_reason":"multipart/mixed: no closing boundary (truncated)"'
out=$(dcv approve "$id" 2>&1); rc=$?
check_eq "a person's approve is refused (exit 65)" "$rc" 65
check_contains "as malformed" "$out" "a malformed mail is never approved"
check_eq "the CA's site still got nothing for it" "$(site)" "$control"

# the shipped rules: DigiCert's truncated and Sectigo's cut-off fixtures
out=$(dcv check --dry-run "$C/digicert-dcv-truncated.eml" "$C/sectigo-dcv-cut-off.eml" 2>&1)
check_contains "DigiCert truncated: dcv (malformed), rule and fields" "$out" "	dcv (malformed)	digicert/digicert-dcv	"
check_contains "Sectigo cut off: dcv (malformed), rule and fields" "$out" "	dcv (malformed)	sectigo/sectigo-dcv	"
check_contains "Sectigo cut off: its order" "$out" "order=123456790"
t_done
