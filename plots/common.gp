# common.gp: what every fission figure shares -- the terminal, the font,
# the colours. Each figure script sets four variables and loads this file:
#
#   fmt     'png' or 'svg'
#   out     the file to write
#   width   pixels
#   height  pixels
#
# Restyle every figure at once here: change the font, the palette (the
# eight line types below, Okabe-Ito colours, safe for colour-blind
# readers) or the background. Text is taken literally (noenhanced), so
# campaign and metric names such as group_3 print as they are.

if (fmt eq 'svg') {
    set terminal svg size width, height dynamic noenhanced font 'Sans,11' background rgb 'white'
} else {
    set terminal pngcairo size width, height noenhanced font 'Sans,10' background rgb 'white'
}
set output out

# The palette: line type k is the k-th campaign, stage or series everywhere.
set linetype 1 lc rgb '#0072B2' lw 2 pt 7 ps 0.8    # blue
set linetype 2 lc rgb '#E69F00' lw 2 pt 5 ps 0.8    # orange
set linetype 3 lc rgb '#009E73' lw 2 pt 9 ps 0.9    # green
set linetype 4 lc rgb '#D55E00' lw 2 pt 11 ps 0.9   # vermillion
set linetype 5 lc rgb '#CC79A7' lw 2 pt 13 ps 0.9   # purple
set linetype 6 lc rgb '#56B4E9' lw 2 pt 7 ps 0.8    # sky blue
set linetype 7 lc rgb '#F0E442' lw 2 pt 5 ps 0.8    # yellow
set linetype 8 lc rgb '#000000' lw 2 pt 9 ps 0.9    # black
set linetype cycle 8

# Named colours for meanings that are not a campaign.
c_within  = '#009E73'   # a figure within tolerance
c_out     = '#D55E00'   # a figure out of tolerance
c_band    = '#9ecae1'   # tolerance bands
c_ref     = '#000000'   # the article's value
c_whisker = '#333333'   # confidence whiskers

# Sequential palette for heat maps and coloured scatters (viridis-like).
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')

set border 3 lc rgb '#444444'
set tics nomirror out scale 0.6
set grid lc rgb '#e5e5e5' lt 1 lw 1
set key noautotitle opaque box lc rgb '#cccccc'
set style fill solid 0.85 noborder
