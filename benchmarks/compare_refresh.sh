#!/usr/bin/env bash
# Refresh benchmark against newsboat, as recorded in benchmarks/README.md.
#
#   benchmarks/compare_refresh.sh [N] [extra compare_newsboat.sh options...]
#
# Runs the shared harness (../shared/bench/compare_newsboat.sh, beside this
# repository) with the reference settings: 50 ms latency, feeds spread over 20
# loopback hosts, the unchanged phase included, median of 3 runs. Needs
# newsboat and GNU time (apt-get install newsboat time) and newsreader
# installed in .venv (see the README).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
harness="$repo/../shared/bench/compare_newsboat.sh"
[ -x "$harness" ] || [ -f "$harness" ] || { echo "no harness at $harness" >&2; exit 2; }
# `pip install .` (the README's install) compiles the package's bytecode; an editable
# install run with PYTHONDONTWRITEBYTECODE set would compile every module on every run.
"$repo/.venv/bin/python" -m compileall -q "$repo/newsreader"
feeds=${1:-200}
shift || true
exec bash "$harness" -r 3 -l 50 -H 20 -u "$@" "$repo/.venv/bin/newsreader refresh" "$feeds"
