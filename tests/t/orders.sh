# Orders: what each certificate order still waits for. A DigiCert Japan EV
# order walked through mail by mail (three DCV copies, the intent mail, a
# step done on the phone, documents not needed, the approval, the issued
# notice); mail without an order id joining its order by registrable domain,
# and two open orders of one CA and domain that must not be merged; a DV
# order for two names under one order id (a DCV step per name, the copies of
# one name one request, the issued notice ending them all).
. "$TOP/tests/lib.sh"
S="$TEST_TMP/state"
export DCVMAIL_CONFIG=""
C="$TOP/tests/corpus/ca"
dcv() { "$DCVMAIL" -d "$S" "$@"; }
q() { sqlite3 "$S/ledger.db" "$1"; }
n=0
# put FIXTURE [SED]: the fixture sent now, as a new message (its own Message-ID)
put() {
	n=$((n + 1))
	sed "s/^Date: .*/Date: $(date -u -R)/; s/^Message-ID: .*/Message-ID: <o$n@t>/; ${2:-}" "$C/$1.eml" >"$TEST_TMP/m$n.eml"
	dcv check -q "$TEST_TMP/m$n.eml" >/dev/null 2>&1
}
# line ORDER: its line in `orders`, columns split by blanks
line() { dcv orders | awk -v o="$1" '$1 == o { $NF = ""; print }' | sed 's/ *$//'; }

O=digicert:55120987
put digicert-dcv-ja-iso2022jp
check_eq "the first DCV copy opens the order: 0 of 1 domains, the DCV step waiting" \
	"$(line $O)" "$O 0/1 - - - 0m dcv www.example.jp 0m"
put digicert-dcv-ja-iso2022jp 's/^To: .*/To: webmaster@example.jp/'
put digicert-dcv-ja-iso2022jp 's/^To: .*/To: hostmaster@example.jp/'
check_eq "three copies to three mailboxes: still one order" "$(dcv orders | grep -c "^digicert:55120987 ")" 1
check_eq "and one request with three copies" "$(q "select copies from requests where order_id = '55120987'")" 3
put digicert-ev-verified-contact-ja 's/48299101/55120987/g; s/secure.example.jp/www.example.jp/g'
check_eq "the intent mail to the responsible person joins the order as its intent step" \
	"$(line $O)" "$O 0/1 asked - - 0m dcv www.example.jp 0m"
check_eq "and stays a request of its own (kept apart from the DCV request)" \
	"$(q "select count(*) from requests where order_id = '55120987'")" 2
out=$(SUDO_USER=nobody dcv done $O intent --note "confirmed on the phone"); rc=$?
check_eq "done ORDER intent: recorded (exit 0)" "$rc" 0
check_contains "and says who" "$out" "intent marked done by nobody"
check_eq "the intent step is done" "$(line $O)" "$O 0/1 done - - 0m dcv www.example.jp 0m"
SUDO_USER=nobody dcv done 55120987 documents --not-needed >/dev/null
check_eq "a bare order id names it too; documents not needed" "$(line $O)" "$O 0/1 done not needed - 0m dcv www.example.jp 0m"
id=$(q "select id from requests where order_id = '55120987' and type = 'dcv'")
SUDO_USER=nobody dcv approve "$id" --record-only >/dev/null
check_eq "the DCV request approved by a person: 1 of 1, waiting for issuance" \
	"$(line $O)" "$O 1/1 done not needed - 0m issuance"
put digicert-issued-ja
check_eq "the issued notice ends the order: no longer open" "$(dcv orders | grep -c "^$O ")" 0
check_contains "orders --all still shows it, issued" "$(dcv orders --all | grep "^$O ")" " done "
out=$(dcv orders $O)
check_contains "orders ORDER: the order is issued" "$out" "order $O: issued"
check_contains "the intent step with who and the note" "$out" "by nobody: confirmed on the phone"
check_contains "the DCV step with its request" "$out" "(request $id)"
check_contains "done by the person who approved it, not by the issued notice" \
	"$(printf '%s\n' "$out" | grep '^  dcv www.example.jp')" "by nobody (request $id)"
check_eq "the history has the five mails" "$(printf '%s\n' "$out" | grep -c 'mail from')" 5
check_contains "and the person's steps" "$out" "documents marked not-needed"
json=$(dcv orders --json $O)
check_eq "orders --json ORDER" "$(printf '%s' "$json" | python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["state"], [s["state"] for s in o["steps"] if s["step"]=="intent"][0], len(o["history"]))')" "issued done 8"

