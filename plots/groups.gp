# groups.gp: how long group buys take to fill -- the histogram and the
# empirical CDF of the time from opening to the last place, over the
# groups that filled, per group campaign, with the share of closed groups
# that failed (hit the deadline) in the legend.
#
# gnuplot -c groups.gp SCRIPTS DATA OUT FORMAT CAMPAIGNS FAILED DEADLINES BINW
#
# DATA (CSV): for campaign c, block 2c is the histogram (bin middle in
# hours, share of the campaign's filled groups) and block 2c + 1 the ECDF
# (hours, share filled by then). FAILED: the failed share of each
# campaign; DEADLINES: each campaign's deadline in hours; BINW: histogram
# bin width in hours (all space-separated, one per campaign).

sdir = ARG1; data = ARG2; out = ARG3; fmt = ARG4
names = ARG5; failed = ARG6; deadlines = ARG7; binw = real(ARG8)
nc = words(names)
width = 1100; height = 460
load sdir.'/common.gp'
set datafile separator ','

label(c) = sprintf('%s (%.0f%% of closed groups failed)', word(names, c + 1), 100.0 * real(word(failed, c + 1)))

# the x axis runs to the longest deadline when one is known
maxd = 0
do for [c = 1:nc] { d = real(word(deadlines, c)); if (d == d && d > maxd) { maxd = d } }
set multiplot layout 1, 2 title 'Group fill times (filled groups, all replicates)' font ',13'

set title 'histogram'
set xlabel 'hours from opening to the last place'
set ylabel 'share of filled groups'
if (maxd > 0) { set xrange [0 : maxd * 1.02] } else { set xrange [0:*] }
set yrange [0:*]
set boxwidth binw / (nc + 0.5) absolute
set key top right
plot for [c = 0:nc - 1] data index 2 * c using ($1 + (c - (nc - 1) / 2.0) * binw / (nc + 0.5)):2 \
         with boxes lt c + 1 title label(c)

set title 'empirical CDF'
set ylabel 'share of filled groups filled by then'
set yrange [0:1.02]
unset key
do for [c = 0:nc - 1] {
    set arrow c + 1 from real(word(deadlines, c + 1)), graph 0 to real(word(deadlines, c + 1)), graph 1 \
        nohead lt c + 1 dt 3 lw 1
}
plot for [c = 0:nc - 1] data index 2 * c + 1 using 1:2 with steps lt c + 1 title label(c)
unset multiplot
