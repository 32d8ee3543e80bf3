# timeseries.gp: the campaigns' counts over time -- users exposed,
# participants, orders and shares sent per time bin -- the mean over the
# replicates as a line and its 95% interval as a band, one panel per
# series.
#
# gnuplot -c timeseries.gp SCRIPTS DATA OUT FORMAT CAMPAIGNS BIN_HOURS XMAX
#
# XMAX: the end (in days) of the last bin with a count (every later bin
# is zero; the axis stops a bin after it), or -1 for the whole run.
#
# DATA (CSV): blocks separated by two blank lines, block s x nc + c for
# series s (0 exposed, 1 participants, 2 orders, 3 shares) and campaign
# c; rows: bin middle in days, mean, 95% low, 95% high.

sdir = ARG1; data = ARG2; out = ARG3; fmt = ARG4; names = ARG5; bin = ARG6; xmax = real(ARG7)
nc = words(names)
width = 1100; height = 760
load sdir.'/common.gp'
set datafile separator ','

series = 'exposed participants orders shares'
what = "'users newly exposed' 'new participants' 'orders paid' 'shares sent'"
head = sprintf('Counts over time per %s-hour bin (mean over replicates, 95%% band)', bin)
if (xmax > 0) { head = head . sprintf("\nevery count is zero after day %g", xmax); set xrange [0 : xmax + real(bin) / 24] }
set multiplot layout 2, 2 title head font ',13'
do for [s = 0:3] {
    set title word(what, s + 1)
    set xlabel 'day'
    set ylabel sprintf('%s per bin', word(series, s + 1))
    set yrange [0:*]
    if (s == 0) { set key top right } else { unset key }
    plot for [c = 0:nc - 1] data index (s * nc + c) using 1:3:4 with filledcurves \
             lt c + 1 fs transparent solid 0.2 noborder notitle, \
         for [c = 0:nc - 1] data index (s * nc + c) using 1:2 with lines lt c + 1 title word(names, c + 1)
}
unset multiplot
