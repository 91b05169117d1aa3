#!/bin/sh
# Runs every test: the cmocka unit binaries, then the shell tests under
# tests/{corpus,netns,daemon,report,pkg}. A shell test passes with exit
# 0, is skipped with 77 (its reason on stdout) and fails otherwise.
# Prints one closing line: N passed, N failed, N skipped. SKIP names
# directories to leave out (SKIP="pkg netns").
BUILD=${BUILD:-build}
export BUILD
TOP=$(pwd)
export TOP
pass=0 fail=0 skip=0 failed=""
log=$(mktemp)
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	( cd tests && "$TOP/$t" ) >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	if [ "$f" != 0 ]; then
		failed="$failed $(basename "$t")"
		cat "$log"
	fi
	printf '%-28s %d passed, %d failed\n' "$(basename "$t")" "$p" "$f"
done
if [ "${ONLY:-}" != unit ]; then
	for t in tests/corpus/*.sh tests/netns/*.sh tests/daemon/*.sh \
	    tests/report/*.sh tests/pkg/*.sh; do
		[ -f "$t" ] || continue
		case " ${SKIP:-} " in
		*" $(basename "$(dirname "$t")") "*) continue ;;
		esac
		timeout 600 sh "$t" >"$log" 2>&1
		rc=$?
		case $rc in
		0)	pass=$((pass + 1)); r=ok ;;
		77)	skip=$((skip + 1)); r="skipped: $(tail -n 1 "$log")" ;;
		*)	fail=$((fail + 1)); r="FAILED ($rc)"
			failed="$failed $t"; tail -n 40 "$log" ;;
		esac
		printf '%-28s %s\n' "$t" "$r"
	done
fi
rm -f "$log"
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