# mail without an order id joins the one open order of its CA and registrable domain
put digicert-dcv-plain 's/shop.example.com/www.example.se/g; s/48213377/70000001/g'
put digicert-rapidssl-legacy
check_eq "an order-less DigiCert mail for example.se joins order 70000001 (www.example.se)" \
	"$(line digicert:70000001 | cut -d' ' -f2)" "0/2"
check_eq "and makes no order of its own" "$(dcv orders | grep -c '^digicert:@')" 0
# two open orders for the same name: the order-less mail must not be merged into either
put digicert-dcv-plain 's/shop.example.com/www.example.org/g; s/48213377/70000002/g'
put digicert-dcv-plain 's/shop.example.com/api.example.org/g; s/48213377/70000003/g'
put digicert-geotrust-legacy
out=$(dcv orders)
check_contains "with two open orders for example.org, the order-less mail is its own order" "$out" "digicert:@mail.example.org"
check_contains "marked ambiguous, naming both" "$(printf '%s\n' "$out" | grep '^digicert:@mail.example.org')" \
	"AMBIGUOUS: or digicert:70000002, digicert:70000003"
check_eq "the two orders stay apart" "$(line digicert:70000002 | cut -d' ' -f2):$(line digicert:70000003 | cut -d' ' -f2)" "0/1:0/1"

# issue 21 item 1: domain control per name. A DV order for two names under one order id:
# five copies of a.example.dk's mail (admin@, administrator@, hostmaster@, postmaster@,
# webmaster@) and two of b.example.dk's make two requests and two DCV steps
M=digicert:70000010
dk() { put digicert-dcv-plain "s/shop.example.com/$1.example.dk/g; s/48213377/70000010/g; s/^To: .*/To: $2@example.dk/"; }
for mb in admin administrator hostmaster postmaster webmaster; do dk a "$mb"; done
check_eq "one name's five copies: one request with 5 copies" \
	"$(q "select count(*) || ':' || max(copies) from requests where order_id = '70000010'")" "1:5"
dk b admin
dk b hostmaster
check_eq "a DCV mail for the order's second name: a request of its own (2 copies)" \
	"$(q "select domain || '=' || copies from requests where order_id = '70000010' order by domain" | tr '\n' ' ')" \
	"a.example.dk=5 b.example.dk=2 "
check_eq "the order has two DCV steps: 0 of 2 validated" "$(line $M | cut -d' ' -f2)" "0/2"
check_eq "and one order line" "$(dcv orders | grep -c "^$M ")" 1
ida=$(q "select id from requests where order_id = '70000010' and domain = 'a.example.dk'")
idb=$(q "select id from requests where order_id = '70000010' and domain = 'b.example.dk'")
SUDO_USER=nobody dcv approve "$ida" --record-only >/dev/null
check_eq "a.example.dk approved: 1 of 2, still waiting for b.example.dk" \
	"$(line $M | cut -d' ' -f2,7,8)" "1/2 dcv b.example.dk"
out=$(dcv orders $M)
check_contains "orders ORDER: a.example.dk done with its request" \
	"$(printf '%s\n' "$out" | grep '^  dcv a.example.dk')" "done"
check_contains "b.example.dk still asked" "$(printf '%s\n' "$out" | grep '^  dcv b.example.dk')" "asked"
check_contains "with its own request" "$(printf '%s\n' "$out" | grep '^  dcv b.example.dk')" "(request $idb)"
SUDO_USER=nobody dcv approve "$idb" --record-only >/dev/null
check_eq "b.example.dk approved: 2 of 2, waiting for issuance" "$(line $M | cut -d' ' -f2,7)" "2/2 issuance"
put digicert-issued 's/shop.example.com/a.example.dk/g; s/48213377/70000010/g'
check_eq "the issued notice of the order ends both names' requests" \
	"$(q "select group_concat(state) from requests where order_id = '70000010' and type = 'dcv'")" "issued,issued"
check_eq "and the order" "$(dcv orders | grep -c "^$M ")" 0
# an order left open by a name nobody approved in dcvmail: the notice still ends it
put digicert-dcv-plain 's/shop.example.com/c.example.dk/g; s/48213377/70000011/g'
put digicert-dcv-plain 's/shop.example.com/d.example.dk/g; s/48213377/70000011/g'
check_eq "two names of order 70000011 pending" \
	"$(q "select count(*) from requests where order_id = '70000011' and state = 'pending'")" 2
put digicert-issued 's/48213377/70000011/g; s/^Subject: .*/Subject: Your SSL Certificate is issued/'
check_eq "an issued notice without a name ends every pending DCV request of its order" \
	"$(q "select count(*) from requests where order_id = '70000011' and state = 'pending'")" 0
check_eq "and nothing of another order" "$(q "select state from requests where order_id = '70000002'")" "pending"

