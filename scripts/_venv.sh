# Sourced by scripts/start and scripts/test: makes .venv and installs the project into it
# when pyproject.toml has changed since the last install, so both commands work on a
# fresh clone with nothing but Python 3.11+ and pip.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
stamp=.venv/.regiobot-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip >&2
    .venv/bin/python -m pip install --quiet -e ".[test]" >&2
    touch "$stamp"
fi
export PATH="$root/.venv/bin:$PATH"
