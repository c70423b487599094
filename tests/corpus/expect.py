#!/usr/bin/env python3
"""Compare `dcvmail check --dry-run --json` lines with NAME.expect files.

An .expect file holds "key: value" lines; only the keys it names are compared:
type, ca, rule, rule_type, status, auth, domain, order, code, approve, reject,
key, fallback, reason (a substring of one of the reasons), actions (comma-separated kinds),
forwarded_by (who forwarded a forwarded copy, "-" for none).
"approve: -" means no approve link. Usage: expect.py DIR < json-lines
With --write, prints a proposed .expect for each message instead (review it!)."""
import json, os, sys

def facts(o):
    f = {"type": o["type"], "ca": o["ca"] or "-", "rule": o["rule"] or "-",
         "rule_type": o["rule_type"], "status": o["status"], "auth": o["auth"]["result"],
         "approve": o["links"]["approve"] or "-", "reject": o["links"]["reject"] or "-",
         "key": o["dedup_key"] or "-", "fallback": o.get("fallback") or "-",
         "actions": ",".join(a["kind"] for a in o["actions"]) or "-",
         "forwarded_by": o.get("forwarded_by") or "-"}
    for k in ("domain", "order", "code"):
        f[k] = o["fields"].get(k, "-")
    return f

def main():
    d = sys.argv[-1]
    write = "--write" in sys.argv
    failed = 0
    for line in sys.stdin:
        o = json.loads(line)
        name = os.path.splitext(os.path.basename(o["file"]))[0]
        f = facts(o)
        if write:
            print("==> %s.expect" % name)
            for k in ("type", "ca", "rule", "domain", "order", "code", "approve", "reject", "key"):
                print("%s: %s" % (k, f[k]))
            for r in o["reasons"]:
                print("reason: %s" % r)
            continue
        path = os.path.join(d, name + ".expect")
        if not os.path.exists(path):
            print("not ok - %s: no %s" % (name, path)); failed += 1; continue
        bad = []
        for ln in open(path, encoding="utf-8"):
            ln = ln.rstrip("\n")
            if not ln or ln.startswith("#"):
                continue
            k, _, want = ln.partition(": ")
            if k == "reason":
                if not any(want in r for r in o["reasons"]):
                    bad.append("no reason containing %r (reasons: %r)" % (want, o["reasons"]))
            elif k not in f:
                bad.append("unknown key %r in %s" % (k, path))
            elif f[k] != want:
                bad.append("%s: got %r, want %r" % (k, f[k], want))
        if bad:
            failed += 1
            print("not ok - %s" % name)
            for b in bad:
                print("#   " + b)
        else:
            print("ok - %s classified as expected (%s)" % (name, f["type"]))
    return 1 if failed else 0

sys.exit(main())
