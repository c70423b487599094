# The source tree reads as the flow: each file includes only its own stage and
# the stages below it (base < config < mail < judge < ledger < outbox < intake
# < cmd), and a folder's *-int.h never leaves it (README: Layout).
. "$TOP/tests/lib.sh"
layers() { # DIR: one line per include that goes up a stage
	python3 - "$1" <<'PY'
import glob, os, re, sys
top = sys.argv[1]
order = ["base", "config", "mail", "judge", "ledger", "outbox", "intake", "cmd"]
def stage(rel):
    return rel.split("/")[0] if "/" in rel else "config"
for f in sorted(glob.glob(top + "/*.[ch]") + glob.glob(top + "/*/*.[ch]")):
    rel = os.path.relpath(f, top)
    s = stage(rel)
    if s == "client" or s not in order:
        continue
    for inc in re.findall(r'#include "([^"]+)"', open(f, encoding="utf-8").read()):
        if "/" in inc:
            t = inc.split("/")[0]
        else:
            t = s if os.path.exists(os.path.join(os.path.dirname(f), inc)) else "config"
        if inc.endswith("-int.h") and t != s:
            print("%s: %s: a folder's -int.h leaves it" % (rel, inc))
        elif t in order and order.index(t) > order.index(s):
            print("%s: includes %s (%s is above %s)" % (rel, inc, t, s))
PY
}
check_eq "no include goes up a stage in src/" "$(layers "$TOP/src")" ""
# the check itself can fail: a file of the ledger that includes the outbox
mkdir -p "$TEST_TMP/src/ledger" "$TEST_TMP/src/judge"
printf '#include "outbox/action.h"\n' >"$TEST_TMP/src/ledger/x.c"
printf '#include "judge/rules-int.h"\n' >"$TEST_TMP/src/ledger/y.c"
out=$(layers "$TEST_TMP/src")
check_contains "an upward include is found" "$out" "ledger/x.c: includes outbox/action.h (outbox is above ledger)"
check_contains "a private header leaving its folder is found" "$out" "ledger/y.c: judge/rules-int.h: a folder's -int.h leaves it"
# ... and no call goes up either: a symbol an object of one stage uses is
# defined in its own stage or one below (nm over the build's objects)
calls() { # OBJDIR: one line per upward call
	python3 - "$1" <<'PY'
import glob, os, subprocess, sys
top = sys.argv[1]
order = ["base", "config", "mail", "judge", "ledger", "outbox", "intake", "cmd"]
def stage(rel):
    return rel.split("/")[0] if "/" in rel else "config"
objs = [o for o in sorted(glob.glob(top + "/*.o") + glob.glob(top + "/*/*.o")) if stage(os.path.relpath(o, top)) in order]
defined, used = {}, []
for line in subprocess.run(["nm", "-A"] + objs, capture_output=True, text=True).stdout.splitlines():
    path, _, rest = line.rpartition(".o:")
    rel, f = os.path.relpath(path + ".o", top), rest.split()
    if len(f) == 3 and f[1] in "TDBR":
        defined[f[2]] = rel
    elif len(f) == 2 and f[0] == "U":
        used.append((rel, f[1]))
for rel, sym in used:
    d = defined.get(sym)
    if d and order.index(stage(d)) > order.index(stage(rel)):
        print("%s: calls %s (%s, %s is above %s)" % (rel, sym, d, stage(d), stage(rel)))
PY
}
if command -v nm >/dev/null && [ -d "$TOP/$BUILD/obj" ]; then
	check_eq "no call goes up a stage in src/ (nm)" "$(calls "$TOP/$BUILD/obj")" ""
	mkdir -p "$TEST_TMP/obj/ledger" "$TEST_TMP/obj/outbox"
	printf 'void outbox_thing(void) {}\n' | cc -x c -c -o "$TEST_TMP/obj/outbox/a.o" -
	printf 'void outbox_thing(void); void f(void) { outbox_thing(); }\n' | cc -x c -c -o "$TEST_TMP/obj/ledger/b.o" -
	check_contains "an upward call is found" "$(calls "$TEST_TMP/obj")" "ledger/b.o: calls outbox_thing (outbox/a.o, outbox is above ledger)"
else
	skip "no nm or no build objects: calls not checked"
fi
check_eq "the stage folders are the documented ones" "$(cd "$TOP/src" && ls -d */ | tr -d / | tr '\n' ' ')" \
	"base client cmd intake judge ledger mail outbox "
t_done
