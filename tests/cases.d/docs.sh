# The documentation's commands work as written (issue 20). Every command shown in a code block of
# README.md, docs/*.md and examples/*/README.md is found by its block's tag:
#   ```sh           each line (continued by a trailing \) is a command; a trailing "# ..." is a
#                   comment. It is run from the checkout's root as written, in a scratch copy of
#                   the checkout (bin/spot, data/ linked; examples/, tests/inputs/ copied; one copy
#                   per document, commands in document order), and must exit 0 (a command already
#                   run as written for an earlier document is not run again); or, if it appears
#                   verbatim in a script of the suite (tests/cases.d), of a make target (scripts/)
#                   or in the Makefile, it is run there and only checked to be there. `make T`
#                   lines are checked to name targets and variables of the Makefile.
#   ```sh long      commands too long for the suite (minutes): checked, not run: the scripts and
#                   input files they name exist, and scripts parse (bash -n).
#   ```console-error  "$ COMMAND" followed by the line it prints: the command must exit 1 with
#                   exactly that line on stderr (the documented error message).
# A command of spot's kind (bin/spot, spot, mpirun, make, bash, python3) anywhere else in a code
# block (```text, ```xml, an indented block) is refused: it would not be checked. So is `spot`
# without bin/: a checkout has no spot on PATH. Relative links between the pages must resolve.

