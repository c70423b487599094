# Names in one form (issue 16): a domain written as U-label or as A-label is
# one request, one expectation and one reuse deadline; people see the A-label
# with its Unicode form beside it; `list` columns line up by display width.
. "$TOP/tests/lib.sh"
printf 'syslog no\ntrust-authserv-id mx.example.test\ncheck-trust-authserv-id yes\n' >"$TEST_TMP/c.conf"
export DCVMAIL_CONFIG="$TEST_TMP/c.conf"
S="$TEST_TMP/state"
q() { sqlite3 "$S/ledger.db" "$1"; }
geotrust() { # FILE DOMAIN TOKEN: the legacy GeoTrust request, keyed by domain and approval link
	printf 'Authentication-Results: mx.example.test; dkim=pass header.d=digicert.com\nFrom: GeoTrust <validation@geotrust.com>\nTo: admin@example.org\nSubject: =?utf-8?b?%s?=\nMessage-ID: <%s@t>\nDate: %s\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nOpen https://products.geotrust.com/approve/dcv?token=%s to approve.\n' \
		"$(printf 'Please validate ownership of your domain:%s' "$2" | base64 -w0)" "$(basename "$1")" "$(date -u -R)" "$3" >"$1"
}
geotrust "$TEST_TMP/u.eml" 'www.bücher.example' Qm9vaw
geotrust "$TEST_TMP/a.eml" 'www.xn--bcher-kva.example' Qm9vaw
geotrust "$TEST_TMP/up.eml" 'WWW.XN--BCHER-KVA.EXAMPLE' Qm9vaw
out=$("$DCVMAIL" check --dry-run "$TEST_TMP/u.eml" 2>/dev/null)
check_contains "check shows the A-label with the Unicode form beside it" "$out" "domain=www.xn--bcher-kva.example (www.bücher.example)"
out=$("$DCVMAIL" check --dry-run --json "$TEST_TMP/u.eml" 2>/dev/null)
check_contains "check --json gives the A-label alone" "$out" '"domain":"www.xn--bcher-kva.example"'
"$DCVMAIL" -d "$S" check -q "$TEST_TMP/u.eml" "$TEST_TMP/a.eml" "$TEST_TMP/up.eml" >/dev/null 2>&1
check_eq "the U-label, A-label and upper-case A-label mail make one request" "$(q "select count(*) from requests")" 1
check_eq "with three copies" "$(q "select copies from requests")" 3
check_eq "stored as the A-label" "$(q "select domain from requests")" "www.xn--bcher-kva.example"
check_eq "in the key too" "$(q "select key from requests")" "digicert:dcv:domain:www.xn--bcher-kva.example:https://products.geotrust.com/approve/dcv?token=Qm9vaw"
out=$("$DCVMAIL" -d "$S" list 2>&1)
check_contains "list shows the Unicode form beside the A-label" "$out" "www.xn--bcher-kva.example (www.bücher.example)"
out=$("$DCVMAIL" -d "$S" list --json 2>&1)
check_contains "list --json keeps the one stored form" "$out" '"domain":"www.xn--bcher-kva.example"'
id=$(q "select id from requests")
out=$("$DCVMAIL" -d "$S" show "$id" 2>&1)
check_contains "show gives both forms" "$out" "domain www.xn--bcher-kva.example (www.bücher.example),"
# the reuse deadline of an approval is the A-label's
"$DCVMAIL" -d "$S" approve "$id" --record-only >/dev/null 2>&1
check_eq "approve --record-only records one validation" "$(q "select count(*) from validations")" 1
check_eq "the validation (reuse deadline) is recorded for the A-label" "$(q "select domain from validations")" "www.xn--bcher-kva.example"
	out=$("$DCVMAIL" -d "$S" report 2>&1)
check_contains "report shows it with its Unicode form" "$out" "www.xn--bcher-kva.example (www.bücher.example)"

