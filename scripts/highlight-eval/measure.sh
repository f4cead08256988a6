#!/bin/bash
# Clean builds, one after the other, 2 jobs: wall and CPU seconds.
cd "$(dirname "$0")"
for c in syn-fancy syn-onig ts; do
  for p in dev release; do
    (cd $c && rm -rf target && \
     /usr/bin/time -f "BUILD $c $p wall=%e user=%U sys=%S" -o ../time-$c-$p.txt cargo build -j2 $( [ $p = release ] && echo --release ) >../build-$c-$p.log 2>&1)
    cat time-$c-$p.txt
  done
  ls -l $c/target/release/$c | awk '{print "SIZE '$c' " $5}'
  strip -o /tmp/stripped-$c $c/target/release/$c && ls -l /tmp/stripped-$c | awk '{print "STRIPPED '$c' " $5}'
  [ $c != base ] && $c/target/release/$c > result-$c.txt 2>&1
done
echo DONE
