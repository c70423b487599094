# Per-intake trust of Authentication-Results, tried as an attacker: a stranger
# appends mail with a forged "Authentication-Results: <trusted id>; dkim=pass
# header.d=<CA>" to a hosted mailbox that `watch` reads (real Dovecot), and a
# local HTTPS "CA site" records whether anything was approved.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-dovecot.sh"
if [ "$(id -u)" != 0 ] || ! command -v dovecot >/dev/null; then skip "needs root and dovecot"; exit 0; fi
HTTPS_PIDS=
trap 'for p in $HTTPS_PIDS; do kill $p 2>/dev/null; done; dv_stop' EXIT
if ! dv_start; then not_ok "private Dovecot starts"; exit 1; fi
S="$TEST_TMP/state"; DB="$S/ledger.db"; R="$TEST_TMP/rules"
CA=$(free_port)
tls_cert "$TEST_TMP" site
mkdir -p "$R"
testca_rules "$R"
export DCVMAIL_RULES_DIR="$R"
printf 'secret\n' >"$TEST_TMP/pw"; chmod 600 "$TEST_TMP/pw"
# conf [SETTING FOR MAILBOX provider]: the global trust-authserv-id is the
# Postfix's (pipe); "hosted" never names an id, "provider" only with $1
conf() {
	{
	cat <<CONF
syslog no
rules-dir $R
trust-authserv-id mx.example.test
https-ca-file $TEST_TMP/site-ca.pem
approve-timeout 3
auto-approve testca
route {
  type dcv
  approve
}
CONF
	for mb in hosted:whois provider:approver; do
		printf 'mailbox %s {\n url imaps://localhost:%s/INBOX\n user %s@example.test\n password-file %s\n role %s\n ca-file %s\n timeout 10\n%s\n}\n' \
			"${mb%%:*}" "$DV_IMAPS" "${mb#*:}" "$TEST_TMP/pw" "${mb#*:}" "$DV_CA" \
			"$([ "${mb%%:*}" = provider ] && echo "${1:-}")"
	done
	} >"$TEST_TMP/c.conf"
}
conf
dcv() { "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" "$@"; }
q() { sqlite3 "$DB" "$1"; }
site() { wc -l <"$TEST_TMP/ca.log" | tr -d ' '; }
# mail DOMAIN ORDER [HEADERS...]: a DCV request in Test CA's words, with HEADERS on top
n=0
mail() {
	n=$((n + 1)); f="$TEST_TMP/m$n.eml"; d=$1; o=$2; shift 2
	{
	for h in "$@"; do printf '%s\n' "$h"; done
	cat <<EOF
From: Test CA Validation <validation@ca.test>
To: admin@$d
Subject: Approve the certificate for $d (order $o)
Message-ID: <m$n.$o@ca.test>
Date: $(date -u -R)
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Someone ordered a certificate for $d. Your code: ABCDEF123456
Approve: https://localhost:$CA/approve?order=$o&t=tok$n
Reject: https://localhost:$CA/reject?order=$o&t=tok$n
EOF
	} >"$f"
	echo "$f"
}
FORGED="Authentication-Results: mx.example.test; dkim=pass header.d=ca.test"
echo '{"GET /approve": {"body": "<form>order code</form>"}, "POST /approve": {"body": "<p>Thank you: the domain is validated.</p>"}}' >"$TEST_TMP/ca.routes"
https_start ca "$CA" site
for o in 2001 2002 2003 2004 2005 2006; do dcv expect add --ca testca --domain www.example.com --order $o >/dev/null; done

# 1. the attack: forged header in a hosted mailbox
dv_append whois@example.test "$(mail www.example.com 2001 "$FORGED")"
out=$(dcv watch --once 2>&1); rc=$?
check_eq "watch --once reads the hosted mailbox" "$rc" 0
check_eq "the forged header is not believed: auth is not pass" "$(q "select auth from messages where mailbox = 'hosted'")" "none"
check_contains "and the reason names the mailbox without a trusted id" \
	"$(q "select auth_reason from messages where mailbox = 'hosted'")" "mailbox 'hosted' has no trust-authserv-id"
