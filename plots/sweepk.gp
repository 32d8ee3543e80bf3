# sweepk.gp: one metric over a sweep of three axes or more -- main
# effects: for each axis, the metric's mean at each value of that axis,
# averaged over the points of the other axes; one panel per axis.
#
# gnuplot -c sweepk.gp SCRIPTS DATA OUT FORMAT AXES METRIC
#
# DATA (CSV): block k (two blank lines between) for axis k; rows: the
# axis value, the mean of the metric over the points at that value. An
# axis with more than 10 distinct values (random, Latin hypercube or
# Sobol designs) is cut into 8 bins of equal width: the row is the mean
# axis value and the mean metric of the points in the bin.
# AXES: the axis paths, space-separated.

sdir = ARG1; data = ARG2; out = ARG3; fmt = ARG4; axes = ARG5; metric = ARG6
k = words(axes)
cols = (k <= 3) ? k : 3
rowsn = int((k + cols - 1) / cols)
width = 380 * cols + 60; height = 330 * rowsn + 60
load sdir.'/common.gp'
set datafile separator ','

set multiplot layout rowsn, cols title sprintf('%s: main effects (mean over the other axes)', metric) font ',13'
unset key
do for [a = 0:k - 1] {
    set title word(axes, a + 1)
    set xlabel word(axes, a + 1)
    set ylabel metric
    plot data index a using 1:2 with linespoints lt a + 1
}
unset multiplot