# expect add in either form covers mail in both forms
for form in 'shop.bücher.example' 'SHOP.XN--BCHER-KVA.EXAMPLE'; do
	S="$TEST_TMP/s-$(printf %s "$form" | md5sum | cut -c1-8)"
	out=$("$DCVMAIL" -d "$S" expect add --ca digicert --domain "$form" 2>&1)
	check_contains "expect add $form stores the A-label" "$out" "digicert shop.xn--bcher-kva.example until"
	check_contains "and shows the Unicode form" "$out" "covers shop.xn--bcher-kva.example (shop.bücher.example) only"
	geotrust "$TEST_TMP/e1.eml" 'shop.bücher.example' RTE
	geotrust "$TEST_TMP/e2.eml" 'shop.xn--bcher-kva.example' RTI
	"$DCVMAIL" -d "$S" check -q "$TEST_TMP/e1.eml" >/dev/null 2>&1
	check_eq "expect add $form: U-label mail is expected" "$(q "select expected from requests where key like '%RTE'")" 1
	"$DCVMAIL" -d "$S" expect rm 1 >/dev/null 2>&1
	"$DCVMAIL" -d "$S" expect add --ca digicert --domain "$form" >/dev/null 2>&1
	"$DCVMAIL" -d "$S" check -q "$TEST_TMP/e2.eml" >/dev/null 2>&1
	check_eq "expect add $form: A-label mail is expected" "$(q "select expected from requests where key like '%RTI'")" 1
done
out=$("$DCVMAIL" -d "$S" expect add --ca digicert --domain 'xn--zz.example' 2>&1); rc=$?
check_eq "expect add refuses an invalid A-label" "$rc" 64
check_contains "saying why" "$out" "not a valid internationalised domain name"

# Widths: a Japanese name in list does not push the columns after it
S="$TEST_TMP/wide"
geotrust "$TEST_TMP/j1.eml" '日本語ドメイン.example.com' SjE
geotrust "$TEST_TMP/j2.eml" 'www.example.com' SjI
geotrust "$TEST_TMP/j3.eml" 'ｗｗｗ．例え．テスト' SjM
"$DCVMAIL" -d "$S" check -q "$TEST_TMP/j1.eml" "$TEST_TMP/j2.eml" "$TEST_TMP/j3.eml" >/dev/null 2>&1
"$DCVMAIL" -d "$S" list >"$TEST_TMP/list" 2>&1
check_eq "three requests listed" "$(wc -l <"$TEST_TMP/list")" 4
check_contains "the full-width name is stored as its A-label" "$(cat "$TEST_TMP/list")" "www.xn--r8jz45g.xn--zckzah (www.例え.テスト)"
cols=$(python3 - "$TEST_TMP/list" <<'PY'
import re, sys, unicodedata
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
order, last = set(), set()
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    # the field after DOMAIN (ORDER: "-" in these rows) and the last one (EXPECTED)
    m = re.search(r" (ORDER|-) ", line)
    order.add(width(line[:m.start() + 1]))
    last.add(width(line[:line.rindex(" ") + 1]))
print(len(order), len(last), sorted(order), sorted(last))
PY
)
check_eq "ORDER and EXPECTED start at one display column in every row" "$(echo "$cols" | cut -d' ' -f1-2)" "1 1"

# a rules file may name its hosts as U-labels: they are compared as A-labels
R="$TEST_TMP/rules"; mkdir -p "$R"
cat >"$R/idnca.rules" <<'RULES'
ca idnca "IDN CA"
  from-domain  zertifikat-bücher.example
  link-host    prüfung.example

rule idnca-dcv
  type     dcv
  subject  /^Approve (?<domain>\S+)$/
  link     approve /\/approve\?/
RULES
printf 'From: CA <ca@xn--zertifikat-bcher-uzb.example>\nSubject: Approve www.example.org\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nhttps://xn--prfung-4ya.example/approve?t=1\n' >"$TEST_TMP/idn.eml"
out=$(DCVMAIL_CONFIG= DCVMAIL_RULES_DIR="$R" "$DCVMAIL" check --dry-run "$TEST_TMP/idn.eml" 2>&1)
check_contains "U-label from-domain and link-host in a rules file match A-label mail" "$out" "	dcv	idnca/idnca-dcv"
check_not_contains "the approval link host is allowed" "$out" "not allowed"
printf 'ca bad "Bad"\n  from-domain xn--zz.example\n  link-host bad.example\n' >"$R/bad.rules"
out=$(DCVMAIL_RULES_DIR="$R" "$DCVMAIL" rules lint "$R" 2>&1)
check_contains "an invalid A-label in a rules file is an error with file and line" "$out" "bad.rules:2"
t_done