# bad input: a clear error naming it, nothing changed
before=$(q "select count(*) from order_events")
out=$(dcv done digicert:99999999 intent 2>&1); rc=$?
check_eq "done on an unknown order: exit 65" "$rc" 65
check_contains "naming it" "$out" "no order digicert:99999999"
out=$(dcv done digicert:70000002 paperwork 2>&1); rc=$?
check_eq "done with an unknown step: exit 65" "$rc" 65
check_contains "naming it and the steps there are" "$out" "order digicert:70000002 has no step 'paperwork'; its steps: 'dcv www.example.org', 'intent', 'documents', 'issued'"
check_eq "nothing was recorded" "$(q "select count(*) from order_events")" "$before"
dcv done digicert:70000002 dcv:www.example.org --note "validated by DNS" >/dev/null
check_eq "done ORDER dcv:DOMAIN marks that domain" "$(line digicert:70000002 | cut -d' ' -f2)" "1/1"
dcv cancel digicert:70000003 --note "ordered twice" >/dev/null
check_eq "cancel ORDER: the order is no longer open" "$(dcv orders | grep -c '^digicert:70000003 ')" 0
check_contains "orders --all shows it cancelled" "$(dcv orders --all | grep '^digicert:70000003 ')" "cancelled"
check_eq "evidence is appended, never rewritten" "$(q "select count(*) from order_events")" "$((before + 2))"

# overdue: a step asked and still open past its order-overdue hours (defaults: dcv 48, intent and
# documents 72, issuance 168 after the last answer); overdue orders come first
q "update requests set asked = asked - 50 * 3600 where order_id = '70000001'"
out=$(dcv orders)
check_eq "a DCV step asked 50 hours ago is overdue (48 h), and its order comes first" \
	"$(printf '%s\n' "$out" | sed -n 2p | awk '{ print $1, $(NF-1) }')" "digicert:70000001 OVERDUE"
check_contains "report --check warns of it" "$(dcv report --check)" "1 order overdue"
check_contains "with perfdata" "$(dcv report --check)" "orders_overdue=1;1;;0"
check_contains "and Prometheus has it" "$(dcv report --prometheus - | grep '^dcvmail_orders_overdue ')" "dcvmail_orders_overdue 1"
printf 'order-overdue dcv 72 digicert\n' >"$TEST_TMP/od.conf"
check_eq "order-overdue dcv 72 digicert: not overdue at 50 hours" \
	"$("$DCVMAIL" -c "$TEST_TMP/od.conf" -d "$S" orders | grep -c OVERDUE)" 0
printf 'order-overdue dcv 72 sectigo\n' >"$TEST_TMP/od.conf"
check_eq "a line for another CA does not change DigiCert's" \
	"$("$DCVMAIL" -c "$TEST_TMP/od.conf" -d "$S" orders | grep -c OVERDUE)" 1
printf 'order-overdue paperwork 3\n' >"$TEST_TMP/od.conf"
out=$("$DCVMAIL" -c "$TEST_TMP/od.conf" -n 2>&1); rc=$?
check_eq "an unknown step in order-overdue is a config error (78)" "$rc" 78
check_contains "naming the line" "$out" "od.conf:1: unknown order step 'paperwork'"
# issuance: every step done, no issued notice a week later
put digicert-dcv-plain 's/shop.example.com/www.example.fi/g; s/48213377/70000005/g'
dcv done digicert:70000005 dcv:www.example.fi >/dev/null
check_eq "every step done a moment ago: waiting for issuance, not overdue" \
	"$(dcv orders | grep '^digicert:70000005 ' | awk '{ print $(NF-1) }')" "issuance"
q "update order_events set at = at - 8 * 86400 where order_ref = '70000005'"
check_contains "the last step done 8 days ago and no issued notice: issuance overdue" \
	"$(dcv orders | grep '^digicert:70000005 ')" "issuance OVERDUE"
json=$(dcv orders --json | grep '"digicert:70000005"')
check_contains "--json says which step is overdue" "$json" '"overdue_step":"issuance"'

# widths: a Japanese (U-label) domain does not shift the columns after it
put digicert-dcv-plain 's/shop.example.com/www.日本語.example/g; s/48213377/70000004/g'
dcv orders >"$TEST_TMP/table"
python3 - "$TEST_TMP/table" <<'PY'
import sys, unicodedata
def w(s): return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
rows = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
# where the ROUTED-TO column starts, by display width, on every row
starts = set()
for l in rows:
    i = l.rfind(" -") if not l.startswith("ORDER") else l.find("ROUTED-TO") - 1
    starts.add(w(l[:i]))
print(("ok - " if len(starts) == 1 else "not ok - ") + "orders: the last column starts at one display column on every row (%s)" % sorted(starts))
PY
t_done
