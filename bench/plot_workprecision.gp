# Work-precision plot of bench/sections/workprecision.sh (gnuplot 5, Debian's gnuplot-nox):
#   gnuplot -e "data='runs.tsv'; frontw='front_wall.tsv'; frontl='front_loop.tsv'; out='wp.png'" bench/plot_workprecision.gp
# runs.tsv (tab-separated, header line): code variant h dofs param steps newton wall_s loop_s err
#   code = spot | freefem | fenics; variant = P1, P1-lumped, P2; param = rtol (spot) or dt (peers)
# front_wall.tsv, front_loop.tsv: code time err, each code's Pareto front (its fastest run at each
# error), for the lines. Left: whole-command wall time; right: the time-stepping loop alone.
if (!exists("data")) data = 'runs.tsv'
if (!exists("frontw")) frontw = 'front_wall.tsv'
if (!exists("frontl")) frontl = 'front_loop.tsv'
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
set yrange [3e-6:0.2]
set ylabel "max probe error |θ - θ_{ref}| (2 probes x 20 times)"
# the error band of the issue's target
set object 1 rect from graph 0, first 1e-4 to graph 1, first 1e-2 fc rgb "#f3f6ff" fs solid noborder behind

codes = "spot freefem fenics"
variants = "P1 P1-lumped P2"
colour(c) = (c eq "spot") ? "#c0392b" : (c eq "freefem") ? "#2471a3" : "#229954"
ptype(v) = (v eq "P1") ? 7 : (v eq "P1-lumped") ? 5 : 9
name(c) = (c eq "spot") ? "spot" : (c eq "freefem") ? "FreeFEM" : "FEniCS"
sel(c, v, col) = (strcol(1) eq c && strcol(2) eq v && column(10) > 0 && column(10) < 1) ? column(col) : NaN

set multiplot layout 1,2 title "Work-precision, issue-7 benchmark (rounded square, C/2 for 2400 s): each point is one run; lines: each code's fastest run at each error" font ",12"
set xlabel "wall time of the whole command (s)"
plot for [c in codes] for [v in variants] data skip 1 using (sel(c, v, 8)):(sel(c, v, 10)) with points pt ptype(v) ps 1.3 lc rgb colour(c) title name(c)." ".v, \
     for [c in codes] frontw using ((strcol(1) eq c) ? column(2) : NaN):3 with steps lw 1.5 lc rgb colour(c) notitle
set xlabel "time-stepping loop alone (s): spot's Solve stage, the peers' time loop"
plot for [c in codes] for [v in variants] data skip 1 using (sel(c, v, 9)):(sel(c, v, 10)) with points pt ptype(v) ps 1.3 lc rgb colour(c) title name(c)." ".v, \
     for [c in codes] frontl using ((strcol(1) eq c) ? column(2) : NaN):3 with steps lw 1.5 lc rgb colour(c) notitle
unset multiplot
