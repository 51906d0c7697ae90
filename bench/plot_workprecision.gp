# Work-precision plot of bench/sections/workprecision.sh (gnuplot 5, Debian's gnuplot-nox):
#   gnuplot -e "data='runs.tsv'; frontc='front_cpu.tsv'; frontx='front_cpu_x.tsv'; out='wp.png'" bench/plot_workprecision.gp
# runs.tsv (tab-separated, header line):
#   code variant h dofs param steps newton wall_s cpu_s loop_s err where err_x where_x
#   code = spot | freefem | fenics; variant = P1, P1-vertex, P2 (and spot's P1-consistent, P1-gauss); param = rtol (spot) or dt (peers);
#   err: max probe error over all entries; err_x: over all but the centroid at t = 2400 s.
# front_cpu.tsv, front_cpu_x.tsv: code time err, each code's Pareto front (its fastest run at each
# error), for the lines. Time: CPU seconds (user + system) of the whole command, which a busy
# machine disturbs less than wall time (the table has both).
if (!exists("data")) data = 'runs.tsv'
if (!exists("frontc")) frontc = 'front_cpu.tsv'
if (!exists("frontx")) frontx = 'front_cpu_x.tsv'
if (!exists("out")) out = 'workprecision.png'
set terminal pngcairo size 1500,650 font "sans,11"
set output out
set datafile separator "\t"
set datafile missing "nan"
set logscale xy
set format x "10^{%T}"
set format y "10^{%T}"
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set key bottom left box opaque font ",9"
set yrange [1e-5:0.3]
set xlabel "CPU time of the whole command (s, user + system)"
# the error band of the issue's target
set object 1 rect from graph 0, first 1e-4 to graph 1, first 1e-2 fc rgb "#f3f6ff" fs solid noborder behind

codes = "spot freefem fenics"
variants = "P1 P1-vertex P2"
colour(c) = (c eq "spot") ? "#c0392b" : (c eq "freefem") ? "#2471a3" : "#229954"
spot_only = "P1-consistent P1-gauss"
ptype(v) = (v eq "P1") ? 7 : (v eq "P1-vertex") ? 5 : (v eq "P2") ? 9 : (v eq "P1-consistent") ? 11 : 13
name(c) = (c eq "spot") ? "spot" : (c eq "freefem") ? "FreeFEM" : "FEniCS"
sel(c, v, col, ec) = (strcol(1) eq c && strcol(2) eq v && column(ec) > 0 && column(ec) < 1) ? column(col) : NaN

set multiplot layout 1,2 title "Work-precision, issue-7 benchmark (rounded square, C/2 for 2400 s): each point one run; lines: each code's fastest run at each error" font ",12"
set ylabel "max probe error |θ - θ_{ref}| (2 probes x 20 times)"
plot for [c in codes] for [v in variants] data skip 1 using (sel(c, v, 9, 11)):(sel(c, v, 11, 11)) with points pt ptype(v) ps 1.3 lc rgb colour(c) title name(c)." ".v, \
     for [v in spot_only] data skip 1 using (sel("spot", v, 9, 11)):(sel("spot", v, 11, 11)) with points pt ptype(v) ps 1.3 lc rgb colour("spot") title "spot ".v, \
     for [c in codes] frontc using ((strcol(1) eq c) ? column(2) : NaN):3 with steps lw 1.5 lc rgb colour(c) notitle
set ylabel "the same without the centroid at t = 2400 s (front arrival)"
plot for [c in codes] for [v in variants] data skip 1 using (sel(c, v, 9, 13)):(sel(c, v, 13, 13)) with points pt ptype(v) ps 1.3 lc rgb colour(c) title name(c)." ".v, \
     for [v in spot_only] data skip 1 using (sel("spot", v, 9, 13)):(sel("spot", v, 13, 13)) with points pt ptype(v) ps 1.3 lc rgb colour("spot") title "spot ".v, \
     for [c in codes] frontx using ((strcol(1) eq c) ? column(2) : NaN):3 with steps lw 1.5 lc rgb colour(c) notitle
unset multiplot
