# Sourced by the benchmark scripts: `bench_venv DIR PACKAGE...` creates a throwaway Python
# virtual environment in DIR with the given packages (once; reused while DIR exists) and
# prints its python. Peer libraries live only there, never in brink's dependencies.
bench_venv() {
  local dir=$1
  shift
  if [ ! -x "$dir/bin/python" ]; then
    python3 -m venv "$dir" >&2
    "$dir/bin/pip" install --quiet "$@" >&2
  fi
  echo "$dir/bin/python"
}
