#!/usr/bin/env bash
# Gradescope runs this once per upload of the zip, as root, with network.
# A Python environment every user can read (the sandbox runs a student's code as an unprivileged
# uid, which must import numpy from it), then the course files made readable by root only.
set -euo pipefail
SOURCE=/autograder/source
PREFIX=/opt/zeroinit
# the system's Python: one under /root (pyenv, say) would be unreadable to the sandbox's uid
PYTHON3=/usr/bin/python3
if ! "$PYTHON3" -c "import ensurepip, venv" 2>/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv
fi
"$PYTHON3" -m venv "$PREFIX"
"$PREFIX/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: -r "$SOURCE/requirements.txt"
"$PREFIX/bin/pip" install --quiet --disable-pip-version-check --no-deps "$SOURCE"/wheels/zeroinit_kit-*.whl
chmod -R a+rX "$PREFIX"
chown -R root:root "$SOURCE"
chmod -R go-rwx "$SOURCE"
"$PREFIX/bin/python" -m autograder --version
# Run the solution once now, into the course folder's cache: no student's run then pays for it.
"$PREFIX/bin/python" -m autograder gradescope-run --warm || echo "setup: the solution's run is not cached; each run makes it"
