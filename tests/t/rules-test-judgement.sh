# `dcvmail rules test` shows the whole judgement, the one `check` makes:
# the same verdict, CA, rule and reasons, authentication and phishing
# checks included (it once said dcv where check said suspicious). Over the
# phishing corpus, with a trusted border MTA, and the fallback fixtures.
. "$TOP/tests/lib.sh"
P="$TOP/tests/corpus/phish"; C="$TOP/tests/corpus/ca"
printf 'trust-authserv-id mx.example.test\ncheck-trust-authserv-id yes\n' >"$TEST_TMP/c.conf"
files=$(ls "$P"/*.eml "$C"/*fallback*.eml "$C"/globalsign-unrecognised-wording.eml)
"$DCVMAIL" -c "$TEST_TMP/c.conf" check --dry-run --json $files >"$TEST_TMP/check.json" 2>/dev/null
check_eq "check --dry-run --json exits 0" "$?" 0
"$DCVMAIL" -c "$TEST_TMP/c.conf" rules test $files >"$TEST_TMP/test.out" 2>&1
check_eq "rules test exits 0" "$?" 0
python3 - "$TEST_TMP/check.json" "$TEST_TMP/test.out" <<'PY'
import json, sys
def ok(c, d): print(("ok - " if c else "not ok - ") + d)
checks = [json.loads(l) for l in open(sys.argv[1])]
# rules test: "== FILE", the trace, then "verdict: ..." and its lines
tests, cur = {}, None
for l in open(sys.argv[2], encoding="utf-8"):
    l = l.rstrip("\n")
    if l.startswith("== "):
        cur = l[3:]; tests[cur] = {"verdict": None, "reasons": [], "auth": None}
    elif l.startswith("verdict: "):
        tests[cur]["verdict"] = l[9:]
    elif tests.get(cur, {}).get("verdict") and l.startswith("  ! "):
        tests[cur]["reasons"].append(l[4:])
    elif tests.get(cur, {}).get("verdict") and l.startswith("  auth: "):
        tests[cur]["auth"] = l[8:].split(" ")[0]
ok(len(tests) == len(checks) and len(checks) > 30, "rules test judged every file check judged (%d)" % len(checks))
nsusp = 0
for o in checks:
    t = tests.get(o["file"])
    name = o["file"].split("/")[-1]
    if t is None or t["verdict"] is None:
        ok(False, "%s: rules test printed a verdict" % name); continue
    want = o["type"]
    if o["rule"]:
        want += " (rule %s, ca %s)" % (o["rule"], o["ca"])
    elif o["ca"]:
        want += " (no rule, ca %s)" % o["ca"]
    nsusp += o["type"] == "suspicious"
    ok(t["verdict"] == want, "%s: rules test says %r, check says %r" % (name, t["verdict"], want))
    ok(t["reasons"] == o["reasons"], "%s: the same reasons (%d)" % (name, len(o["reasons"])))
    ok(t["auth"] == o["auth"]["result"], "%s: the same authentication result (%s)" % (name, o["auth"]["result"]))
ok(nsusp >= 25, "the comparison covers suspicious verdicts (%d)" % nsusp)
PY
out=$("$DCVMAIL" -c "$TEST_TMP/c.conf" rules test "$P/dkim-fail.eml")
check_contains "dkim-fail: suspicious in rules test, as in check" "$out" "verdict: suspicious (rule digicert-dcv, ca digicert)"
check_contains "for the failed authentication" "$out" "! sender authentication failed: dkim=fail header.d=digitalcertvalidation.com"
check_contains "with the rule's own type" "$out" "the rule's type: dcv"
out=$("$DCVMAIL" rules test "$C/digicert-fallback-new-wording.eml")
check_contains "the link-shaped fallback shows in rules test" "$out" "verdict: dcv (no rule, ca digicert)"
check_contains "named as such" "$out" "fallback: template-not-recognised"
t_done
