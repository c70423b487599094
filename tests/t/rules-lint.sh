# The rule language: errors name file:line:col; broken rules stop every command;
# a catastrophic pattern hits the match limit instead of hanging.
. "$TOP/tests/lib.sh"
R="$TEST_TMP/rules"; mkdir -p "$R"

out=$("$DCVMAIL" rules lint "$TOP/rules" 2>&1); rc=$?
check_eq "shipped rules lint clean" "$rc" 0
check_contains "lint reports the count" "$out" "rules for"

# lint_error NAME RULE-TEXT EXPECTED-DIAGNOSTIC
lint_error() {
	rm -f "$R"/*.rules
	printf '%b' "$2" >"$R/t.rules"
	out=$("$DCVMAIL" rules lint "$R" 2>&1); rc=$?
	if [ "$rc" -eq 78 ]; then
		check_contains "$1" "$out" "$R/t.rules:$3"
	else
		not_ok "$1 (exit $rc, want 78)"; echo "# $out"
	fi
}
CA='ca x "X"\n from-domain x.example\n link-host x.example\n'
lint_error "unknown keyword" "${CA}rule r\n type dcv\n subjet /a/\n" "6:2: unknown condition 'subjet'"
lint_error "unknown type" "${CA}rule r\n type dvc\n subject /a/\n" "5:7: unknown type 'dvc'"
lint_error "missing type" "${CA}rule r\n subject /a/\n" "4:1: rule 'r' has no type"
lint_error "regex syntax error with PCRE2's message and column" "${CA}rule r\n type dcv\n subject /ab(c/\n" "6:15: regex error: missing closing parenthesis"
lint_error "unterminated regex" "${CA}rule r\n type dcv\n subject /abc\n" "6:10: unterminated regex"
lint_error "unknown regex flag" "${CA}rule r\n type dcv\n subject /abc/q\n" "6:15: unknown regex flag 'q'"
lint_error "bad capture name" "${CA}rule r\n type dcv\n subject /(?<Order>\\\\d+)/\n" "6:10: capture name 'Order'"
lint_error "rule outside a ca block" "rule r\n type dcv\n" "1:1: rule outside a 'ca' block"
lint_error "duplicate rule id" "${CA}rule r\n type dcv\n subject /a/\nrule r\n type dcv\n subject /b/\n" "7:6: rule 'r' already defined"
lint_error "link-host with a scheme" 'ca x "X"\n from-domain x.example\n link-host https://x.example/\n' "3:12: 'https://x.example/' is not a host"
lint_error "ca without link-host" 'ca x "X"\n from-domain x.example\nrule r\n type dcv\n subject /a/\n' "1:1: ca 'x' has no link-host"
lint_error "unknown link kind" "${CA}rule r\n type dcv\n link accept /a/\n" "6:7: unknown link kind 'accept'"
lint_error "rule with only a negative condition" "${CA}rule r\n type dcv\n not subject /a/\n" "4:1: rule 'r' needs at least one positive"

# all errors are reported in one pass
printf 'ca x "X"\n from-domain x.example\n link-host x.example\nrule a\n type bogus\n subject /(/\n' >"$R/t.rules"
out=$("$DCVMAIL" rules lint "$R" 2>&1)
check_contains "every error is reported at once (type)" "$out" "$R/t.rules:5:7: unknown type"
check_contains "every error is reported at once (regex)" "$out" "$R/t.rules:6:12: regex error"

# broken rules stop check (and every other command)
out=$(DCVMAIL_RULES_DIR="$R" "$DCVMAIL" check --dry-run "$TOP/tests/corpus/ca/ordinary-mail.eml" 2>&1); rc=$?
check_eq "check refuses to run on broken rules (exit 78)" "$rc" 78
check_contains "and says why" "$out" "broken rules, refusing to run"
rm -f "$R"/*.rules
out=$(DCVMAIL_RULES_DIR="$R" "$DCVMAIL" check --dry-run "$TOP/tests/corpus/ca/ordinary-mail.eml" 2>&1); rc=$?
check_eq "an empty rules directory is refused too" "$rc" 78

# catastrophic backtracking: the match limit stops it, the message is still classified
printf 'ca x "X"\n from-domain example.com\n link-host x.example\nrule evil\n type dcv\n body /^(a+)+$/\n' >"$R/t.rules"
# (a sender outside the CA's from-domain, so no rule matching stays unknown rather than a notice)
{ printf 'From: a@elsewhere.example\nSubject: s\n\n'; head -c 40 /dev/zero | tr '\0' a; echo '!'; } >"$TEST_TMP/evil.eml"
out=$(DCVMAIL_RULES_DIR="$R" timeout 20 "$DCVMAIL" check --dry-run --json "$TEST_TMP/evil.eml" 2>/dev/null); rc=$?
check_eq "a catastrophic pattern does not hang (exit 0 within the timeout)" "$rc" 0
check_contains "the message is classified unknown" "$out" '"type":"unknown"'
check_contains "with a warning about the limit" "$out" "regex limit hit in rule evil"

# rules test traces conditions
out=$("$DCVMAIL" rules test "$TOP/tests/corpus/ca/sectigo-dcv-plain.eml")
check_contains "rules test shows the matching rule" "$out" "verdict: dcv (rule sectigo-dcv, ca sectigo)"
check_contains "rules test shows captures" "$out" "captured order = 123456789"
check_contains "rules test names the reject link as never followed" "$out" "reject link (never followed)"
out=$("$DCVMAIL" rules list)
check_contains "rules list names each rule with its place" "$out" "sectigo-dcv"
# lint counts and list lines come from the rule set as loaded
rm -f "$R"/*.rules
printf 'ca x "X"\n from-domain x.example\n link-host x.example\nrule r1\n type dcv\n subject /a/\nrule r2\n type notice\n subject /b/\n' >"$R/a.rules"
printf 'ca y "Y"\n from-domain y.example\n link-host y.example\nrule r3\n type issued\n subject /c/\n' >"$R/b.rules"
out=$("$DCVMAIL" rules lint "$R" 2>&1)
check_eq "lint counts rules, CAs and files" "$out" "$R: 3 rules for 2 CAs in 2 files: ok"
out=$(DCVMAIL_RULES_DIR="$R" "$DCVMAIL" rules list | tr -s ' ')
check_eq "rules list: CA, rule, type and place of each, in order" "$out" "$(printf 'CA RULE TYPE WHERE\nx r1 dcv %s\nx r2 notice %s\ny r3 issued %s' \
	"$R/a.rules:4" "$R/a.rules:7" "$R/b.rules:4")"
t_done
