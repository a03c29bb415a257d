#!/usr/bin/python3
"""Read a Prometheus text exposition on stdin with the reference parser
(prometheus_client.parser.text_string_to_metric_families), which refuses text that is not
valid, and print each sample as one JSON line {"name", "labels", "value"} for the tests'
jq checks."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        print(json.dumps({"family": family.name, "type": family.type, "name": s.name,
                          "labels": s.labels, "value": s.value}))
