# Forwarded CA mail (dcvmail.rules(5), FORWARDED MAIL): a person forwards the
# CA's request. The forwarded copy and the CA's own copy are ONE request with
# two copies; the forwarded one is shown "forwarded by X" and is never
# approved, even when an expectation matches, even when it came first; a
# fake forward (a non-CA sender pasting a CA From line) is never approved
# either. `dcvmail check` records into a ledger, `dcvmail outbox` runs the
# queued actions against a local HTTPS "CA site" that counts what it gets.
. "$TOP/tests/lib.sh"
HTTPS_PIDS=
trap 'for p in $HTTPS_PIDS; do kill $p 2>/dev/null; done' EXIT
S="$TEST_TMP/state"; DB="$S/ledger.db"; R="$TEST_TMP/rules"
CA=$(free_port)
tls_cert "$TEST_TMP" site
mkdir -p "$R"
testca_rules "$R"
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
n=$$
ca_body() { # DOMAIN ORDER
	cat <<EOF
Someone ordered a certificate for $1. Your code: ABCDEF123456
Approve: https://localhost:$CA/approve?order=$2&t=tok$2
Reject: https://localhost:$CA/reject?order=$2&t=tok$2
EOF
}
mail() { # DOMAIN ORDER: the test CA's own DCV request, authenticated
	f="$TEST_TMP/ca.$2.eml"
	cat >"$f" <<EOF
Authentication-Results: mx.example.test; dkim=pass header.d=ca.test
From: Test CA Validation <validation@ca.test>
To: admin@example.com
Subject: Approve the certificate for $1 (order $2)
Message-ID: <m.$2.$n@ca.test>
Date: Wed, 25 Nov 2026 09:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

$(ca_body "$1" "$2")
EOF
	echo "$f"
}
fwd() { # DOMAIN ORDER FROM [INNER_FROM]: FROM forwards it with Gmail's block (FROM's DKIM passes)
	f="$TEST_TMP/fwd.$2.$(printf %s "$3" | tr -c 'a-z0-9.' _).eml"
	cat >"$f" <<EOF
Authentication-Results: mx.example.test; dkim=pass header.d=${3#*@}
From: Someone <$3>
To: admin@example.com
Subject: Fwd: Approve the certificate for $1 (order $2)
Message-ID: <f.$2.$n@${3#*@}>
Date: Wed, 25 Nov 2026 09:30:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Please have a look.

---------- Forwarded message ---------
From: Test CA Validation <${4:-validation@ca.test}>
Date: Wed, Nov 25, 2026 at 9:00 AM
Subject: Approve the certificate for $1 (order $2)
To: <$3>


$(ca_body "$1" "$2")
EOF
	echo "$f"
}
dcv() { "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" "$@"; }
q() { sqlite3 "$DB" "$1"; }
json() { python3 -c 'import json,sys; o=json.loads(sys.stdin.readline()); print(eval(sys.argv[1]))' "$1"; }
approved_orders() { python3 -c '
import json, sys
print(" ".join(sorted(json.loads(l)["body"].split("&")[0] for l in open(sys.argv[1]) if json.loads(l)["method"] == "POST")))' "$TEST_TMP/ca.log" 2>/dev/null; }
echo '{"GET /approve": {"body": "<form>order code</form>"}, "POST /approve": {"body": "<p>Thank you: the domain is validated.</p>"}}' >"$TEST_TMP/ca.routes"
https_start ca "$CA" site
for o in 2001 2002 2003 2004; do
	dcv expect add --ca testca --domain www.example.com --order $o >/dev/null
done

# --- the forwarded copy comes first: classified from its inner mail, never approved
out=$(dcv check --json "$(fwd www.example.com 2001 alice@example.net)" 2>/dev/null)
check_eq "the forwarded copy is a dcv request of the test CA" "$(printf %s "$out" | json 'o["type"] + " " + o["ca"] + " " + o["fields"]["order"]')" "dcv testca 2001"
check_eq "forwarded by its outer sender" "$(printf %s "$out" | json 'o["forwarded_by"]')" "alice@example.net"
check_eq "a new request" "$(printf %s "$out" | json 'o["recorded"]["new_request"]')" "True"
check_eq "no approval planned, though an expectation matches: a flag for a person" \
	"$(printf %s "$out" | json '",".join(a["kind"] for a in o["actions"])')" "flag"
check_contains "saying why" "$(printf %s "$out" | json 'o["actions"][0]["why"]')" \
	"forwarded by alice@example.net: a forwarded copy is never approved, only the CA's own mail is"
line=$(dcv check --dry-run "$(fwd www.example.com 2001 alice@example.net)" 2>/dev/null | head -1)
check_contains "check's line shows who forwarded it" "$line" "forwarded-by=alice@example.net"
dcv outbox >/dev/null 2>&1
check_eq "the CA's site got nothing" "$(approved_orders)" ""
out=$(dcv approve 1 --dry-run 2>&1)
check_contains "a person's approve refuses the forwarded copy too" "$out" "would not be approved: forwarded by alice@example.net"
check_eq "the expectation is not used by the forwarded copy" "$(q "select count(*) from expectation_uses")" 0

# --- the CA's own copy joins it: one request, two copies, and it is approved
out=$(dcv check --json "$(mail www.example.com 2001)" 2>/dev/null)
check_eq "the CA's copy joins request 1" "$(printf %s "$out" | json 'o["recorded"]["request_id"]')" 1
check_eq "which has 2 copies now" "$(printf %s "$out" | json 'o["recorded"]["copies"]')" 2
check_eq "the CA's own copy is not a forwarded one" "$(printf %s "$out" | json 'o["forwarded_by"]')" "None"
check_eq "the approval is queued, from the CA's copy" \
	"$(q "select count(*) from outbox where kind = 'approve' and request_id = 1 and message_sha256 = (select sha256 from messages where from_addr = 'validation@ca.test')")" 1
check_eq "one request in the ledger" "$(q "select count(*) from requests")" 1
dcv outbox >/dev/null 2>&1
check_eq "the CA's site got the approval of order 2001, once" "$(approved_orders)" "order=2001"
check_eq "the request is approved" "$(q "select state from requests where id = 1")" "approved"
show=$(dcv show 1)
check_contains "show: 2 copies" "$show" "2 copies"
check_contains "show: the forwarded copy says who forwarded it" "$show" "forwarded by alice@example.net: never approved from this copy"
check_eq "show --json names the forwarder per message" \
	"$(dcv show --json 1 | json '",".join(str(m["forwarded_by"]) for m in o["messages"])')" "alice@example.net,None"

# --- the CA's copy first, then the forward: a copy, nothing approved twice
dcv check "$(mail www.example.com 2002)" >/dev/null 2>&1
dcv outbox >/dev/null 2>&1
out=$(dcv check --json "$(fwd www.example.com 2002 bob@example.org)" 2>/dev/null)
check_eq "the later forward is a copy of the CA's request" \
	"$(printf %s "$out" | json 'str(o["recorded"]["new_request"]) + " " + str(o["recorded"]["copies"])')" "False 2"
dcv outbox >/dev/null 2>&1
check_eq "order 2002 approved once, from the CA's copy" "$(approved_orders)" "order=2001 order=2002"
check_eq "two approvals queued in all, none from a forwarded copy" \
	"$(q "select count(*) from outbox o join messages m on m.sha256 = o.message_sha256 where o.kind = 'approve' and m.from_addr = 'validation@ca.test'")" 2

# --- no expectation: a person decides; `approve ID` takes the CA's copy, not the forward that came first
dcv check "$(fwd www.example.com 2005 carol@example.org)" >/dev/null 2>&1
out=$(dcv check --json "$(mail www.example.com 2005)" 2>/dev/null)
id=$(printf %s "$out" | json 'o["recorded"]["request_id"]')
check_eq "the CA's copy joins the forward's request" "$(printf %s "$out" | json 'o["recorded"]["copies"]')" 2
check_contains "not expected: no automatic approval" "$(printf %s "$out" | json 'o["actions"][0]["why"]')" "not an expected order"
check_contains "a person's approve --dry-run would use the CA's own copy" "$(dcv approve "$id" --dry-run 2>&1)" "would open"

# --- a fake forward: a non-CA sender pastes the CA's From line; nothing approves it
out=$(dcv check --json "$(fwd www.example.com 2003 attacker@evil.example)" 2>/dev/null)
check_eq "the fake forward is at most a forwarded copy" "$(printf %s "$out" | json 'o["type"] + " " + o["forwarded_by"]')" "dcv attacker@evil.example"
check_eq "no approval planned" "$(printf %s "$out" | json '",".join(a["kind"] for a in o["actions"])')" "flag"
dcv outbox >/dev/null 2>&1
id=$(printf %s "$out" | json 'o["recorded"]["request_id"]')
check_contains "a person's approve refuses it" "$(dcv approve "$id" --dry-run 2>&1)" "forwarded by attacker@evil.example"
dcv approve "$id" >/dev/null 2>&1
check_eq "the CA's site got nothing for order 2003" "$(approved_orders)" "order=2001 order=2002"
check_eq "its request stays pending" "$(q "select state from requests where id = $id")" "pending"

# --- a fake forward whose block names a foreign sender: suspicious, a request of its own
out=$(dcv check --json "$(fwd www.example.com 2004 attacker@evil.example no-reply@ca-test.example)" 2>/dev/null)
check_eq "suspicious" "$(printf %s "$out" | json 'o["type"]')" "suspicious"
check_eq "with a request key of its own" \
	"$(q "select key from requests where id = $(printf %s "$out" | json 'o["recorded"]["request_id"]')")" "suspicious:testca:order:2004:www.example.com"
dcv check "$(mail www.example.com 2004)" >/dev/null 2>&1
dcv outbox >/dev/null 2>&1
check_eq "the CA's own copy of 2004 is still approved: the fake one did not get in its way" \
	"$(approved_orders)" "order=2001 order=2002 order=2004"
t_done