check_eq "no approval is planned" "$(q "select count(*) from outbox where kind = 'approve'")" 0
check_eq "the CA's site got no request" "$(site)" 0
id=$(q "select id from requests where order_id = '2001'")
out=$(dcv approve "$id" --dry-run 2>&1); rc=$?
check "approve ID --dry-run refuses the forged mail (exit $rc)" [ "$rc" -ne 0 ]
check_contains "saying the sender is not authenticated" "$out" "sender not authenticated"
out=$(dcv approve "$id" 2>&1); rc=$?
check "approve ID refuses too (exit $rc)" [ "$rc" -ne 0 ]
check_eq "and still nothing reached the CA's site" "$(site)" 0
check_eq "the request stays pending" "$(q "select state from requests where id = $id")" "pending"

# 2. the same forgery in a mailbox without a per-mailbox setting, even when the
#    global id is the provider's: the global id is only for the pipe
dv_append approver@example.test "$(mail www.example.com 2002 "$FORGED")"
dcv watch --once >/dev/null 2>&1
check_eq "a mailbox without its own trust-authserv-id ignores the global one" \
	"$(q "select auth from messages where mailbox = 'provider'")" "none"
check_eq "still no request to the CA's site" "$(site)" 0

# 3. positive control: the admin says the provider writes (and strips) mx.example.test
conf " trust-authserv-id mx.example.test"
check_eq "-n accepts trust-authserv-id in a mailbox block" "$("$DCVMAIL" -c "$TEST_TMP/c.conf" -n >/dev/null 2>&1; echo $?)" 0
dv_append approver@example.test "$(mail www.example.com 2003 "$FORGED")"
dcv watch --once >/dev/null 2>&1
check_eq "with the per-mailbox setting its header is believed" \
	"$(q "select auth from messages m join requests r on r.id = m.request_id where r.order_id = '2003'")" "pass"
check_eq "and the expected request is approved on the CA's site (GET, POST)" "$(site)" 2
check_eq "the ledger says approved" "$(q "select state from requests where order_id = '2003'")" "approved"
id=$(q "select id from requests where order_id = '2001'")
out=$(dcv approve "$id" --dry-run 2>&1)
check_contains "the hosted mailbox's forged mail stays refused after that" "$out" "sender not authenticated"
#    ... but only the headers above the first Received count there too
dv_append approver@example.test "$(mail www.example.com 2004 "Received: from evil.example by imap.provider.example" "$FORGED")"
dcv watch --once >/dev/null 2>&1
check_eq "a trusted id below the provider's Received is not believed" \
	"$(q "select auth from messages m join requests r on r.id = m.request_id where r.order_id = '2004'")" "none"
check_eq "nothing more reached the CA's site" "$(site)" 2

# 4. the pipe (the admin's own Postfix) keeps trusting the global id
approves() { q "select count(*) from outbox o join requests r on r.id = o.request_id where o.kind = 'approve' and r.order_id = '$1'"; }
auth_of() { q "select m.auth from messages m join requests r on r.id = m.request_id where r.order_id = '$1'"; }
m=$(mail www.example.com 2005 "$FORGED" "Received: from ca.test by mx.example.test (Postfix)")
dcv pipe -r admin@www.example.com <"$m" >/dev/null 2>&1
check_eq "pipe believes the header its MTA put above Received" "$(auth_of 2005)" "pass"
check_eq "and the expected request is approved on the CA's site" "$(site)" 4
# item 3: below the MTA's Received (a milter was down), and a trusted fail before a trusted pass
m=$(mail www.example.com 2007 "Received: from evil.example by mx.example.test (Postfix)" "$FORGED")
dcv expect add --ca testca --domain www.example.com --order 2007 >/dev/null
dcv pipe -r admin@www.example.com <"$m" >/dev/null 2>&1
check_eq "pipe: a trusted header below the MTA's Received is not believed" "$(auth_of 2007)" "none"
check_eq "no approval planned for it" "$(approves 2007)" 0
m=$(mail www.example.com 2006 "Authentication-Results: mx.example.test; dkim=fail header.d=ca.test; dmarc=fail header.from=ca.test" \
	"$FORGED" "Received: from evil.example by mx.example.test (Postfix)")
out=$(dcv check --dry-run --json "$m" 2>&1)
check_contains "check does not believe headers in files by default" "$out" '"result":"none"'
out=$(dcv pipe --dry-run -r admin@www.example.com <"$m" 2>&1)
check_contains "pipe: a trusted fail, then a trusted pass: suspicious" "$out" "suspicious testca/testca-dcv"
dcv pipe -r admin@www.example.com <"$m" >/dev/null 2>&1
check_eq "recorded with auth fail" "$(auth_of 2006)" "fail"
check_eq "no approval planned for it" "$(approves 2006)" 0
check_eq "and the CA's site got nothing more" "$(site)" 4
t_done
