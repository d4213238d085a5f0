#!/usr/bin/env bash
# The ADC study (issue 35): VGG-8 on paper-table1 at the scaling study's quick budget (width 0.125,
# Fashion-MNIST at 32x32x3, the first 6,000 training images, 20 epochs, AdamW lr 0.003 halved after 2
# epochs without gain, batch 64), over the ADC's full scale x bits x sensing mode. For every ADC:
#   - fp32 moved: one fp32-trained model (seed 0) programmed onto 1 new chip with that ADC and tested on
#     the first 2,000 test images (cimtrain evaluate, read model auto);
#   - mp: VGG-8 trained with mixed precision on a chip with that ADC (cimtrain train, read model auto).
# Each result records the fraction of the ADC's conversions that saturated (summary.json: adc_clipping).
#
#   eval-reports/adc-study/run.sh hardware          writes hardware/<adc>.yaml for every ADC of the grid
#   eval-reports/adc-study/run.sh fp32              trains the fp32 model (runs/fp32-s0), once
#   eval-reports/adc-study/run.sh moved [ADC...]    the fp32 model on each ADC (all when none named)
#   eval-reports/adc-study/run.sh mp [ADC...]       mp training on each ADC (all when none named)
#   eval-reports/adc-study/run.sh table             results.csv, results.md and the plots (fp32-moved.svg,
#                                                   mp.svg) from what has finished
#
# An ADC is named SENSING-fsFULLSCALE-bBITS, e.g. differential-fs70-b8. Finished results are kept: a
# rerun skips every folder that has its summary.json. Run from the project root.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=eval-reports/adc-study
SENSINGS="differential single-ended"
RANGES="17.5 35 70 140"
BITS="4 6 8"
RECIPE=(--model vgg8 --width 0.125 --dataset fashion-mnist --image-size 32 --channels 3 --train-limit 6000
        --epochs 20 --batch 64 --optimizer adamw --lr 0.003 --schedule plateau --patience 2 --seed 0 --read-model auto)

all_adcs() {
  for s in $SENSINGS; do for r in $RANGES; do for b in $BITS; do echo "$s-fs$r-b$b"; done; done; done
}

