#!/usr/bin/python3
"""Run the generated hostile cases and check spot's contract for bad input on each (called by
tests/hostile/run.sh, which documents the checks; the expected failures are listed there).

    /usr/bin/python3 tests/hostile/runner.py HOSTILE_DIR SPOT REPO EXPECTED_TSV [PATTERN]

Every case runs in a mount namespace of its own (unshare -m, as root): /tmp is a fresh tmpfs, the
case's setup mounts a read-only or a tiny tmpfs (or a read-only bind mount) inside work/, spot runs
under timeout and prlimit --as=4G with stdin /dev/null. Two cases run at a time (HOSTILE_JOBS).
Prints one line per unexpected failure or newly passing expected failure and a summary; exit
status 0 when exactly the expected failures fail. The details of every failing case go to
HOSTILE_DIR/report.txt.
"""
import concurrent.futures
import os
import stat
import subprocess
import sys
import time

# inside the namespace: a private /tmp, the case's mounts, spot, and what was left in /tmp and in
# the mounted directory (which vanishes with the namespace)
SANDBOX = r'''
c=$1 ns=$2 setup=$3 limit=$4
shift 4
if [ "$ns" = 1 ]; then
  # a checkout under /tmp (CI's mktemp -d) stays visible: its top folder is bound over the new /tmp
  top=
  case $c in /tmp/*/*) top=${c#/tmp/}; top=/tmp/${top%%/*} ;; esac
  if [ -n "$top" ]; then mount --bind "$top" /mnt || exit 98; fi
  mount -t tmpfs -o size=512m tmpfs /tmp || exit 98
  if [ -n "$top" ]; then mkdir "$top" && mount --bind /mnt "$top" || exit 98; fi
  set -f
  case $setup in
    tmpfs\ *) set -- $setup "$@"; mount -t tmpfs -o "size=$3,$4" tmpfs "$c/work/$2" || exit 97; m=$2; shift 4 ;;
    bind\ *) set -- $setup "$@"; mount --bind "$c/work/$2" "$c/work/$2" && mount -o remount,bind,ro "$c/work/$2" || exit 97; m=$2; shift 2 ;;
    *) m= ;;
  esac
  set +f
fi
cd "$c/work" || exit 96
if [ -n "${m:-}" ]; then find "$c/work/$m" -mindepth 1 >"$c/mounted.before"; fi
timeout -k 5 "$limit" prlimit --as=4294967296 -- "$@" >"$c/stdout" 2>"$c/stderr" </dev/null
echo $? >"$c/status"
if [ "$ns" = 1 ]; then
  ls -A /tmp | grep -vxF "${top#/tmp/}" >"$c/tmp"
  if [ -n "$m" ]; then find "$c/work/$m" -mindepth 1 >"$c/mounted.after"; fi
fi
exit 0
'''


