#!/usr/bin/env bash
# Container entrypoint: run the given command (default: `accord serve`), keep its exit code,
# and when it fails say what the code means, show the crash report if one was written, and
# what to try. The table below mirrors src/accord/startup/exit_codes.py (a test keeps them equal).
set -u

if [ "$#" -eq 0 ]; then
  set -- accord serve
fi

crash_dir="${ACCORD_DATA_DIR:-.accord}/crash"
marker="$(mktemp)"
trap 'rm -f "$marker"' EXIT

child=0
forward() { [ "$child" -gt 0 ] && kill -s "$1" "$child" 2>/dev/null; }
trap 'forward TERM' TERM
trap 'forward INT' INT

"$@" &
child=$!
wait "$child"
code=$?
# A signal interrupts `wait`: wait again for the command's own exit code. bash keeps the
# status of a child it already reaped, so the last `wait` gives it even then.
while kill -0 "$child" 2>/dev/null; do
  wait "$child"
done
wait "$child" 2>/dev/null
code=$?

if [ "$code" -eq 0 ]; then
  exit 0
fi

case "$code" in
  2)  meaning="bad configuration"; advice="fix the variables listed above; README.md has the configuration reference" ;;
  3)  meaning="PostgreSQL could not be reached"; advice="check DATABASE_URL, that the server runs and accepts connections, then run 'accord doctor'" ;;
  4)  meaning="the database schema is not at the current version"; advice="run 'accord db upgrade', then start again" ;;
  70) meaning="internal error"; advice="read the crash report below and report it with its correlation id" ;;
  137) meaning="killed (SIGKILL, often out of memory)"; advice="give the container more memory or lower the load" ;;
  134|139) meaning="crashed by a fatal signal"; advice="read the fatal report below and report it" ;;
  143) meaning="terminated (SIGTERM)"; advice="the process was asked to stop; nothing to fix if that was intended" ;;
  *)  meaning="unexpected exit code"; advice="read the log lines above; run 'accord doctor' to check the set-up" ;;
esac

echo "entrypoint: '$*' exited with code $code: $meaning" >&2
report="$(find "$crash_dir" -maxdepth 1 \( -name 'crash-*.txt' -o -name 'fatal-*.txt' \) \
  -newer "$marker" -size +0 2>/dev/null | sort | tail -n 1)"
if [ -n "$report" ]; then
  echo "entrypoint: crash report $report:" >&2
  sed 's/^/  | /' "$report" >&2
fi
echo "entrypoint: try: $advice" >&2
exit "$code"
