# check --stats: per CA, how many mails each rule recognised and how many
# fell back, with totals. Exact figures for a known set of fixtures; the
# figures of the whole corpus agree with a recount from check --json; and
# a regressed rule shows in the figures and fails the corpus comparison.
. "$TOP/tests/lib.sh"
C="$TOP/tests/corpus/ca"; K="$TEST_TMP/known"
mkdir -p "$K"
for f in digicert-dcv-plain digicert-dcv-html digicert-issued digicert-fallback-new-wording \
	digicert-fallback-decline-only phish-fallback-foreign-sender sectigo-dcv-plain \
	sectigo-fallback-no-subject-html globalsign-unrecognised-wording ordinary-mail; do
	cp "$C/$f.eml" "$K/"
done
out=$("$DCVMAIL" check --dry-run --stats -q "$K" 2>&1)
check_eq "check --dry-run --stats exits 0" "$?" 0
check_contains "the header counts the messages" "$out" "recognition per CA (10 messages):"
check_contains "DigiCert: by rule, template, no rule" "$out" \
	"  digicert: 6 mails: 3 by a rule (50.0%), 1 template not recognised, 2 no rule matched"
check_contains "DigiCert's rules, most first" "$out" "      digicert-dcv                             2
      digicert-issued                          1"
check_contains "Sectigo" "$out" "  sectigo: 2 mails: 1 by a rule (50.0%), 1 template not recognised, 0 no rule matched"
check_contains "GlobalSign" "$out" "  globalsign: 1 mail: 0 by a rule (0.0%), 0 template not recognised, 1 no rule matched"
check_contains "mail of no CA" "$out" "  (no CA): 1 mail: unknown 1"
check_contains "totals" "$out" \
	"total: 10 mails, 9 naming a CA: 4 by a rule (44.4%), 2 template not recognised, 3 no rule matched; 1 naming no CA"
check_contains "then the usual summary" "$out" "10 messages: unknown 1, dcv 5, issued 1, notice 3; dry run"
out=$("$DCVMAIL" check --dry-run --json --stats "$K" 2>/dev/null | tail -1)
check_contains "--json --stats: one last stats object" "$out" \
	'"total":{"mails":10,"naming_a_ca":9,"by_rule":4,"template_not_recognised":2,"no_rule_matched":3,"naming_no_ca":1}'
check_contains "--json --stats: per CA and rule" "$out" \
	'"digicert":{"mails":6,"by_rule":3,"template_not_recognised":1,"no_rule_matched":2,"rules":{"digicert-dcv":2,"digicert-issued":1}'

# the whole corpus: the stats agree with a recount of check --json
"$DCVMAIL" check --dry-run --json --stats "$C" >"$TEST_TMP/all.json" 2>/dev/null
python3 - "$TEST_TMP/all.json" <<'PY'
import json, sys
def ok(c, d): print(("ok - " if c else "not ok - ") + d)
lines = [json.loads(l) for l in open(sys.argv[1])]
stats, msgs = lines[-1]["stats"], lines[:-1]
cas = {}
for o in msgs:
    c = cas.setdefault(o["ca"] or "", {"mails": 0, "by_rule": 0, "template_not_recognised": 0, "no_rule_matched": 0, "rules": {}})
    c["mails"] += 1
    if o["rule"]:
        c["by_rule"] += 1; c["rules"][o["rule"]] = c["rules"].get(o["rule"], 0) + 1
    elif o["fallback"] == "template-not-recognised":
        c["template_not_recognised"] += 1
    elif o["fallback"] == "no-rule-matched":
        c["no_rule_matched"] += 1
ok(len(msgs) > 150 and stats["total"]["mails"] == len(msgs), "the corpus total is the number of messages (%d)" % len(msgs))
for ca, want in sorted(cas.items()):
    got = stats["cas"].get(ca, {})
    ok(all(got.get(k) == want[k] for k in want), "stats for %s agree with check --json: %r" % (ca or "(no CA)", {k: want[k] for k in want if k != "rules"}))
ok(stats["total"]["by_rule"] == sum(c["by_rule"] for k, c in cas.items() if k), "total by rule agrees")
PY

# a regressed rule: without digicert-dcv the figures move and the corpus check fails
R="$TEST_TMP/rules"; mkdir -p "$R"; cp "$TOP"/rules/*.rules "$R/"
python3 - "$R/digicert.rules" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p).read()
s = re.sub(r"\nrule digicert-dcv\n.*?(?=\nrule )", "\n", s, flags=re.S)
open(p, "w").write(s)
PY
out=$(DCVMAIL_RULES_DIR="$R" "$DCVMAIL" check --dry-run --stats -q "$K" 2>&1)
check_contains "without the rule its mail falls back" "$out" \
	"  digicert: 6 mails: 1 by a rule (16.7%), 3 template not recognised, 2 no rule matched"
DCVMAIL_RULES_DIR="$R" "$DCVMAIL" check --dry-run --json "$C" 2>/dev/null |
	python3 "$TOP/tests/corpus/expect.py" "$C" >"$TEST_TMP/regressed.out"
check_eq "and the corpus comparison fails" "$?" 1
check_contains "naming the regressed fixture" "$(cat "$TEST_TMP/regressed.out")" "not ok - digicert-dcv-plain"
t_done
