# Phishing corpus: every imitation is caught, the genuine controls authenticate.
. "$TOP/tests/lib.sh"
P="$TOP/tests/corpus/phish"
printf 'trust-authserv-id mx.example.test\ncheck-trust-authserv-id yes\nauto-approve digicert sectigo globalsign amazon godaddy\n' >"$TEST_TMP/c.conf"
out=$("$DCVMAIL" -c "$TEST_TMP/c.conf" check --dry-run --json "$P" 2>/dev/null)
check_eq "check --dry-run --json runs over the phishing corpus" "$?" 0
n=$(ls "$P"/*.eml | grep -vc /genuine-)
check "at least 20 phishing messages" [ "$n" -ge 20 ]
printf '%s\n' "$out" | python3 -c '
import json, sys, os
for line in sys.stdin:
    o = json.loads(line)
    name = os.path.basename(o["file"])
    raw = open(o["file"], "rb").read().decode("utf-8", "replace")
    why = [l[15:] for l in raw.splitlines() if l.startswith("X-Test-Reason: ")][0]
    approve = [a for a in o["actions"] if a["kind"] == "approve"]
    if name.startswith("genuine-"):
        good = o["type"] == "dcv" and o["auth"]["result"] == "pass" and not o["reasons"]
        print(("ok" if good else "not ok") + " - control %s: dcv, auth pass, no reasons (%s)" % (name, o["auth"]["reason"]))
        continue
    caught = o["type"] in ("suspicious", "unknown", "notice") and o["type"] != "dcv"
    print(("ok" if caught else "not ok") + " - %s caught as %s: %s" % (name, o["type"], why))
    if caught and o["type"] == "suspicious" and not o["reasons"]:
        print("not ok - %s: suspicious without a reason" % name)
    if approve:
        print("not ok - %s: an approve action was planned" % name)
'
# issue 16: lookalikes of the Japanese CAs are suspicious, not merely unknown
# (their brand is the label before the public suffix: cybertrust.ne.jp, jprs.jp)
for f in cybertrust-lookalike-suffix:Cybertrust cybertrust-lookalike-hyphen:Cybertrust jprs-lookalike-suffix:JPRS \
	jprs-lookalike-hyphen:JPRS; do
	got=$(printf '%s\n' "$out" | python3 -c '
import json, sys, os
for line in sys.stdin:
    o = json.loads(line)
    if os.path.basename(o["file"]) == sys.argv[1] + ".eml":
        print(o["type"], "|".join(o["reasons"]))' "${f%%:*}")
	check_contains "${f%%:*} is suspicious: the link host imitates ${f#*:}" "$got" "suspicious link host"
	check_contains "${f%%:*}: the reason names ${f#*:}" "$got" "imitates ${f#*:}"
done
# a short brand counts only as a word of its own: "jprs" inside a longer word is no lookalike
printf 'From: Shop <news@shop.example>\r\nSubject: Certificate of thanks\r\n\r\nhttps://ajprsx.example/certificate\r\n' >"$TEST_TMP/word.eml"
got=$("$DCVMAIL" check --dry-run "$TEST_TMP/word.eml" 2>/dev/null)
check_not_contains "a longer word containing jprs is not taken for JPRS" "$got" "imitates"
check_contains "the authentication verdict and reason are in --json" "$out" '"auth":{"result":"pass","reason":"dkim=pass header.d=digicert.com (mx.example.test)"'
out=$("$DCVMAIL" -c "$TEST_TMP/c.conf" check --dry-run --json "$TOP/tests/corpus/ca/digicert-dcv-plain.eml" 2>/dev/null)
check_contains "with a trusted MTA configured, CA wording without a trusted pass is suspicious" "$out" '"type":"suspicious","rule_type":"dcv"'
out=$("$DCVMAIL" check --dry-run --json "$TOP/tests/corpus/ca/digicert-dcv-plain.eml" 2>/dev/null)
check_contains "without trust-authserv-id it stays dcv, auth none, with the reason" "$out" '"auth":{"result":"none","reason":"no trusted Authentication-Results (trust-authserv-id is not set)"'
t_done
