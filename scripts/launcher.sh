# Sourced by bin/grimoire and hooks/session-start (POSIX sh), with grimoire_root set to the
# plugin folder: where the private Python environment lives, and which Python builds it.

# Claude Code gives hooks the plugin's data folder; the SessionStart hook exports it to Bash
# commands as GRIMOIRE_DATA_DIR. Outside Claude Code: the user's cache folder.
grimoire_data=${GRIMOIRE_DATA_DIR:-${CLAUDE_PLUGIN_DATA:-}}
if [ -z "$grimoire_data" ]; then
  if [ -d "$HOME/Library/Caches" ]; then
    grimoire_data=$HOME/Library/Caches/grimoire
  else
    grimoire_data=${XDG_CACHE_HOME:-$HOME/.cache}/grimoire
  fi
fi
grimoire_runtime=$grimoire_data/runtime

# Ready: built from exactly this plugin version's lock file (a new pinned set rebuilds it).
grimoire_ready() {
  [ -x "$grimoire_runtime/bin/python" ] &&
    cmp -s "$grimoire_root/requirements.lock" "$grimoire_runtime/requirements.lock"
}

# The first Python >= 3.9 among GRIMOIRE_PYTHON, python3, python3.N and python.
grimoire_find_python() {
  for candidate in ${GRIMOIRE_PYTHON:-} python3 python3.14 python3.13 python3.12 python3.11 \
    python3.10 python3.9 python; do
    found=$(command -v "$candidate" 2>/dev/null) || continue
    if "$found" -c 'import sys; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
      grimoire_python=$found
      return 0
    fi
  done
  return 1
}