# docs_extract FILE...: one line per command, "KIND<TAB>FILE:LINE<TAB>COMMAND<TAB>EXPECTED"
# (KIND run, long, error or stray)
docs_extract() {
  awk '
    function emit(kind, where, cmd, expected) {
      sub(/^[ \t]+/, "", cmd); sub(/[ \t]+$/, "", cmd)
      if (cmd != "") printf "%s\t%s\t%s\t%s\n", kind, where, cmd, expected
    }
    function commandlike(s) { sub(/^[ \t]*(\$ )?/, "", s); return s ~ /^(\.\/)?(bin\/spot|spot|mpirun|make|bash|sh|(\/usr\/bin\/)?python3?)( |$)/ }
    FNR == 1 { inblock = 0; cont = 0; pending = ""; prevblank = 1 }
    /^[ \t]*```/ {
      if (!inblock) {
        info = $0; sub(/^[ \t]*```[ \t]*/, "", info); n = split(info, w, /[ \t]+/)
        lang = (n >= 1) ? w[1] : ""; long = (n >= 2 && w[2] == "long"); inblock = 1; cont = 0; pending = ""
      } else {
        if (cont) emit("run", where, cmd, ""); inblock = 0; cont = 0
      }
      next
    }
    inblock && (lang == "sh" || lang == "bash") {
      line = $0
      if (!cont) {
        if (line ~ /^[ \t]*(#|$)/) next
        cmd = ""; where = FILENAME ":" FNR
      }
      if (line ~ /\\$/) { sub(/\\$/, "", line); cmd = cmd " " line; cont = 1; next }
      cont = 0; cmd = cmd " " line
      sub(/[ \t]+#[ \t].*$/, "", cmd); gsub(/[ \t]+/, " ", cmd)
      emit(long ? "long" : "run", where, cmd, ""); next
    }
    inblock && lang == "console-error" {
      if ($0 ~ /^\$ /) { pending = substr($0, 3); where = FILENAME ":" FNR }
      else if (pending != "" && $0 ~ /[^ \t]/) { emit("error", where, pending, $0); pending = "" }
      next
    }
    inblock { if (commandlike($0)) emit("stray", FILENAME ":" FNR, $0, ""); next }
    # an indented code block: four spaces after a blank line
    /^    / && prevblank && commandlike($0) { emit("stray", FILENAME ":" FNR, $0, "") }
    { prevblank = ($0 ~ /^[ \t]*$/) || (prevblank && /^    /) }
  ' "$@"
}
export -f docs_extract

# A scratch copy of the checkout in which documented commands may write what they write
docs_scratch() {
  local s=$1 root=$PWD
  rm -rf "$s" && mkdir -p "$s/bin" || return 1
  ln -s "$SPOT" "$s/bin/spot"
  for d in data postproc scripts input bench; do ln -s "$root/$d" "$s/$d"; done
  tar -c --exclude='out' --exclude='out_*' examples tests/inputs | tar -x -C "$s"
}
export -f docs_scratch

# The scripts, make targets and test cases that run commands: a documented command found verbatim
# in a line of them (not a comment) is run there
docs_covered() {
  local cmd=$1 f
  for f in tests/cases.d/*.sh scripts/*.sh Makefile; do
    [ "$f" = tests/cases.d/docs.sh ] && continue
    grep -v '^[[:space:]]*#' "$f" | grep -qF -- "$cmd" && return 0
  done
  return 1
}
export -f docs_covered

# The files a command names as inputs (a path with a known extension, not the value of an output
# option) must exist in the checkout; scripts must parse
docs_static() {
  local where=$1 cmd=$2 prev="" w bad=0
  for w in $cmd; do
    case "$prev" in -o|--output|--preview|--timestamps|-out_directory|-gitt_output_directory) prev=$w; continue ;; esac
    prev=$w
    [[ "$w" =~ ^[A-Za-z0-9_./-]+\.(xml|csv|png|tif|tiff|pgm|msh|sh|py|geo)$ ]] || continue
    [ -f "$w" ] || { echo "$where: '$cmd' names $w, which is not in the checkout"; bad=1; continue; }
    [[ "$w" == *.sh ]] && ! bash -n "$w" && { echo "$where: $w does not parse"; bad=1; }
  done
  return $bad
}
export -f docs_static

docs_make() { # make [-jN] [TARGET...] [VAR=value...]: targets and variables the Makefile has
  local where=$1 cmd=$2 targets w bad=0
  targets=$(make -pRrq -f Makefile : 2>/dev/null | awk -F: '/^[a-zA-Z0-9][^$#\/\t=]*:([^=]|$)/ {print $1}')
  for w in ${cmd#make}; do
    case "$w" in
      -*) ;;
      *=*) grep -q "\b${w%%=*}\b" Makefile || { echo "$where: '$cmd': the Makefile has no variable ${w%%=*}"; bad=1; } ;;
      *) grep -qx -- "$w" <<<"$targets" || { echo "$where: '$cmd': the Makefile has no target $w"; bad=1; } ;;
    esac
  done
  return $bad
}
export -f docs_make

docs_commands() {
  local root=$PWD s="$TMPROOT/docs" md kind where cmd expected out err rc bad=0 t0
  local n_run=0 n_covered=0 n_make=0 n_long=0 n_error=0 n_again=0
  local -A passed=()
  export PYTHONDONTWRITEBYTECODE=1
  for md in README.md docs/*.md examples/*/README.md; do
    docs_scratch "$s" || return 1
    while IFS=$'\t' read -r kind where cmd expected; do
      if [[ "$cmd" =~ ^(mpirun[^/]*\ )?spot(\ |$) ]]; then
        echo "$where: '$cmd': there is no spot on PATH in a checkout: write bin/spot"; bad=1; continue
      fi
      case "$kind" in
        stray)
          echo "$where: '$cmd' is in a code block the docs test does not check: tag the block sh (or sh long, or console-error)"; bad=1 ;;
        long)
          docs_static "$where" "$cmd" || bad=1; n_long=$((n_long + 1)) ;;
        error)
          err=$(cd "$s" && timeout 120 bash -c "$cmd" 2>&1 >/dev/null </dev/null); rc=$?
          if [ $rc -ne 1 ] || [ "$err" != "$expected" ]; then
            printf '%s: %s\n  documented (exit 1): %s\n  got (exit %s):        %s\n' "$where" "$cmd" "$expected" "$rc" "$err"; bad=1
          fi
          n_error=$((n_error + 1)) ;;
        run)
          if [[ "$cmd" =~ ^make(\ |$) ]]; then
            docs_make "$where" "$cmd" || bad=1; n_make=$((n_make + 1))
          elif docs_covered "$cmd"; then
            docs_static "$where" "$cmd" || bad=1; n_covered=$((n_covered + 1))
          elif [ -n "${passed[$cmd]:-}" ]; then
            n_again=$((n_again + 1))
          else
            t0=$(date +%s)
            out=$(cd "$s" && timeout 300 bash -c "$cmd" 2>&1 </dev/null); rc=$?
            [ -n "${VERBOSE:-}" ] && echo "$where: $(( $(date +%s) - t0 )) s: $cmd"
            if [ $rc -ne 0 ]; then
              printf '%s: %s\n  failed (exit %s):\n%s\n' "$where" "$cmd" "$rc" "$(tail -n 5 <<<"$out" | sed 's/^/    /')"; bad=1
            else
              passed[$cmd]=1
            fi
            n_run=$((n_run + 1))
          fi ;;
      esac
    done < <(docs_extract "$md")
    # and the pages it links to exist (anchors are not checked)
    while read -r link; do
      [ -e "$(dirname "$md")/${link%%#*}" ] || { echo "$md: links to ${link%%#*}, which does not exist"; bad=1; }
    done < <(grep -o '](\([^)#:]*\)\(#[^)]*\)\?)' "$md" | sed 's/^](//; s/)$//' | grep -v '^$')
  done
  rm -rf "$s"
  echo "docs: $n_run commands run ($n_again more shown again), $n_covered run by the suite or a make target, $n_make make lines, $n_long long ones checked, $n_error error examples"
  # the extraction itself must have found the documents' commands: an empty harvest passes nothing
  [ $n_run -ge 10 ] && [ $n_error -ge 3 ] || { echo "too few commands found: is the extraction broken?"; bad=1; }
  return $bad
}
export -f docs_commands
case_ docs_commands 900 docs_commands
