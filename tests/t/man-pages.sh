# The man pages as apropos, man and lintian see them: every NAME line parses
# for lexgrog (the whatis database; lintian's bad-whatis-entry), .Os names
# the package and version, groff's header is not "BSD System Manager's
# Manual", and the standard sections come in mdoc(7)'s order.
. "$TOP/tests/lib.sh"
VERSION=$(sed -n 's/^VERSION := //p' "$TOP/Makefile")
for page in "$TOP"/man/*.[58]; do
	p=${page#"$TOP"/}
	if command -v lexgrog >/dev/null; then
		out=$(lexgrog "$page" 2>&1); rc=$?
		check_eq "lexgrog parses the NAME line of $p" "$rc" 0
		check_not_contains "$p: no 'parse failed'" "$out" "parse failed"
	else
		skip "lexgrog missing (man-db)"
	fi
	check_eq "$p: .Os names dcvmail $VERSION" "$(grep '^\.Os' "$page")" ".Os dcvmail $VERSION"
	if command -v groff >/dev/null; then
		head=$(groff -mandoc -Tutf8 "$page" 2>/dev/null | sed -n 1p)
		check_not_contains "$p: the groff header is not 'BSD ... Manual'" "$head" "BSD"
		check_contains "$p: the groff header names the volume" "$head" "Manual"
	fi
	# mdoc(7) order of the standard sections (others may sit between)
	order="NAME LIBRARY SYNOPSIS DESCRIPTION ENVIRONMENT FILES EXIT_STATUS EXAMPLES DIAGNOSTICS ERRORS SEE_ALSO STANDARDS HISTORY AUTHORS CAVEATS BUGS"
	last=0 bad=""
	for s in $(sed -n 's/^\.Sh //p' "$page" | tr ' ' _); do
		i=0 n=0
		for o in $order; do n=$((n + 1)); [ "$o" = "$s" ] && i=$n; done
		[ "$i" -eq 0 ] && continue
		[ "$i" -lt "$last" ] && bad="$bad $s"
		last=$i
	done
	check_eq "$p: standard sections in mdoc(7) order" "$bad" ""
done
# apropos finds each command's page by its NAME line (a private index)
if command -v mandb >/dev/null && command -v apropos >/dev/null; then
	mkdir -p "$TEST_TMP/man/man5" "$TEST_TMP/man/man8" "$TEST_TMP/cache"
	cp "$TOP"/man/*.8 "$TEST_TMP/man/man8/"; cp "$TOP"/man/*.5 "$TEST_TMP/man/man5/"
	printf 'MANDB_MAP %s %s\n' "$TEST_TMP/man" "$TEST_TMP/cache" >"$TEST_TMP/man_db.conf"
	mandb -q -C "$TEST_TMP/man_db.conf" "$TEST_TMP/man" >/dev/null 2>&1
	out=$(MANPATH="$TEST_TMP/man" apropos -C "$TEST_TMP/man_db.conf" dcvmail 2>&1)
	check_not_contains "apropos shows no '(unknown subject)'" "$out" "unknown subject"
	check_contains "apropos finds dcvmail-list" "$out" "dcvmail-list (8)"
	check_contains "apropos finds dcvmail-watch" "$out" "dcvmail-watch (8)"
else
	skip "mandb/apropos missing"
fi
t_done
