# Throughput bar chart for bench/run. Called as
#   gnuplot -e "datafile='X.dat'; outfile='Y.png'; ncols=N; charttitle='...'" chart.gp
# X.dat: tab-separated, a header row (group, then one column per server+file size),
# one row per stack/NIC/cores; '?' where there is no figure.
set terminal pngcairo size 1200,560 font "sans,10" noenhanced
set output outfile
set datafile separator "\t"
set datafile missing "?"
set title charttitle
set ylabel "MB/s (10^6 bytes/s)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set yrange [0:*]
set key outside top center horizontal
set xtics rotate by 30 right nomirror
plot for [i=2:ncols] datafile using i:xtic(1) title columnheader(i)
