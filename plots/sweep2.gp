# sweep2.gp: one metric over a two-axis sweep. On a grid design, a heat
# map: each point is a cell (reaching halfway to its neighbours) coloured
# by the metric's mean, with the value printed in it. Otherwise (random,
# Latin hypercube, Sobol designs), a scatter of the points coloured by
# the mean.
#
# gnuplot -c sweep2.gp SCRIPTS DATA OUT FORMAT XAXIS YAXIS METRIC GRID
#
# DATA (CSV): x, y, x low, x high, y low, y high (the cell), mean, the
# label's colour (0xRRGGBB: black on light cells, white on dark ones).
# GRID: 1 heat map, 0 scatter.

sdir = ARG1; data = ARG2; out = ARG3; fmt = ARG4
xaxis = ARG5; yaxis = ARG6; metric = ARG7; grid = int(ARG8)
width = 820; height = 620
load sdir.'/common.gp'
set datafile separator ','

set title sprintf('%s (mean over replicates)', metric) font ',13'
set xlabel xaxis
set ylabel yaxis
set cblabel metric
unset grid
unset key

if (grid) {
    set xrange [*:*] noextend
    set yrange [*:*] noextend
    plot data using 1:2:3:4:5:6:7 with boxxyerror fc palette fs solid 1.0 noborder, \
         data using 1:2:(sprintf('%.3g', $7)):8 with labels font ',9' textcolor rgb variable
} else {
    set grid
    plot data using 1:2:7 with points pt 7 ps 1.6 lc palette
}
