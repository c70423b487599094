# Habits: the man pages pass `mandoc -Tlint -Wwarning`, and the C sources are
# formatted as .clang-format says (`clang-format --dry-run -Werror`; `make
# format` rewrites them). One line per page and per source file.
. "$TOP/tests/lib.sh"
cd "$TOP" || exit 1

# --- man pages -------------------------------------------------------------
if ! command -v mandoc >/dev/null 2>&1; then
	not_ok "mandoc is not installed (contrib/install-deps installs it)"
else
	# the check itself can fail: a page with a warning is caught
	printf '.Dd December 1, 2026\n.Dt BROKEN 8\n.Os\n.Sh NAME\n.Nm broken\n.Nd x\n.Sh SEE ALSO\n.Xr broken 8\n' \
		>"$TEST_TMP/broken.8"
	out=$(mandoc -Tlint -Wwarning "$TEST_TMP/broken.8" 2>&1); rc=$?
	if [ "$rc" -ne 0 ] && [ -n "$out" ]; then
		ok "mandoc -Tlint -Wwarning reports a page with a warning"
	else
		not_ok "mandoc -Tlint -Wwarning passed a page with a warning (exit $rc)"
	fi
	for page in man/*.5 man/*.8; do
		out=$(mandoc -Tlint -Wwarning "$page" 2>&1); rc=$?
		if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
			ok "mandoc -Tlint -Wwarning $page"
		else
			not_ok "mandoc -Tlint -Wwarning $page (exit $rc)"
			printf '%s\n' "$out" | head -20 | sed 's/^/#   /'
		fi
	done
fi

# --- C sources -------------------------------------------------------------
if ! command -v clang-format >/dev/null 2>&1; then
	not_ok "clang-format is not installed (contrib/install-deps installs it)"
else
	style="--style=file:$TOP/.clang-format"
	# the check itself can fail: a badly formatted file is caught
	printf 'int f(int a){return a+1;}\n' >"$TEST_TMP/bad.c"
	if clang-format "$style" --dry-run -Werror "$TEST_TMP/bad.c" >/dev/null 2>&1; then
		not_ok "clang-format --dry-run -Werror passed a badly formatted file"
	else
		ok "clang-format --dry-run -Werror reports a badly formatted file"
	fi
	# one clang-format for all the files; only when it objects is each file
	# checked on its own, to name the ones that differ
	srcs=$(for src in src/*.c src/*/*.c src/*/*.h src/*.h; do [ -f "$src" ] && echo "$src"; done)
	all=$(clang-format "$style" --dry-run -Werror $srcs 2>&1); all_rc=$?
	for src in $srcs; do
		if [ "$all_rc" -eq 0 ] && [ -z "$all" ]; then
			out= rc=0
		else
			out=$(clang-format "$style" --dry-run -Werror "$src" 2>&1); rc=$?
		fi
		if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
			ok "clang-format $src"
		else
			n=$(printf '%s\n' "$out" | grep -c 'error:')
			not_ok "clang-format $src: $n places differ from .clang-format (make format)"
			printf '%s\n' "$out" | head -6 | sed 's/^/#   /'
		fi
	done
fi

# --- tests -----------------------------------------------------------------
# the clock is moved with clock_at (tests/lib.sh), never the faketime(1)
# wrapper, whose /dev/shm semaphore named by its pid outlives a killed wrapper
# and stops a later one given the same pid
w=$(grep -nE '(^|[;&|(`[:space:]])faketime[[:space:]]+["'"'"'$-]' tests/t/*.sh tests/lib*.sh | grep -v '^[^:]*:[0-9]*:[[:space:]]*#')
check_eq "no test runs the faketime wrapper (clock_at in tests/lib.sh)" "$w" ""
t_done
