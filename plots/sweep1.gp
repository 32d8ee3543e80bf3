# sweep1.gp: one metric along a one-axis sweep -- the mean over the
# replicates at each point as a line, its 95% interval as a band.
#
# gnuplot -c sweep1.gp SCRIPTS DATA OUT FORMAT AXIS METRIC TEXT
#
# DATA (CSV, sorted by the axis): axis value, mean, 95% low, 95% high,
# the value as written in points.csv. TEXT: 1 if the axis takes text
# values (a seeding strategy, say): they sit at 0, 1, 2, ... and are
# labelled with the text.

sdir = ARG1; data = ARG2; out = ARG3; fmt = ARG4; axis = ARG5; metric = ARG6; text = int(ARG7)
width = 800; height = 520
load sdir.'/common.gp'
set datafile separator ','

set title sprintf('%s along %s (mean, 95%% CI)', metric, axis) font ',13'
set xlabel axis
set ylabel metric
set key top left

if (text) {
    set xrange [-0.5:*]
    set offsets 0, 0.5, 0, 0
    plot data using 1:2:3:4:xtic(5) with yerrorbars lt 1 pt 7 title 'mean, 95% CI'
} else {
    plot data using 1:3:4 with filledcurves lt 1 fs transparent solid 0.25 noborder title '95% CI', \
         data using 1:2 with linespoints lt 1 title 'mean'
}
