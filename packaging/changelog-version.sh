#!/bin/sh
# packaging/changelog-version.sh CHANGELOG VERSION: when VERSION is not the newest entry of
# the Debian changelog (a build of another version: make deb VERSION=X), adds an entry for it
# on top, so the package's version and the programs' agree. Used on the build's copy only.
set -eu
changelog=$1 version=$2
newest=$(sed -n '1s/^tether (\([^)]*\)).*/\1/p' "$changelog")
[ "$newest" = "$version" ] && exit 0
maintainer=$(sed -n 's/^ -- \(.*>\)  .*/\1/p' "$changelog" | head -n 1)
# The new entry must be dated after the newest one (lintian checks it), whatever the clock says.
newest_date=$(date -d "$(sed -n 's/^ -- .*>  //p' "$changelog" | head -n 1)" +%s)
now=$(date +%s)
[ "$now" -gt "$newest_date" ] || now=$((newest_date + 60))
{
	printf 'tether (%s) unstable; urgency=medium\n\n' "$version"
	printf '  * Built at version %s from the %s sources.\n\n' "$version" "$newest"
	printf ' -- %s  %s\n\n' "$maintainer" "$(date -R -d "@$now")"
	cat "$changelog"
} >"$changelog.new"
mv "$changelog.new" "$changelog"
