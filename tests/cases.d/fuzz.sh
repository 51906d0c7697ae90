# The committed fuzz corpus replayed: every file of tests/fuzz/corpus/<target>/ goes once through
# the harness of its target, built with gcc and a small main instead of libFuzzer
# ($BUILD/fuzz/replay_<target>, made by `make all` through tests/fuzz/fuzz.mk), and must be read or
# refused cleanly in one line, without a crash (tests/fuzz/fuzz.h says what counts). Findings not
# yet fixed wait in tests/fuzz/findings/, outside the corpus. The fuzzing itself, with clang,
# libFuzzer and the sanitizers, is `make fuzz` (tests/fuzz/README.md).
case "$BUILD" in
/*) fuzz_replay_dir=$BUILD/fuzz ;;
*) fuzz_replay_dir=$PWD/$BUILD/fuzz ;;
esac
for fuzz_target in xml table image mesh; do
  case_ "fuzz_replay_$fuzz_target" 60 "$fuzz_replay_dir/replay_$fuzz_target" "tests/fuzz/corpus/$fuzz_target"
done
unset fuzz_target fuzz_replay_dir