hardware() {
  mkdir -p "$here/hardware"
  for a in $(all_adcs); do
    local s=${a%%-fs*} rest=${a#*-fs}
    local r=${rest%-b*} b=${rest#*-b}
    # noise: the paper's 2 LSB single-ended (0.549 uA at 70 uA, 8 bits); differential 1 LSB (its LSB is twice
    # as wide, so the same 0.55 uA at 70 uA, 8 bits), both in LSB of the ADC at hand
    local noise=2
    [ "$s" = differential ] && noise=1
    sed -e "s/^name: paper-table1\$/name: adc-$a/" \
        -e "s/^adc: .*/adc: {bits: $b, full_scale_ua: $r, noise_lsb: $noise, clip: true, sensing: $s}/" \
        models/hardware/paper-table1.yaml > "$here/hardware/$a.yaml"
  done
}

fp32() {
  local out="$here/runs/fp32-s0"
  [ -f "$out/summary.json" ] && { echo "kept $out"; return; }
  rm -rf "$out"
  ./cimtrain train "${RECIPE[@]}" --mode fp32 --out "$out"
}

moved() {
  local ckpt="$here/runs/fp32-s0/checkpoint.h5"
  [ -f "$ckpt" ] || { echo "run.sh moved: train the fp32 model first (run.sh fp32)" >&2; exit 2; }
  for a in "${@:-$(all_adcs)}"; do
    for x in $a; do
      local out="$here/moved/$x"
      [ -f "$out/summary.json" ] && { echo "kept $out"; continue; }
      rm -rf "$out"
      ./cimtrain evaluate --checkpoint "$ckpt" --hardware "$here/hardware/$x.yaml" --chips 1 --test-limit 2000 \
          --read-model auto --out "$out"
    done
  done
}

mp() {
  for a in "${@:-$(all_adcs)}"; do
    for x in $a; do
      local out="$here/runs/mp-$x"
      [ -f "$out/summary.json" ] && { echo "kept $out"; continue; }
      rm -rf "$out"
      ./cimtrain train "${RECIPE[@]}" --mode mp --hardware "$here/hardware/$x.yaml" --out "$out"
    done
  done
}

table() {
  local csv="$here/results.csv"
  echo "adc,sensing,full_scale_ua,bits,fp32_moved_accuracy,fp32_moved_saturated_fraction,fp32_moved_read_model,mp_accuracy,mp_saturated_fraction,mp_read_model" > "$csv"
  for a in $(all_adcs); do
    local s=${a%%-fs*} rest=${a#*-fs}
    local r=${rest%-b*} b=${rest#*-b}
    local m="$here/moved/$a/summary.json" t="$here/runs/mp-$a/summary.json"
    local ma="" ms="" mr="" ta="" ts="" tr=""
    if [ -f "$m" ]; then
      ma=$(jq -r '.accuracy_mean' "$m"); ms=$(jq -r '.adc_saturated_fraction // ""' "$m")
      mr=$(jq -r '[.adc_clipping.layers[].read_model] | map(select(. == "exact")) | length | tostring + " exact"' "$m")
    fi
    if [ -f "$t" ]; then
      ta=$(jq -r '.test_accuracy' "$t"); ts=$(jq -r '.adc_saturated_fraction // ""' "$t")
      tr=$(jq -r '[.adc_clipping.layers[].read_model] | map(select(. == "exact")) | length | tostring + " exact"' "$t")
    fi
    [ -z "$ma$ta" ] && continue
    echo "$a,$s,$r,$b,$ma,$ms,$mr,$ta,$ts,$tr" >> "$csv"
  done
  {
    echo "| sensing | full scale uA | bits | fp32 moved % | saturated % | layers read exactly | mp trained % | saturated % | layers read exactly |"
    echo "|---|---|---|---|---|---|---|---|---|"
    tail -n +2 "$csv" | while IFS=, read -r a s r b ma ms mr ta ts tr; do
      pct() { [ -n "$1" ] && awk -v v="$1" 'BEGIN { printf "%.2f", 100 * v }' || printf -- "-"; }
      pctg() { [ -n "$1" ] && awk -v v="$1" 'BEGIN { printf "%.3g", 100 * v }' || printf -- "-"; }
      echo "| $s | $r | $b | $(pct "$ma") | $(pctg "$ms") | ${mr:--} | $(pct "$ta") | $(pctg "$ts") | ${tr:--} |"
    done
  } > "$here/results.md"
  cat "$here/results.md"
}

# An SVG per figure: accuracy % against ADC bits, one line per sensing mode and full scale (solid:
# differential, dashed: single-ended), from results.csv; column 5 (fp32 moved) or 8 (mp).
plot_one() {
  local col=$1 title=$2 file=$3
  # nothing to draw (that column has not run): no figure
  if ! awk -F, -v col="$col" 'NR > 1 && $col != "" { found = 1 } END { exit !found }' "$here/results.csv"; then
    rm -f "$here/$file"
    return
  fi
  awk -F, -v col="$col" -v title="$title" '
    NR > 1 && $col != "" { key = $2 " " $3 " uA"; n[key]++; x[key, n[key]] = $4; y[key, n[key]] = 100 * $col;
                           dash[key] = ($2 == "single-ended"); keys[key] = 1 }
    END {
      W = 640; H = 420; L = 60; R = 200; T = 40; B = 50;
      printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H;
      printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n";
      printf "<text x=\"%d\" y=\"20\" font-size=\"14\">%s</text>\n", L, title;
      pw = W - L - R; ph = H - T - B;
      for (v = 0; v <= 100; v += 20) { yy = T + ph - ph * v / 100;
        printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, yy, L + pw, yy;
        printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n", L - 6, yy + 4, v }
      for (b = 4; b <= 8; b += 2) { xx = L + pw * (b - 4) / 4;
        printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", xx, T + ph + 18, b }
      printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">ADC bits</text>\n", L + pw / 2, H - 10;
      printf "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">test accuracy %%</text>\n", T + ph / 2, T + ph / 2;
      split("#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f", colour, " ");
      i = 0;
      PROCINFO["sorted_in"] = "@ind_str_asc";
      for (key in keys) { i++; c = colour[(i - 1) % 8 + 1]; pts = "";
        for (j = 1; j <= n[key]; j++) { xx = L + pw * (x[key, j] - 4) / 4; yy = T + ph - ph * y[key, j] / 100;
          pts = pts sprintf("%.1f,%.1f ", xx, yy);
          printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", xx, yy, c }
        printf "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>\n", pts, c, dash[key] ? " stroke-dasharray=\"6,4\"" : "";
        ly = T + 14 * i;
        printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>\n", L + pw + 10, ly, L + pw + 34, ly, c, dash[key] ? " stroke-dasharray=\"6,4\"" : "";
        printf "<text x=\"%d\" y=\"%d\">%s</text>\n", L + pw + 40, ly + 4, key }
      printf "</svg>\n" }' "$here/results.csv" > "$here/$file"
}

plot() {
  plot_one 5 "VGG-8 fp32 model moved to a chip with this ADC" fp32-moved.svg
  plot_one 8 "VGG-8 trained with mp on a chip with this ADC" mp.svg
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  hardware) hardware ;;
  fp32) fp32 ;;
  moved) moved "$@" ;;
  mp) mp "$@" ;;
  table) table; plot ;;
  plot) plot ;;
  *) echo "usage: eval-reports/adc-study/run.sh hardware|fp32|moved [ADC...]|mp [ADC...]|table" >&2; exit 2 ;;
esac
