#!/usr/bin/python3
"""Stands in for the service manager's notification socket: binds an AF_UNIX datagram socket
at PATH and appends every datagram it receives to LOG as one line, "MONOTONIC_SECONDS TEXT",
with the datagram's newlines written as "|". Runs until it is killed.

notify-listen.py PATH LOG"""
import socket, sys, time

sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        data = sock.recv(65536).decode(errors="replace")
        log.write("%.3f %s\n" % (time.monotonic(), data.replace("\n", "|")))
