#!/bin/sh
# wsaudio launcher tests: a program for process files to supervise.
#
#   supervised.sh exit STATUS [PIDFILE]   exit with STATUS at once
#   supervised.sh sleep [PIDFILE]         sleep until killed
#   supervised.sh ignore-term [PIDFILE]   sleep until killed, ignoring SIGTERM
#
# PIDFILE, when given, receives the process id (atomically) once the
# process is set up, so a test knows when SIGTERM would be ignored.
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

mode=$1
shift
status=0
if [ "$mode" = exit ]; then
  status=$1
  shift
fi
[ "$mode" != ignore-term ] || trap '' TERM
if [ $# -gt 0 ]; then
  echo $$ > "$1.tmp"
  mv "$1.tmp" "$1"
fi
case $mode in
  exit) exit "$status" ;;
  sleep | ignore-term) exec sleep 600 ;;
  *) echo "supervised.sh: unknown mode $mode" >&2; exit 64 ;;
esac
