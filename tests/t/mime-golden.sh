# MIME parser golden files: every tests/corpus/mime/NAME.eml is parsed by
# msgdump and compared with NAME.dump. UPDATE_GOLDEN=1 rewrites the .dump
# files (review the diff before committing).
. "$TOP/tests/lib.sh"
MSGDUMP="$TOP/${BUILD:-build}/tests/msgdump"
dir="$TOP/tests/corpus/mime"
[ -x "$MSGDUMP" ] || { not_ok "msgdump helper not built"; t_done; }
n=0
for eml in "$dir"/*.eml; do
	name=$(basename "$eml" .eml)
	golden="$dir/$name.dump"
	n=$((n + 1))
	if ! "$MSGDUMP" "$eml" >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err"; then
		not_ok "$name: msgdump failed"; sed 's/^/#   /' "$TEST_TMP/$name.err"; continue
	fi
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$TEST_TMP/$name.out" "$golden"; ok "$name: golden file written"; continue
	fi
	if [ ! -f "$golden" ]; then
		not_ok "$name: no golden file $name.dump (run with UPDATE_GOLDEN=1)"; continue
	fi
	if diff -u "$golden" "$TEST_TMP/$name.out" >"$TEST_TMP/$name.diff"; then
		ok "$name: parsed model matches $name.dump"
	else
		not_ok "$name: parsed model differs from $name.dump"
		sed 's/^/#   /' "$TEST_TMP/$name.diff" | head -40
	fi
done
check "at least 25 MIME fixtures ($n)" [ "$n" -ge 25 ]
t_done
