# Rules with a `role` condition: EV-intent mail that only the mailbox it reached
# identifies (its wording is not public) is ev-intent at the ev-contact mailbox,
# and nowhere else; a DCV mail at that mailbox stays dcv; routes pick it by role.
. "$TOP/tests/lib.sh"
S="$TEST_TMP/state"
CONF="$TEST_TMP/dcvmail.conf"
R="$TOP/tests/corpus/roles"
FIX="$TOP/tests/corpus/ca"
cat >"$CONF" <<CONF
syslog no
role constructed admin@ webmaster@
role ev-contact legal@example.com
smtp {
  url smtp://127.0.0.1:25
  from dcvmail@example.test
}
route {
  type ev-intent
  role ev-contact
  forward ev-approvers@example.test
}
CONF
pipe() { "$DCVMAIL" -c "$CONF" -d "$S" pipe --dry-run "$@" 2>&1; }

for f in digicert-order-approval:digicert:digicert-ev-contact-role \
	 sectigo-ev-step:sectigo:sectigo-ev-contact-role \
	 globalsign-ev-confirm:globalsign:globalsign-ev-contact-role; do
	name=${f%%:*}; rest=${f#*:}; ca=${rest%%:*}; rule=${rest#*:}
	out=$(pipe -r legal@example.com <"$R/$name.eml")
	check_contains "$name at the ev-contact mailbox is ev-intent by $rule" "$out" "ev-intent $ca/$rule role=ev-contact"
	check_contains "$name: the ev-contact route forwards it" "$out" "actions=forward"
	out=$(pipe -r admin@example.com <"$R/$name.eml")
	check_not_contains "$name at a constructed mailbox is not ev-intent" "$out" "ev-intent"
	out=$("$DCVMAIL" -c "$CONF" rules test -r ev-contact "$R/$name.eml")
	check_contains "$name: rules test -r ev-contact shows the same verdict" "$out" "verdict: ev-intent (rule $rule, ca $ca)"
done

out=$(pipe -r legal@example.com <"$FIX/digicert-dcv-plain.eml")
check_contains "a DigiCert DCV mail at the ev-contact mailbox stays dcv" "$out" "dcv digicert/digicert-dcv role=ev-contact"
out=$(pipe -r legal@example.com <"$FIX/sectigo-dcv-plain.eml")
check_contains "a Sectigo DCV mail at the ev-contact mailbox stays dcv" "$out" "dcv sectigo/sectigo-dcv role=ev-contact"
out=$(pipe -r legal@example.com <"$FIX/globalsign-dcv.eml")
check_contains "a GlobalSign DCV mail at the ev-contact mailbox stays dcv" "$out" "dcv globalsign/globalsign-dcv role=ev-contact"
out=$(pipe -r legal@example.com <"$FIX/sectigo-issued.eml")
check_contains "a Sectigo issued notice at the ev-contact mailbox stays issued" "$out" "issued sectigo/sectigo-issued role=ev-contact"
out=$(pipe -r legal@example.com <"$FIX/digicert-ev-verified-contact-ja.eml")
check_contains "the Japanese verified-contact mail is ev-intent by its wording" "$out" "ev-intent digicert/digicert-ev-verified-contact-ja role=ev-contact"

# The EV intent and the DCV request of one order are two requests, not one.
"$DCVMAIL" -c "$CONF" -d "$S" pipe -r admin@example.com <"$R/digicert-dcv-same-order.eml" >/dev/null 2>&1
check_eq "the DCV mail of order 48299201 is recorded" "$?" 0
"$DCVMAIL" -c "$CONF" -d "$S" pipe -r legal@example.com <"$R/digicert-order-approval.eml" >/dev/null 2>&1
check_eq "the EV approval of order 48299201 is recorded" "$?" 0
list=$("$DCVMAIL" -c "$CONF" -d "$S" list --json)
check_contains "the ledger has the DCV request of the order" "$list" '"type":"dcv","ca":"digicert","domain":"secure.example.com","order":"48299201"'
check_contains "and, apart from it, the EV intent of the same order" "$list" '"type":"ev-intent","ca":"digicert","domain":null,"order":"48299201"'
check_eq "two requests for the order" "$(sqlite3 "$S/ledger.db" "select count(*) from requests")" 2
t_done
