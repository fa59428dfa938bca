#!/usr/bin/env bash
# Lints every GitHub Actions workflow with actionlint (syntax, expression types, shellcheck of
# run: steps when shellcheck is installed) and zizmor (template injection, unpinned actions,
# over-broad permissions, credential persistence, cache poisoning in release jobs).
# zizmor runs offline: no GitHub token is needed and nothing is fetched.
# The tools come from scripts/lint-tools.txt, installed by `scripts/setup.sh all` into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
for tool in actionlint zizmor; do
  [ -x "$bin/$tool" ] || { echo "$bin/$tool is missing: run scripts/setup.sh all" >&2; exit 1; }
done

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
if [ ${#workflows[@]} -eq 0 ]; then
  echo "no workflows in .github/workflows"
  exit 0
fi
echo "linting ${#workflows[@]} workflow(s): ${workflows[*]}"
"$bin/actionlint" -no-color "${workflows[@]}"
"$bin/zizmor" --offline --no-progress --format plain --color never "${workflows[@]}"
echo "workflows: actionlint and zizmor clean"
