# Shared helpers for benchmark parts (sourced). A part prints plain-text tables; nothing here
# passes or fails. Every table says where it ran; bench/run.sh prints the machine once.

# bench_machine: the facts every figure needs (date, CPU, cores, kernel, where, commit).
bench_machine() {
	local top where cpu
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	where=host
	[ -n "${TETHER_IN_VM:-}" ] && where="VM guest (qemu TCG, -smp 2)"
	cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
	echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: $cpu, $(nproc) cores, $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "kernel:  $(uname -r), where: $where"
	echo "commit:  $(git -C "$top" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(
		git -C "$top" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
	echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min; others' work disturbs figures)"
}

# table TITLE: reads tab-separated rows on stdin (the first is the header) and prints them as
# aligned columns; columns of numbers (with or without a unit) are right-aligned.
table() {
	echo
	echo "$1"
	awk -F'\t' '
	{ rows[NR] = $0; if (NF > cols) cols = NF
	  for (i = 1; i <= NF; i++) {
		if (length($i) > w[i]) w[i] = length($i)
		if (NR > 1 && $i !~ /^[-+]?[0-9.]+ ?[a-zA-Z%]*$/) text[i] = 1
	  } }
	END {
		for (r = 1; r <= NR; r++) {
			n = split(rows[r], cell, "\t"); line = ""
			for (i = 1; i <= n; i++) {
				fmt = text[i] ? "%-" w[i] "s" : "%" w[i] "s"
				line = line (i > 1 ? "  " : "") sprintf(fmt, cell[i])
			}
			sub(/ +$/, "", line); print line
			if (r == 1) {
				line = ""
				for (i = 1; i <= cols; i++) line = line (i > 1 ? "  " : "") sprintf("%" w[i] "s", "")
				gsub(/ /, "-", line); print line
			}
		}
	}'
}

# summarize SCALE UNIT: reads "LABEL<TAB>VALUE[<TAB>STATUS]" lines (any order) and prints one
# tab-separated row per label, in order of first appearance: label, runs, median, p10, p90,
# min, max (values divided by SCALE, shown with UNIT) and the count of non-zero statuses.
# Percentiles are nearest-rank.
summarize() {
	local scale=$1 unit=$2
	printf 'what\truns\tmedian\tp10\tp90\tmin\tmax\tfailed\n'
	awk -F'\t' -v scale="$scale" -v unit="$unit" '
	function sort(a, n,    i, j, t) { # insertion sort; n is small
		for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	}
	function rank(a, n, p,    k) { k = int(p * n + 0.999999); if (k < 1) k = 1; if (k > n) k = n; return a[k] }
	function show(v) { return sprintf(v / scale >= 100 ? "%.0f%s" : "%.1f%s", v / scale, unit) }
	{ if (!($1 in n)) order[++labels] = $1
	  n[$1]++; v[$1, n[$1]] = $2 + 0; if ($3 != "" && $3 != 0) bad[$1]++ }
	END {
		for (l = 1; l <= labels; l++) {
			name = order[l]; k = n[name]; delete a
			for (i = 1; i <= k; i++) a[i] = v[name, i]
			sort(a, k)
			printf "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%d\n", name, k, show(rank(a, k, 0.5)),
				show(rank(a, k, 0.1)), show(rank(a, k, 0.9)), show(a[1]), show(a[k]), bad[name] + 0
		}
	}'
}

# median_of LABEL: the median value (raw units) of LABEL in "LABEL<TAB>VALUE" lines on stdin.
median_of() {
	awk -F'\t' -v want="$1" '$1 == want {print $2}' | sort -n |
		awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]}'
}

# seconds_left: seconds until the part's deadline (BENCH_DEADLINE, set by bench/run.sh; an
# hour when a part runs alone).
seconds_left() { echo $((${BENCH_DEADLINE:-$(($(date +%s) + 3600))} - $(date +%s))); }

# pss_kb PID / rss_kb PID: proportional and resident set size of a process, in KiB.
pss_kb() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null; }
rss_kb() { awk '/^Rss:/ {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null; }
# private_kb PID: memory of the process alone (Private_Clean + Private_Dirty), in KiB: unlike
# PSS it does not move when other programs map the same libraries.
private_kb() { awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}' "/proc/$1/smaps_rollup" 2>/dev/null; }

# cpu_ticks PID: utime+stime of a process in clock ticks (fields 14 and 15 of /proc/PID/stat,
# counted after the command name, which may hold spaces).
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
# cpu_ticks_with_children PID: the same with the waited-for children's (fields 16 and 17), so
# that what a process ran and reaped counts; 0 for a process gone.
cpu_ticks_with_children() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13 + $14 + $15} END {if (!NR) print 0}'
}

# pss_by_mapping PID N: the N mappings (files, [heap], anonymous) that hold most of a process's
# PSS, as "mapping<TAB>PSS KiB<TAB>private KiB" rows after a header, biggest first.
pss_by_mapping() {
	printf 'mapping\tPSS\tprivate\n'
	awk '
	/^[0-9a-f]+-[0-9a-f]+ / { name = NF >= 6 ? $6 : "[anonymous]"; sub(/.*\//, "", name); next }
	/^Pss:/ { pss[name] += $2 }
	/^Private_(Clean|Dirty):/ { priv[name] += $2 }
	END { for (n in pss) printf "%s\t%d KiB\t%d KiB\n", n, pss[n], priv[n] }' "/proc/$1/smaps" |
		sort -t$'\t' -k2,2nr | head -n "$2"
}