def read_meta(c):
    meta = {"ranks": "1", "timeout": "15", "setup": "", "nonroot": "0", "cls": ""}
    with open(os.path.join(c, "meta")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            meta[k] = v
    return meta


def walk(top, prune=()):
    """(relpath, stat) of everything under TOP, without recursion and through directory file
    descriptors (a case may leave a path 2500 directories deep, longer than PATH_MAX)"""
    try:
        stack = [(os.open(top, os.O_RDONLY | os.O_DIRECTORY), "")]
    except OSError:
        return
    while stack:
        fd, rel = stack.pop()
        try:
            names = os.listdir(fd)
            for n in names:
                r = rel + "/" + n if rel else n
                try:
                    st = os.stat(n, dir_fd=fd, follow_symlinks=False)
                except OSError:
                    continue
                yield r, st
                if stat.S_ISDIR(st.st_mode) and os.path.join(top, r) not in prune:
                    try:
                        stack.append((os.open(n, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd), r))
                    except OSError:
                        pass
        finally:
            os.close(fd)


def listing(top):
    """{relpath: (type, size, mtime)} of everything under TOP, directories without their times
    (making and removing something in a directory changes its time, which is allowed)"""
    out = {}
    for r, st in walk(top):
        if stat.S_ISDIR(st.st_mode):
            out[r] = ("d", 0, 0)
        else:
            out[r] = (stat.filemode(st.st_mode)[0], st.st_size, st.st_mtime_ns)
    return out


def newer(top, t_ns, prune=()):
    """paths under TOP modified after T_NS"""
    return [os.path.join(top, r) for r, st in walk(top, prune) if st.st_mtime_ns > t_ns]


class Runner:
    def __init__(self, hostile, spot, repo):
        self.hostile, self.spot, self.repo = hostile, spot, repo
        self.root = os.getuid() == 0
        self.ns = self.root and subprocess.run(["unshare", "-m", "--propagation", "private", "true"],
                                               stderr=subprocess.DEVNULL).returncode == 0
        self.home_expected = os.environ.get("HOSTILE_HOME_EXPECTED", "")
        self.prune = {os.path.join(repo, ".git"), os.path.join(repo, "build"), os.path.abspath(os.path.join(hostile, ".."))}
        self.env = dict(os.environ)
        self.env.pop("TMPDIR", None)

    def one(self, name):
        c = os.path.join(self.hostile, "cases", name)
        meta = read_meta(c)
        if meta["nonroot"] == "1" and self.root:
            return name, "SKIP", 0.0, ["root reads files of mode 000"], False
        if meta["setup"] and not self.ns:
            return name, "SKIP", 0.0, ["needs a mount namespace (root)"], False
        for f in ("stdout", "stderr", "status", "tmp", "mounted.before", "mounted.after"):
            try:
                os.unlink(os.path.join(c, f))
            except FileNotFoundError:
                pass
        for d in ("home", "escape"):
            subprocess.run(["rm", "-rf", os.path.join(c, d)])
            os.makedirs(os.path.join(c, d))
        with open(os.path.join(c, "argv"), "rb") as f:
            args = [a.decode("utf-8", "surrogateescape") for a in f.read().split(b"\0")[:-1]]
        work = os.path.join(c, "work")
        before = listing(work)
        limit = meta["timeout"]
        ranks = int(meta["ranks"])
        cmd = (["mpirun", "--oversubscribe", "--quiet", "-n", str(ranks), self.spot] if ranks > 1 else [self.spot]) + args
        env = dict(self.env, HOME=os.path.join(c, "home"))
        sandbox = ["sh", "-c", SANDBOX, "sandbox", c, "1" if self.ns else "0", meta["setup"], limit] + cmd
        if self.ns:
            sandbox = ["unshare", "-m", "--propagation", "private", "--"] + sandbox
        t_ns = time.time_ns()
        t0 = time.monotonic()
        r = subprocess.run(sandbox, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        secs = time.monotonic() - t0
        problems = []
        if r.returncode != 0:
            problems.append("the sandbox failed (status %d: %s)" % (r.returncode, r.stderr.decode(errors="replace")[:200]))
        try:
            status = int(open(os.path.join(c, "status")).read())
        except (OSError, ValueError):
            status = None
        if status is None:
            problems.append("no exit status")
        elif status in (124, 137):
            problems.append("no answer within %s s (killed)" % limit)
        elif status > 128:
            problems.append("killed by signal %d (exit %d)" % (status - 128, status))
        elif status != 1:
            problems.append("exit status %d" % status)
        err = self.read(c, "stderr")
        out = self.read(c, "stdout")
        lines = err.split(b"\n")
        if not (err.endswith(b"\n") and err.count(b"\n") == 1 and err.startswith(b"spot: error: ") and len(err) > 14):
            shown = b"|".join(l[:240] for l in lines[:3]).decode(errors="replace").replace("\0", ".")
            problems.append("stderr has %d line(s) (%d bytes): %s" % (err.count(b"\n") + (0 if err.endswith(b"\n") or not err else 1), len(err), shown))
        if len(out) > 1 << 20:
            problems.append("stdout holds %d bytes" % len(out))
        if b"root:x:0:0" in out or b"root:x:0:0" in err:
            problems.append("the output shows /etc/passwd (an external entity was read)")
        after = listing(work)
        new = sorted(k for k in after if k not in before)
        changed = sorted(k for k in before if k in after and before[k] != after[k])
        gone = sorted(k for k in before if k not in after)
        # what spot left on a file system mounted for the case (gone with its namespace)
        mounted = set(self.read(c, "mounted.after").decode(errors="replace").split("\n")) - set(self.read(c, "mounted.before").decode(errors="replace").split("\n"))
        new += sorted(os.path.relpath(p, work) for p in mounted if p)
        if new:
            problems.append("left in work/: " + " ".join(new[:8]) + (" ..." if len(new) > 8 else ""))
        if changed or gone:
            problems.append("changed or removed in work/: " + " ".join((changed + gone)[:8]))
        tmp = self.read(c, "tmp").decode(errors="replace").split()
        if tmp:
            problems.append("left in /tmp: " + " ".join(tmp[:5]))
        esc = os.listdir(os.path.join(c, "escape"))
        if esc:
            problems.append("wrote outside work/ (into escape/): " + " ".join(esc))
        home = os.listdir(os.path.join(c, "home"))
        home_expected = self.home_expected in home
        home = [h for h in home if h != self.home_expected]
        if home:
            problems.append("wrote outside work/ (into $HOME): " + " ".join(home))
        repo = newer(self.repo, t_ns, self.prune)
        if repo:
            problems.append("wrote in the repository: " + " ".join(repo[:5]))
        fx = newer(os.path.join(self.hostile, "fixtures"), t_ns)
        if fx:
            problems.append("wrote in the fixtures: " + " ".join(fx[:5]))
        return name, "FAIL" if problems else "PASS", secs, problems, home_expected

    @staticmethod
    def read(c, f):
        try:
            with open(os.path.join(c, f), "rb") as fp:
                return fp.read(4 << 20)
        except OSError:
            return b""


def main():
    hostile, spot, repo, expected_tsv = sys.argv[1:5]
    pattern = sys.argv[5] if len(sys.argv) > 5 else ""
    expected = {}
    with open(expected_tsv, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                n, _, why = line.rstrip("\n").partition("\t")
                expected[n] = why
    names = sorted(n for n in os.listdir(os.path.join(hostile, "cases")) if pattern in n)
    unknown = sorted(n for n in expected if n not in os.listdir(os.path.join(hostile, "cases")))
    # the slow ones (two ranks, long time limits) first, so that the workers end together
    metas = {n: read_meta(os.path.join(hostile, "cases", n)) for n in names}
    names.sort(key=lambda n: (-int(metas[n]["ranks"]), -int(metas[n]["timeout"]), n))
    r = Runner(hostile, spot, repo)
    start = time.monotonic()
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=int(os.environ.get("HOSTILE_JOBS", "2"))) as pool:
        for name, verdict, secs, problems, home in pool.map(r.one, names):
            results[name] = (verdict, secs, problems, home)
    passed = xfail = skipped = home_count = 0
    unexpected, fixed, skips, classes = [], [], {}, {}
    with open(os.path.join(hostile, "times.tsv"), "w", encoding="utf-8") as f:
        for n in sorted(names):
            f.write("%s\t%s\t%.2f\n" % (n, results[n][0], results[n][1]))
    with open(os.path.join(hostile, "report.txt"), "w", encoding="utf-8") as rep:
        for n in sorted(names):
            verdict, secs, problems, home = results[n]
            cls = metas[n]["cls"]
            classes[cls] = classes.get(cls, 0) + 1
            home_count += home
            line = "%s (%.1f s): %s" % (n, secs, "; ".join(problems))
            if verdict == "SKIP":
                skipped += 1
                skips[problems[0]] = skips.get(problems[0], 0) + 1
            elif verdict == "PASS":
                if n in expected:
                    fixed.append(n)
                else:
                    passed += 1
            else:
                rep.write(("expected  " if n in expected else "UNEXPECTED ") + line + "\n")
                if n in expected:
                    xfail += 1
                    if os.environ.get("VERBOSE"):
                        print("expected failure " + line)
                else:
                    unexpected.append(line)
    for line in unexpected:
        print("FAIL " + line)
    for n in fixed:
        print("FIXED %s passes now: remove it from expected_failures in tests/hostile/run.sh (%s)" % (n, expected[n]))
    for n in unknown if not pattern else []:
        print("UNKNOWN %s is listed in expected_failures but there is no such case" % n)
    for why, k in sorted(skips.items()):
        print("skipped %d case(s): %s" % (k, why))
    if r.home_expected:
        print("expected: %d case(s) left $HOME/%s: %s" % (home_count, r.home_expected, os.environ.get("HOSTILE_HOME_REASON", "")))
        if not pattern and home_count == 0:
            print("FIXED no case leaves $HOME/%s any more: clear expected_home_files in tests/hostile/run.sh" % r.home_expected)
            fixed.append("home")
    if os.environ.get("VERBOSE"):
        print("classes: " + ", ".join("%s %d" % kv for kv in sorted(classes.items())))
    print("hostile: %d cases, %d passed, %d expected failures remain, %d unexpected failures, %d expected failures now pass, %d skipped (%d s; details in %s)"
          % (len(names), passed, xfail, len(unexpected), len(fixed), skipped, time.monotonic() - start, os.path.join(hostile, "report.txt")))
    sys.exit(0 if not unexpected and not fixed and not (unknown and not pattern) else 1)


if __name__ == "__main__":
    main()
