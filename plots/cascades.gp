# cascades.gp: how large the cascades grow -- the complementary CDF of
# cascade tree sizes (the users whose participation traces back to one
# seed, the seed included), pooled over replicates, on log-log axes. A
# straight line is a power-law tail: a few seeds reach most participants.
#
# gnuplot -c cascades.gp SCRIPTS DATA OUT FORMAT CAMPAIGNS
#
# DATA (CSV): one block per campaign (two blank lines between); rows:
# tree size s, the share of trees of size >= s. Campaigns whose
# participants beyond the seeds mostly came through a shared plain link
# (whose seeds are unknown) are left out.

sdir = ARG1; data = ARG2; out = ARG3; fmt = ARG4; names = ARG5
nc = words(names)
width = 800; height = 560
load sdir.'/common.gp'
set datafile separator ','

set title 'Cascade size distribution (complementary CDF, all replicates)' font ',13'
set xlabel 'cascade tree size s (participants traced to one seed)'
set ylabel 'P(size >= s)'
set logscale xy
set format y '%g'
set key top right

plot for [c = 0:nc - 1] data index c using 1:2 with linespoints lt c + 1 title word(names, c + 1)
