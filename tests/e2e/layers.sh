#!/bin/bash
# The source's rooms form layers, and each program links only its own: no loop among folders
# (tests/layers/rooms.py), tether-monitor holds no code of the agent's rooms (runtime/,
# agent/), so that it stays small and independent of what the agent links, and the hub's
# tasks, containers and outbox tables are read and written in hub/tasks/ alone.
source "$(dirname "$0")/../lib.sh"

loops=$(/usr/bin/python3 "$TOP/tests/layers/rooms.py" "$TOP" 2>&1)
if [ -z "$loops" ]; then
	pass rooms-have-no-loops
else
	fail rooms-have-no-loops "$loops"
fi

# Functions defined in the agent's objects (but main, which every program has), and those
# tether-monitor carries.
# The objects of today's sources only: a long-lived build folder keeps those of files since
# moved away.
agent_objects=$(cd "$TOP" && git ls-files 'agent/*.c' 'runtime/*.c' | sed "s|^|$BIN/obj/|; s|\.c\$|.o|")
agent_symbols=$(nm --defined-only $agent_objects 2>/dev/null |
	awk '$2 == "T" && $3 != "main" { print $3 }' | sort -u)
monitor_symbols=$(nm --defined-only "$BIN/tether-monitor" | awk '$2 == "T" { print $3 }' | sort -u)
if [ -z "$agent_symbols" ] || [ -z "$monitor_symbols" ]; then
	fail monitor-links-no-agent-code "no symbols read (agent: ${#agent_symbols}, monitor: ${#monitor_symbols})"
else
	shared=$(comm -12 <(echo "$agent_symbols") <(echo "$monitor_symbols"))
	if [ -z "$shared" ]; then
		pass monitor-links-no-agent-code
	else
		fail monitor-links-no-agent-code "agent code in tether-monitor: $(echo $shared)"
	fi
fi

# SQL on the task tables outside their room (the schema in hub/store/store.c aside).
elsewhere=$(cd "$TOP" && git grep -nE '(FROM|INTO|UPDATE|JOIN) (tasks|containers|outbox)\b' -- 'hub/*.c' |
	grep -v '^hub/tasks/')
if [ -z "$elsewhere" ]; then
	pass task-tables-have-one-owner
else
	fail task-tables-have-one-owner "$(echo $elsewhere | head -c 400)"
fi
