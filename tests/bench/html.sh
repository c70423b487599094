# HTML rendering of messages just under the default message-size (10 MB):
# time and peak memory of `check --dry-run` for each shape of tag soup.
# Targets (issue 13): under 100 MB peak (tested in make check,
# tests/t/mime-html-limits.sh) and, here, about a second or less each.
python3 - "$BENCH_TMP" <<'PY'
import os, sys
D = sys.argv[1]
H = "From: CA <html@ca.example>\nSubject: html bench\nContent-Type: text/html\n\n<html><body>"
N = 9_800_000
shapes = {
    "nested-div": "<div>", "nested-b": "<b>", "flat-p": "<p>x", "text": "word word word ",
    "links": '<p><a href="https://a.example/x">link</a>\n', "stray-end": "</x>",
}
for name, unit in shapes.items():
    open(os.path.join(D, "html-%s.eml" % name), "w").write(H + unit * (N // len(unit)) + "\n")
open(os.path.join(D, "html-stray-deep.eml"), "w").write(H + "<q>" * 990 + "</x>" * ((N - 3000) // 4) + "\n")
PY
for f in "$BENCH_TMP"/html-*.eml; do
	/usr/bin/env time -f '%e %M' -o "$BENCH_TMP/t" "$DCVMAIL" check --dry-run -q "$f" >/dev/null 2>&1
	read -r s kb <"$BENCH_TMP/t"
	printf '   %-28s %5s s  %6s kB peak\n' "$(basename "$f" .eml)" "$s" "$kb"
done
