#!/usr/bin/env bash
# Installs the real clients the tests use: Claude Code, the AsyncAPI parser and mermaid-cli from
# npm (cached in .cache/tools, reinstalled only when package.json changes), and Debian's chromium
# (for mermaid-cli), plantuml, postgresql and pgbouncer (the pattern tests start a throwaway
# cluster and pooler from them). Safe to run repeatedly.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tools="$root/.cache/tools"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v plantuml >/dev/null 2>&1 || need_apt+=(plantuml)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need_apt+=(postgresql)
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || need_apt+=(pgbouncer)
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "tools: installing Debian packages: ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

mkdir -p "$tools"
if ! cmp -s "$here/package.json" "$tools/package.json" || [ ! -d "$tools/node_modules" ]; then
  echo "tools: installing npm packages into $tools"
  cp "$here/package.json" "$tools/package.json"
  cp "$here/package-lock.json" "$tools/package-lock.json"
  (cd "$tools" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
# Real public AsyncAPI documents for the import/export fidelity test: the examples the AsyncAPI
# CLI ships (the specification's own, plus vendors' such as ADEO's Kafka service and Slack's
# and Gitter's APIs). Only the package's files are taken, not its dependencies:
# 0.58.10 ships the AsyncAPI 2.6 examples, 2.17.0 the 3.0 ones.
examples="$tools/asyncapi-examples"
for version in 0.58.10 2.17.0; do
  if [ ! -d "$examples/$version" ]; then
    echo "tools: unpacking the AsyncAPI examples of @asyncapi/cli $version"
    scratch="$(mktemp -d)"
    (cd "$scratch" && npm pack "@asyncapi/cli@$version" --silent >/dev/null)
    tar -xzf "$scratch"/asyncapi-cli-"$version".tgz -C "$scratch" package/assets/examples
    mkdir -p "$examples"
    mv "$scratch/package/assets/examples" "$examples/$version"
    rm -rf "$scratch"
  fi
done
# The SARIF 2.1.0 JSON schema (OASIS, release rtm.5) that the SARIF output is validated
# against: only the schema file of Microsoft's SARIF matchers package, not its dependencies.
sarif="$tools/sarif-schema"
sarif_package=1.0.0-beta.0
if [ ! -f "$sarif/$sarif_package/sarif-2.1.0-rtm.5.json" ]; then
  echo "tools: unpacking the SARIF 2.1.0 schema of @microsoft/jest-sarif $sarif_package"
  scratch="$(mktemp -d)"
  (cd "$scratch" && npm pack "@microsoft/jest-sarif@$sarif_package" --silent >/dev/null)
  tar -xzf "$scratch"/microsoft-jest-sarif-"$sarif_package".tgz -C "$scratch" \
    package/lib/schemas/sarif-2.1.0-rtm.5.json
  mkdir -p "$sarif/$sarif_package"
  mv "$scratch/package/lib/schemas/sarif-2.1.0-rtm.5.json" "$sarif/$sarif_package/"
  rm -rf "$scratch"
fi
# For the launcher tests (tests/test_plugin_environment.py, test_plugin_first_run.py): uv from PyPI,
# and the wheels of requirements.lock for this machine's Python, so those tests install offline.
python="${PYTHON_FOR_TOOLS:-$root/.venv/bin/python}"
uv_version=0.13.9
case "$("$tools/uv/bin/uv" --version 2>/dev/null)" in
  "uv $uv_version "*) ;;
  *)
    echo "tools: installing uv $uv_version into $tools/uv"
    rm -rf "$tools/uv"
    "$python" -m pip install -q --disable-pip-version-check --target "$tools/uv" "uv==$uv_version"
    ;;
esac
wheelhouse="$root/.cache/wheelhouse"
if ! cmp -s "$root/requirements.lock" "$wheelhouse/requirements.lock"; then
  echo "tools: downloading the wheels of requirements.lock into $wheelhouse"
  rm -rf "$wheelhouse.new"
  "$python" -m pip download -q --disable-pip-version-check --require-hashes --no-deps \
    --only-binary :all: -r "$root/requirements.lock" -d "$wheelhouse.new"
  cp "$root/requirements.lock" "$wheelhouse.new/requirements.lock"
  rm -rf "$wheelhouse" && mv "$wheelhouse.new" "$wheelhouse"
fi
echo "tools: ready in $tools"
