#!/bin/sh
# po-check.sh POT SOURCE… — the translations are complete: every message of
# POT (xgettext's, from the build) has a translation that is not fuzzy in each
# po/LANG.po, whose format directives match (msgfmt --check), and no string
# people read in the SOURCEs is left unmarked (scripts/po-unmarked.py).
# Prints what is missing and exits 1; `make po-update` merges new messages in.
pot=$1
shift
dir=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
python3 "$dir/scripts/po-unmarked.py" "$@" || rc=1
for po in "$dir"/po/*.po; do
	l=$(basename "$po" .po)
	msgmerge --quiet --no-fuzzy-matching -o "$tmp/$l.po" "$po" "$pot" || { rc=1; continue; }
	msgattrib --no-wrap --untranslated --no-obsolete -o "$tmp/$l.untranslated" "$tmp/$l.po"
	msgattrib --no-wrap --only-fuzzy --no-obsolete -o "$tmp/$l.fuzzy" "$tmp/$l.po"
	for kind in untranslated fuzzy; do
		# every entry but the header (whose msgid is empty)
		n=$(grep -c '^msgid "[^"]' "$tmp/$l.$kind" 2>/dev/null)
		[ "${n:-0}" -gt 0 ] || continue
		echo "po/$l.po: $n $kind message(s) (make po-update, then translate them):"
		awk '/^#:/ { ref = $0 } /^msgid "[^"]/ { print "  " ref; print "    " $0 }' \
			"$tmp/$l.$kind" | head -80
		rc=1
	done
	msgfmt --check --statistics -o /dev/null "$tmp/$l.po" || rc=1
done
[ $rc -eq 0 ] && echo "po-check: every message is marked and translated"
exit $rc
