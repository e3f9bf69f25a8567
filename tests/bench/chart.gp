# chart.gp: the bench's ratios as clustered bars (gnuplot, called by run.sh).
# Variables: ref, lim (matrix files from report.awk: a header line of peer
# names, then one line per workload), out (PNG), refname.
set terminal pngcairo size 1400,1000 font ",10"
set output out
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key outside right top vertical
set grid ytics
set yrange [0:*]
set datafile missing "?"
set xtics nomirror rotate by -20
set multiplot layout 2,1 title "accel bench: requests/s relative to a reference (median of the repetitions)"
nref = words(system("head -n 1 '" . ref . "'"))
set title "ratio to " . refname
set ylabel "x " . refname
if (nref > 1) { plot for [i=2:nref] ref using i:xtic(1) title columnheader(i), 1 with lines lc "black" dt 2 notitle }
nlim = words(system("head -n 1 '" . lim . "'"))
set title "ratio to the limit (nginx serving the files itself)"
set ylabel "x limit"
if (nlim > 1) { plot for [i=2:nlim] lim using i:xtic(1) title columnheader(i), 1 with lines lc "black" dt 2 notitle }
unset multiplot
