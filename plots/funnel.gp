# funnel.gp: the funnel of each campaign -- how many users were exposed,
# clicked, took part, paid and shared -- as bars with 95% whiskers over
# the replicates, on a log scale (each stage is a fraction of the one
# before).
#
# gnuplot -c funnel.gp SCRIPTS DATA OUT FORMAT CAMPAIGNS
#
# DATA (CSV): campaign index, stage index (0 exposed .. 4 shared), mean,
# 95% low, 95% high. CAMPAIGNS: the campaigns' names, space-separated.

sdir = ARG1; data = ARG2; out = ARG3; fmt = ARG4; names = ARG5
nc = words(names)
width = 320 + 170 * nc; if (width < 800) width = 800
height = 480
load sdir.'/common.gp'
set datafile separator ','

stages = 'exposed clicked participated paid shared'
bw = 0.16                                   # width of one bar
set title 'Campaign funnels (mean over replicates, 95% CI)' font ',13'
set ylabel 'users (log scale)'
set logscale y
set yrange [0.8:*]
set xrange [-0.6 : nc - 0.4]
set xtics scale 0 (word(names, 1) 0)     # replaces the numeric tics
if (nc > 1) { set for [i = 2:nc] xtics add (word(names, i) i - 1) }
set grid noxtics ytics
set boxwidth bw absolute
set key outside right top vertical

plot for [s = 0:4] data using ($2 == s ? $1 + (s - 2) * bw : NaN):($3 > 0 ? $3 : NaN) \
         with boxes lt s + 1 title word(stages, s + 1), \
     for [s = 0:4] data using ($2 == s ? $1 + (s - 2) * bw : NaN):($3 > 0 ? $3 : NaN):($4 > 0 ? $4 : 0.8):5 \
         with yerrorbars lc rgb c_whisker pt 7 ps 0 lw 1 notitle
