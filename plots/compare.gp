# compare.gp: the article against the simulation, one table of the
# article per figure.
#
# gnuplot -c compare.gp SCRIPTS DATA OUT FORMAT TITLE ROWS
#
# DATA (CSV, written by `fission plot` from compare.csv), one row per
# simulated figure of the table:
#   1 row index (0 at the top)       2 the figure's id
#   3 simulated mean / article       4,5 its 95% interval / article
#   6,7 tolerance band / article     8 1 within tolerance, 0 out
#   9 "article / simulated" in the figure's unit (right-hand labels)
#
# Every figure is drawn as a ratio to the article's value, so shares,
# yuan and counts sit on one axis: 1 is the article, the green or red dot
# the simulated mean with its 95% interval, the blue band the tolerance.

sdir = ARG1; data = ARG2; out = ARG3; fmt = ARG4; title = ARG5; rows = int(ARG6)
width = 960; height = 130 + 30 * rows
load sdir.'/common.gp'
set datafile separator ','

set title title font ',13'
set xlabel 'simulated / article (log scale; 1 = the article''s figure)'
set logscale x 2
set xrange [0.0625<*<0.5 : 2<*<16]     # autoscale, at least 1/2..2, at most 1/16..16
set xtics 2 format '%g'                      # a tic at every power of 2
set yrange [rows - 0.5 : -0.5]
set y2range [rows - 0.5 : -0.5]
set ytics scale 0
set y2tics scale 0 font ',9' textcolor rgb '#555555'
set grid noytics
# the legend as one line of text under the axis
unset key
set bmargin 5
set label 10 'dot: simulated mean (green within tolerance, red out)    whiskers: 95% CI    blue band: tolerance    dashed line: the article' \
    at screen 0.5, screen 0.025 center font ',9' textcolor rgb '#444444'
set arrow 1 from 1, graph 0 to 1, graph 1 nohead lc rgb c_ref lw 1.5 dt 2

plot data using (($6 + $7) / 2):1:6:7:($1 - 0.32):($1 + 0.32) with boxxyerror \
         fc rgb c_band fs transparent solid 0.45 noborder title 'tolerance band', \
     data using ($8 == 1 ? $3 : NaN):1:4:5:ytic(2) with xerrorbars \
         lc rgb c_within pt 7 ps 1.2 lw 1.5 title 'within tolerance (mean, 95% CI)', \
     data using ($8 == 0 ? $3 : NaN):1:4:5 with xerrorbars \
         lc rgb c_out pt 7 ps 1.2 lw 1.5 title 'out of tolerance', \
     data using (NaN):1:y2tic(9) axes x1y2 notitle
