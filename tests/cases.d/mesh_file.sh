# Mesh files (mesh/msh_check.c): PETSc's Gmsh reader trusts its input, so spot checks a .msh file
# itself first. Every file in tests/inputs/msh/hostile/ (made by make_hostile.py), and the ones made
# here (a good mesh cut at many bytes, words of more than 1 MB, a FIFO, a device, a directory, a
# file over the size cap), is refused on 1 rank, and a quarter of them on 2 ranks too (all with
# MSH_ALL_RANKS=1), with exit status 1, exactly one line
# "spot: error: option -mesh_file: MESSAGE" (MESSAGE checked in full where it is fixed), no file in
# the output directory, and every rank ending by itself, within the time limit (no signal, no
# hang). Good meshes in every encoding (tests/inputs/msh/good/, made by make_good.sh and
# make_hostile.py) and every other .msh of tests/ and examples/ that should load do load, on 1 and 2
# ranks; one runs through spot run. The check is fast (test_msh_check speed), and it lets through
# only files PETSc then reads (test_msh_check fuzz: cuts and random changes of good files).
MSH=tests/inputs/msh
export MSH

# msh_refused FILE MESSAGE [ARGS...]: spot run refuses FILE, on 1 and 2 ranks, with MESSAGE (the part
# after "spot: error: option -mesh_file: ", "@" standing for FILE; empty: any message that starts
# with FILE)
msh_refused() {
  local file=$1 expected=${2//@/$1} n out err rc ranks="1 2"
  shift 2
  # 2 ranks for a quarter of the files (chosen by name; the collective path is the same for all,
  # and each 2-rank run costs a second of mpirun); MSH_ALL_RANKS=1 runs every file on both
  [ -z "${MSH_ALL_RANKS:-}" ] && [ $(( $(cksum <<<"$file" | cut -d' ' -f1) % 4 )) != 0 ] && ranks=1
  for n in $ranks; do
    out="$TMPROOT/msh/$(basename "$file").$n"
    rm -rf "$out"
    if [ $n = 1 ]; then
      err=$(timeout 30 "$SPOT" run bench/problems/rounded_square.xml -mesh_file "$file" -out_directory "$out" "$@" 2>&1 >/dev/null)
      rc=$?
    else # every rank reports its own exit; mpirun waits for all (one left waiting times out)
      err=$(OMPI_MCA_orte_abort_on_non_zero_status=0 timeout 30 $MPIRUN 2 sh -c '"$0" "$@"; echo "rank exit $?" >&2' \
        "$SPOT" run bench/problems/rounded_square.xml -mesh_file "$file" -out_directory "$out" "$@" 2>&1 >/dev/null)
      rc=$?
      if [ $rc = 0 ]; then
        [ "$(grep -c '^rank exit 1$' <<<"$err")" = 2 ] || { printf '%s, 2 ranks: not every rank ended with status 1:\n%s\n' "$file" "$err"; return 1; }
        err=$(grep -v '^rank exit ' <<<"$err")
        rc=1
      fi
    fi
    [ $rc = 124 ] && { echo "$file, $n ranks: timed out"; return 1; }
    [ $rc = 1 ] || { printf '%s, %s ranks: exit status %s (over 128: a signal)\n%s\n' "$file" $n $rc "$err"; return 1; }
    [ "$(wc -l <<<"$err")" = 1 ] || { printf '%s, %s ranks: more than one line:\n%s\n' "$file" $n "$err"; return 1; }
    if [ -n "$expected" ]; then
      [ "$err" = "spot: error: option -mesh_file: $expected" ] || { printf '%s, %s ranks:\nexpected: %s\ngot:      %s\n' "$file" $n "spot: error: option -mesh_file: $expected" "$err"; return 1; }
    else
      [[ "$err" == "spot: error: option -mesh_file: $file"* ]] || { printf '%s, %s ranks: the message does not name the file: %s\n' "$file" $n "$err"; return 1; }
    fi
    [ -z "$(ls -A "$out" 2>/dev/null)" ] || { echo "$file, $n ranks: files left in $out: $(ls -A "$out")"; return 1; }
  done
}
export -f msh_refused

while IFS=$'\t' read -r name message; do
  [ -n "$name" ] && case_ "msh_$name" 90 msh_refused "$MSH/hostile/$name.msh" "$message" </dev/null
done <<'EOF'
empty	@:1: the file is empty; expected a Gmsh mesh, which starts with $MeshFormat
junk	@:1: expected $MeshFormat, with which a Gmsh mesh starts; found 'This'
binary_garbage	@:1: byte 0x18 inside a word where a section was expected: this is not a Gmsh mesh, which starts with the line $MeshFormat
version3	@:2: msh format version '3.0'; spot reads versions 4.1 and 2.2, ASCII or binary: save the mesh again from Gmsh as version 4.1
version40	@:2: msh format version '4'; spot reads versions 4.1 and 2.2, ASCII or binary: save the mesh again from Gmsh as version 4.1
nodes_first	@:1: expected $MeshFormat, with which a Gmsh mesh starts; found '$Nodes'
names_late	@:9: $PhysicalNames must come right after $MeshFormat (PETSc's reader takes it only there)
unknown_section	@:14: section '$Parametrizations' before $Elements: PETSc's reader takes only $PhysicalNames, $Entities, $Nodes and $Elements (and $Comments) there
unclosed_comments	@:14: $Comments is not closed by $EndComments
unclosed_section	@:85: section '$NodeData' is not closed by $EndNodeData
periodic	@:85: a $Periodic section: spot does not use periodic meshes; save the mesh without periodicity
missing_end	@:49: expected $EndNodes, found '$EndNode': the section holds more or less data than it announces
nul_byte	@:33: byte 0x00 inside a word where a node coordinate was expected (a binary mesh has file-type 1 in $MeshFormat)
truncated_nodes	@:15: 16 nodes announced, but the 125 bytes left in the file hold at most 15; is it truncated?
wrong_node_count	@:49: the node blocks hold 16 nodes, but $Nodes announced 17
wrong_block_count	@:16: node block 1 announces 20 nodes, but $Nodes announced 16 in all and 0 are already read
wrong_element_count	@:65: element block 2 announces 18 elements, but $Elements announced 29 in all and 12 are already read
huge_count	@:15: 2000000000 nodes announced, but the 577 bytes left in the file hold at most 72; is it truncated?
huge_count_64	@:15: the number of nodes is 99999999999, out of range: expected 0 to 2147483647
negative_count_22	@:10: the number of nodes is -5, out of range: expected 0 to 2147483647
many_tags_22	@:42: the number of tags of an element is 5000, out of range: expected 0 to 100
nan_coordinate	@:38: a node coordinate is not a finite number (nan)
inf_coordinate	@:38: a node coordinate is not a finite number (inf)
bad_number	@:38: expected a node coordinate (a number), found '1.0x'
huge_coordinate	@:38: a node coordinate is 1e+200, out of range: spot reads coordinates up to 1e+30 in size
int_overflow	@:17: a node tag is '99999999999999999999', out of range: expected 1 to 16
undefined_node	@:66: element 13 names node 99, which $Nodes does not define
unknown_entity	@:16: node block 1 belongs to entity 7 of dimension 2, which $Entities does not define
unknown_element_entity	@:52: element block 1 belongs to entity 5 of dimension 1, which $Entities does not define
bad_entity_dim	@:16: the dimension of a node block's entity is 7, out of range: expected 0 to 3
duplicate_node_tag	@:14: node tag 5 appears twice in $Nodes
sparse_tags	@:14: node tags run from 1 to 2000000000 for 16 nodes; PETSc's reader makes a table over that whole range: number the nodes from 1 without large gaps
unknown_type	@:52: element block 1 has element type 200, which is not a Gmsh element type PETSc reads
type_dimension	@:52: element block 1 puts 2-D elements (type 2) in an entity of dimension 1
lines_only	mesh '@' has dimension 1, expected a 2-D (triangles) or 3-D (tetrahedra) mesh
no_elements	mesh '@' has no elements; spot needs triangles (2-D) or tetrahedra (3-D)
second_order_boundary	@:77: an element of Gmsh type 8; with first-order triangles spot takes only lines (type 1) and points (type 15)
long_name	@:6: a physical name must have 1 to 127 characters, this one has 200
name_spacing	@:6: expected a line dim tag "name" with one space before the quoted name (PETSc's reader misreads anything else)
name_colon	@:7: a physical name may not hold ':' (PETSc's reader cuts a name at ':')
name_depth	@:7: a physical group may not be called "depth": PETSc keeps its own label of that name
name_twice	@:7: physical group 1 of dimension 1 is named twice
empty_surface	mesh '@' has a physical group "surface" of dimension 1 without any lines in it; put the particle's boundary curves in it
many_physicals	@:11: entity 1 of dimension 1 is in 20 physical groups; PETSc's reader takes at most 16
parametric	@:16: node block 1 has parametric coordinates, which PETSc's reader does not take: save the mesh without them (Mesh.SaveParametric = 0)
z_off_plane	mesh '@' is a 2-D mesh off a plane z = const: node 1 has z = 0, node 6 has z = 0.5; spot reads the x, y of a 2-D mesh
degenerate	@:68: element 15 is degenerate: its area is 0 (its longest edge is 1)
repeated_node	@:66: element 13 names node 2 twice
folded	@:69: element 16 is clockwise, but 16 of the 18 cells are counter-clockwise: the mesh folds over itself or its cells overlap
overlapping	@:86: elements 13 and 31 lie on the same side of their common edge: the cells overlap
covered_twice	@:90: the mesh covers the inside of its boundary edge from node 17 to node 18 2 times: cells lie on top of other cells
non_manifold	@:71: the edge from node 6 to node 7 is a side of 3 triangles (element 16 and others); an edge is a side of one or two
duplicate_cell	@:84: element 31 has the nodes of element 13: a duplicate cell
duplicate_reversed	@:84: element 31 has the nodes of element 13: a duplicate cell
surface_inside	@:65: element 31 of the "surface" group lies inside the mesh (between elements 16 and 21), not on its boundary
line_not_edge	@:65: element 31 (a line) is not a side of any triangle
loose_point	@:56: element 31 (a point) names node 17, which is in no triangle
self_crossing	@:41: the boundary crosses or touches itself: its edge from node 1 to node 2 (a side of element 7) meets its edge from node 4 to node 5 (a side of element 8)
touching	@:39: the boundary touches itself at node 3: more than two boundary edges meet there
degenerate_3d	@:52: element 15 is degenerate: its volume is 0 (its longest edge is 1.73205)
folded_3d	@:52: element 15 is left-handed, but 5 of the 6 cells are right-handed: the mesh folds over itself or its cells overlap
non_manifold_3d	@:52: the triangle of nodes 1, 2, 8 is a face of 3 tetrahedra (element 13 and others); a face is in one or two
nested_3d	@:89: the mesh covers the inside of its boundary triangle of nodes 13, 16, 15 2 times: cells lie on top of other cells
intersecting_3d	@:85: the boundary intersects itself: its triangle of nodes 5, 6, 8 (a face of element 17) meets its triangle of nodes 9, 10, 14 (a face of element 214)
binary_endian	@:byte 20: the integer 1 that gives the byte order of a binary mesh reads as 7
binary_huge_count	@:byte 319: the number of nodes is 1099511627776, out of range: expected 0 to 2147483647
binary_truncated	@:byte 319: 16 nodes announced, but the 449 bytes left in the file hold at most 14; is it truncated?
binary_undefined_node	@:byte 1256: element 13 names node 99, which $Nodes does not define
binary_unknown_entity	@:byte 343: node block 1 belongs to entity 7 of dimension 2, which $Entities does not define
binary22_block_overrun	@:byte 586: an element header announces 40 elements, but $Elements announced 30 in all and 0 are already read
EOF

# every hostile file has its case above
msh_all_listed() {
  local f missing=0
  for f in "$MSH"/hostile/*.msh; do
    grep -qP "^$(basename "$f" .msh)\t" tests/cases.d/mesh_file.sh || { echo "no expected message for $f"; missing=1; }
  done
  return $missing
}
export -f msh_all_listed
case_ msh_all_listed 30 msh_all_listed

# A good mesh cut at many bytes (ASCII and binary): refused, the message names the file
msh_cut() {
  local src=$1 size cut k=0 f
  size=$(stat -c %s "$src")
  mkdir -p "$TMPROOT/msh"
  for cut in 1 30 $((size / 5)) $((size / 3)) $((size / 2)) $((2 * size / 3)) $((size - 40)) $((size - 14)); do
    f="$TMPROOT/msh/cut_$(basename "$src" .msh)_$cut.msh"
    head -c "$cut" "$src" >"$f"
    msh_refused "$f" "" || return 1
  done
}
export -f msh_cut
case_ msh_cut_ascii 300 msh_cut "$MSH/good/grid_square.msh"
case_ msh_cut_binary 300 msh_cut "$MSH/good/grid_square_41_binary.msh"
case_ msh_cut_22_binary 300 msh_cut "$MSH/good/grid_square_22_binary.msh"

# Words of more than 1 MB: a comment (PETSc reads comments word by word into 4096 bytes) and a number
msh_long() {
  local f="$TMPROOT/msh/long_comment.msh" g="$TMPROOT/msh/long_number.msh"
  mkdir -p "$TMPROOT/msh"
  { sed -n '1,3p' "$MSH/good/grid_square.msh"; echo '$Comments'; head -c 1100000 /dev/zero | tr '\0' x; printf '\n$EndComments\n'; sed '1,3d' "$MSH/good/grid_square.msh"; } >"$f"
  msh_refused "$f" "@:5: a word of more than 4000 bytes where a comment was expected (PETSc's reader takes words of at most 4095 bytes)" || return 1
  { sed -n '1,33p' "$MSH/good/grid_square.msh"; printf '1.'; head -c 1100000 /dev/zero | tr '\0' 0; printf ' 0.0 0.0\n'; sed '1,34d' "$MSH/good/grid_square.msh"; } >"$g"
  msh_refused "$g" "@:34: a word of more than 4000 bytes where a node coordinate was expected (PETSc's reader takes words of at most 4095 bytes)"
}
export -f msh_long
case_ msh_long_words 120 msh_long

# Not a regular file, no file, not a .msh, too big for the cell limit, a binary mesh with a .info
# file (PETSc would read it as options), too many cells
msh_not_files() {
  local d="$TMPROOT/msh" fifo="$TMPROOT/msh/fifo.msh" big="$TMPROOT/msh/big.msh"
  mkdir -p "$d/dir.msh" && rm -f "$fifo" && mkfifo "$fifo" || return 1
  msh_refused "$fifo" "cannot read mesh '@': not a regular file (a FIFO)" || return 1
  msh_refused /dev/zero "mesh '/dev/zero': spot reads Gmsh meshes, whose file names end in .msh" || return 1
  ln -sf /dev/zero "$d/zero.msh"
  msh_refused "$d/zero.msh" "cannot read mesh '@': not a regular file (a device)" || return 1
  msh_refused "$d/dir.msh" "cannot read mesh '@': is a directory" || return 1
  msh_refused "$d/none.msh" "cannot read mesh '@': No such file or directory" || return 1
  msh_refused "$MSH/make_hostile.py" "mesh '@': spot reads Gmsh meshes, whose file names end in .msh" || return 1
  rm -f "$big" && truncate -s 70M "$big" || return 1
  msh_refused "$big" "mesh '@' is 73.4 MB, more than the 67.1 MB a mesh of at most 1 cells (-mesh_max_cells) takes; raise -mesh_max_cells to read it" -mesh_max_cells 1 || return 1
  rm -f "$big"
  cp "$MSH/good/grid_square_41_binary.msh" "$d/with_info.msh" && echo "-ts_max_steps 1" >"$d/with_info.msh.info" || return 1
  msh_refused "$d/with_info.msh" "mesh '@' is binary and has a file '@.info' beside it, which PETSc's reader would read as options: remove or rename it" || return 1
  msh_refused "$MSH/good/grid_square.msh" "mesh '@' has 18 cells, more than the 10 spot reads (-mesh_max_cells); raise -mesh_max_cells if the machine has the memory" -mesh_max_cells 10
}
export -f msh_not_files
case_ msh_not_files 200 msh_not_files

# Good meshes load, on 1 and 2 ranks: every encoding, and every other .msh of tests/ and examples/
# but the bad ones of bad_input.sh
msh_good_files() {
  find tests examples -name '*.msh' ! -path "*/hostile/*" ! -path "tests/fuzz/*" ! -path "*/out/*" ! -name no_surface.msh ! -name quads.msh ! -name second_order.msh ! -name truncated.msh | sort
}
export -f msh_good_files
msh_good() {
  local files
  files=$(msh_good_files)
  [ "$(wc -l <<<"$files")" -ge 20 ] || { echo "only $(wc -l <<<"$files") good meshes"; return 1; }
  "$TESTS/test_msh_check" load $files || return 1
  $MPIRUN 2 "$TESTS/test_msh_check" load $files
}
export -f msh_good
case_ msh_good_load 300 msh_good
msh_good_run() { # a short run on a binary msh 2.2 mesh and a big-endian msh 4.1 one, 2 ranks
  local f
  mkdir -p "$TMPROOT/msh"
  for f in grid_square_22_binary grid_square_41_bigendian; do
    $MPIRUN 2 "$SPOT" run bench/problems/rounded_square.xml -mesh_file "$MSH/good/$f.msh" -proto_0_duration 120s -out_times 60s,120s -out_directory "$TMPROOT/msh/run_$f" >"$TMPROOT/msh/run_$f.log" 2>&1 || { tail -3 "$TMPROOT/msh/run_$f.log"; return 1; }
    grep -q "^mesh: 2-D, 18 cells, 16 vertices, area 9 um^2" "$TMPROOT/msh/run_$f.log" || { grep "^mesh" "$TMPROOT/msh/run_$f.log"; return 1; }
  done
}
export -f msh_good_run
case_ msh_good_run 300 msh_good_run

# Fast: structured meshes in every encoding; what passes the check loads (cuts and random changes)
case_ msh_speed 300 "$TESTS/test_msh_check" speed -cells 200000
case_ msh_fuzz 300 "$TESTS/test_msh_check" fuzz "$MSH/good/grid_square.msh" "$MSH/good/grid_square_41_binary.msh" "$MSH/good/grid_square_22_binary.msh" "$MSH/good/grid_cube.msh" -mutations 600
