# morris.gp: Morris elementary effects of one metric -- each parameter
# at (mu*, sigma): mu*, the mean absolute effect, says how much the
# parameter matters; sigma, the spread of its effects, how much that
# depends on the other parameters (interactions, non-linearity).
# Parameters far right matter; high up, they interact.
#
# gnuplot -c morris.gp SCRIPTS DATA OUT FORMAT METRIC
#
# DATA (CSV): parameter, mu*, sigma.

sdir = ARG1; data = ARG2; out = ARG3; fmt = ARG4; metric = ARG5
width = 820; height = 600
load sdir.'/common.gp'
set datafile separator ','

set title sprintf('Morris screening of %s', metric) font ',13'
set xlabel 'mu* (mean absolute elementary effect)'
set ylabel 'sigma (spread of the effects)'
# room on the right and above for the labels
stats data using 2:3 nooutput
set xrange [0 : (STATS_max_x > 0 ? STATS_max_x * 1.45 : 1)]
set yrange [0 : (STATS_max_y > 0 ? STATS_max_y * 1.15 : 1)]
unset key

plot data using 2:3 with points lt 1 pt 7 ps 1.4, \
     data using 2:3:1 with labels offset char 1, char 0.6 left font ',9'
