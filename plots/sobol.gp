# sobol.gp: Sobol sensitivity indices of one metric -- for each
# parameter, the first-order index S1 (the share of the metric's
# variance the parameter explains alone) and the total index ST (alone
# and in interaction), as grouped bars with their confidence whiskers.
#
# gnuplot -c sobol.gp SCRIPTS DATA OUT FORMAT METRIC ROWS
#
# DATA (CSV): parameter index, parameter, S1, S1 low, S1 high, ST,
# ST low, ST high (an empty field: not given).

sdir = ARG1; data = ARG2; out = ARG3; fmt = ARG4; metric = ARG5; rows = int(ARG6)
width = 160 + 90 * rows; if (width < 700) width = 700
height = 520
load sdir.'/common.gp'
set datafile separator ','

bw = 0.35
set title sprintf('Sobol indices of %s', metric) font ',13'
set ylabel 'index (share of variance)'
set yrange [0:*]
set xrange [-0.6 : rows - 0.4]
set xtics rotate by -30 scale 0
set grid noxtics ytics
set boxwidth bw absolute
set key top right

plot data using ($1 - bw / 2):3:xtic(2) with boxes lt 1 title 'S1 (first order)', \
     data using ($1 + bw / 2):6 with boxes lt 2 title 'ST (total)', \
     data using ($1 - bw / 2):3:4:5 with yerrorbars lc rgb c_whisker pt 7 ps 0 notitle, \
     data using ($1 + bw / 2):6:7:8 with yerrorbars lc rgb c_whisker pt 7 ps 0 notitle
