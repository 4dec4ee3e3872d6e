#!/usr/bin/env bash
# Makes the Python 2.7 virtualenv that holds Autobahn|Testsuite's `wstest`, from the pinned
# requirements.txt beside this script, in $CARGO_TARGET_DIR/autobahn/venv (target/ by default).
# Does nothing when the virtualenv is there and was made from the same requirements.
# Python 2.7: $PYTHON2, else pyenv's 2.7.18 (which the machine image ships).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=.ci/autobahn
venv="${CARGO_TARGET_DIR:-target}/autobahn/venv"
export PIP_NO_PYTHON_VERSION_WARNING=1 PIP_DISABLE_PIP_VERSION_CHECK=1

if [ -x "$venv/bin/wstest" ] && cmp -s "$here/requirements.txt" "$venv/requirements.txt"; then
  exit 0
fi
python2="${PYTHON2:-${PYENV_ROOT:-$HOME/.pyenv}/versions/2.7.18/bin/python}"
if [ ! -x "$python2" ]; then
  echo "autobahn: no Python 2.7 at $python2 (set PYTHON2 to one)" >&2
  exit 1
fi
echo "autobahn: making the wstest virtualenv in $venv"
# virtualenv 20.22 dropped Python 2 (as the interpreter it creates environments for). Nothing
# is cached outside target/: no pip cache, and virtualenv's app data beside the virtualenv.
"$python2" -m pip install --quiet --no-cache-dir 'virtualenv<20.22'
rm -rf "$venv"
"$python2" -m virtualenv --quiet --no-periodic-update --app-data "$venv.app-data" "$venv"
"$venv/bin/pip" install --quiet --no-cache-dir --no-deps -r "$here/requirements.txt"
"$venv/bin/pip" check
cp "$here/requirements.txt" "$venv/requirements.txt"
