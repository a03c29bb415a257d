#!/bin/bash
# The aws CLI's command line for the calls scripts/demo.sh makes, sent as the same JSON 1.1
# requests with curl (json_api_call of lib.sh). The VM's tests give it to the demo as
# TETHER_DEMO_AWS: under software emulation the CLI's Python start-up costs about 20 s a call.
# Only the requests: lib.sh would make a work folder and clean it up, each call.
source "$(dirname "$0")/json-api.sh"
args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--endpoint-url) HUB_URL=$2; shift 2 ;;
	--region | --output) shift 2 ;;
	--no-sign-request) shift ;;
	--cli-input-json) args+=("$1" "$(<"${2#file://}")"); shift 2 ;;
	*) args+=("$1"); shift ;;
	esac
done
json_api_call "${args[@]}"
