# Local rules over shipped ones: rules-dir (and DCVMAIL_RULES_DIR) is a list
# DIR:DIR; a file in a later directory replaces the earlier one of the same
# name; an empty one switches a CA off. Installed, the default is the shipped
# PREFIX/share/dcvmail/rules, then SYSCONFDIR/dcvmail/rules.
. "$TOP/tests/lib.sh"
S="$TOP/rules"
L="$TEST_TMP/local"; mkdir -p "$L"
SAMPLE="$TOP/tests/corpus/ca/digicert-dcv-plain.eml"
verdict() { "$DCVMAIL" check --dry-run "$SAMPLE" 2>&1 | head -1 | cut -f2,3; }

check_eq "the shipped rules alone classify DigiCert's mail" "$(DCVMAIL_RULES_DIR="$S" verdict)" "dcv	digicert/digicert-dcv"
check_eq "an empty local directory changes nothing" "$(DCVMAIL_RULES_DIR="$S:$L" verdict)" "dcv	digicert/digicert-dcv"

# a local copy of digicert.rules with the rule renamed replaces the shipped file
sed 's/^rule digicert-dcv$/rule local-digicert-dcv/' "$S/digicert.rules" >"$L/digicert.rules"
check_eq "a local file of the same name replaces the shipped one" "$(DCVMAIL_RULES_DIR="$S:$L" verdict)" "dcv	digicert/local-digicert-dcv"
lst=$(DCVMAIL_RULES_DIR="$S:$L" "$DCVMAIL" rules list)
check_contains "rules list shows where the rule comes from" "$lst" "$L/digicert.rules:"
check_not_contains "and nothing of the shipped digicert.rules" "$lst" "$S/digicert.rules"
check_contains "the other shipped files still load" "$lst" "$S/sectigo.rules:"
lint=$(DCVMAIL_RULES_DIR="$S:$L" "$DCVMAIL" rules lint 2>&1); rc=$?
check_eq "lint passes on the combination (no 'ca already defined')" "$rc" 0
check_contains "and counts each file once" "$lint" "in $(ls "$S"/*.rules | wc -l) files: ok"
check_eq "the order of the list decides: shipped after local wins" "$(DCVMAIL_RULES_DIR="$L:$S" verdict)" "dcv	digicert/digicert-dcv"

# an empty local file switches the CA off
: >"$L/digicert.rules"
check_eq "an empty local file switches that CA off" "$(DCVMAIL_RULES_DIR="$S:$L" verdict)" "unknown	-"

# a new local file adds a CA
rm "$L/digicert.rules"
cat >"$L/example-ca.rules" <<'R'
ca exampleca "Example CA"
  from-domain exampleca.test
  link-host   exampleca.test
rule exampleca-dcv
  type    dcv
  subject /^Validate (?<domain>\S+)$/
R
check_contains "a new local file adds its CA" "$(DCVMAIL_RULES_DIR="$S:$L" "$DCVMAIL" rules list)" "exampleca-dcv"

# a missing directory of the list is an error naming it (never skipped)
out=$(DCVMAIL_RULES_DIR="$S:$TEST_TMP/nope" "$DCVMAIL" check --dry-run "$SAMPLE" 2>&1); rc=$?
check_eq "a missing directory in the list stops the command (78)" "$rc" 78
check_contains "and is named" "$out" "$TEST_TMP/nope: No such file or directory"

# installed: the default list, with no rules-dir and no DCVMAIL_RULES_DIR
P="$TEST_TMP/inst"
make -s -C "$TOP" install SANITIZE="${SANITIZE:-}" PREFIX="$P/usr" SYSCONFDIR="$P/etc" >/dev/null 2>&1
check "make install PREFIX=... SYSCONFDIR=... (no DESTDIR) succeeds" [ -x "$P/usr/sbin/dcvmail" ]
sed 's/^rule digicert-dcv$/rule site-digicert-dcv/' "$S/digicert.rules" >"$P/etc/dcvmail/rules/digicert.rules"
mkdir -m 700 "$TEST_TMP/state"
got=$(env -u DCVMAIL_RULES_DIR "$P/usr/sbin/dcvmail" -c "$P/etc/dcvmail/dcvmail.conf" -d "$TEST_TMP/state" \
	check --dry-run "$SAMPLE" 2>&1 | head -1 | cut -f2,3)
check_eq "installed, a file in SYSCONFDIR/dcvmail/rules replaces the shipped one by default" "$got" "dcv	digicert/site-digicert-dcv"
n=$(env -u DCVMAIL_RULES_DIR "$P/usr/sbin/dcvmail" -c "$P/etc/dcvmail/dcvmail.conf" -d "$TEST_TMP/state" -n 2>&1)
check_contains "dcvmail -n names both directories" "$n" "$P/usr/sbin/../share/dcvmail/rules:$P/etc/dcvmail/rules:"
# put the build back to its own paths for the tests that follow
make -s -C "$TOP" SANITIZE="${SANITIZE:-}" >/dev/null 2>&1
t_done
