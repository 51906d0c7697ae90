# make install: the installed spot runs without the checkout (schemas compiled in), and the
# installed examples find the installed data by their own relative paths.
install_prefix() {
  local d="$TMPROOT/install" root=$PWD
  rm -rf "$d" && mkdir -p "$d/elsewhere"
  make --no-print-directory -s install PREFIX="$d/prefix" BIN="$BIN" BUILD="$BUILD" > "$d/make.log" 2>&1 || { tail -3 "$d/make.log"; return 1; }
  for f in bin/spot share/spot/schemas/spot.xsd share/spot/schemas/compare.xsd share/spot/data/README.md \
           share/spot/examples/c3_charge/charge.xml share/spot/postproc/population_figures.py \
           share/doc/spot/LICENSE share/doc/spot/README.md; do
    [ -f "$d/prefix/$f" ] || { echo "not installed: $f"; return 1; }
  done
  [ -z "$(find "$d/prefix" -name out -o -name '*.pyc')" ] || { echo "run outputs installed"; return 1; }
  cd "$d/elsewhere" || return 1
  [ "$("$d/prefix/bin/spot" --version | cut -d' ' -f1)" = spot ] || { echo "--version: $("$d/prefix/bin/spot" --version 2>&1)"; return 1; }
  "$d/prefix/bin/spot" schema | cmp -s - "$root/input/spot.xsd" || { echo "spot schema differs from input/spot.xsd"; return 1; }
  # the example reads data/ through ../../data relative to itself: the installed copy must hold
  "$d/prefix/bin/spot" run "$d/prefix/share/spot/examples/c3_charge/charge.xml" -proto_nsteps 1 -proto_0_duration 2min \
    -out_directory "$d/elsewhere/out" -out_fields false -out_progress false > run.log 2>&1 || { tail -3 run.log; return 1; }
  [ "$(tail -n +2 out/timeseries.csv | wc -l)" -gt 2 ] || { echo "no time series"; return 1; }
  make --no-print-directory -s -C "$root" uninstall PREFIX="$d/prefix" BIN="$BIN" BUILD="$BUILD" > "$d/un.log" 2>&1 || { tail -3 "$d/un.log"; return 1; }
  [ -z "$(find "$d/prefix" -type f)" ] || { echo "uninstall left: $(find "$d/prefix" -type f | head -3)"; return 1; }
}
export -f install_prefix
case_ install_prefix 120 install_prefix
