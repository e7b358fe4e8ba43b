#!/usr/bin/env bash
# page_check.sh - checks the page `make run` writes (out/index.html) as a reader would open it:
#   1. every src= and href= in the HTML points at a file that exists (relative to the page) or at
#      an id on the page (#name); nothing points outside (no http:, no absolute paths);
#   2. headless Chromium (Debian's chromium) loads the page and every <img> decodes (a copy of
#      the page with a short script that lists images whose naturalWidth is 0 after load);
#   3. no metric on the page lacks its description (run_page.cpp's metric_info).
# Usage: test/page_check.sh [PAGE.html] [--screenshot FILE.png]   (default out/index.html)
#        test/page_check.sh --self-test   (proves each check fails on a page that breaks it)
# Exit 0 when every check passes, 1 when one fails, 2 when chromium is missing.
set -uo pipefail

CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || echo /usr/bin/chromium)}

# chromium_dump PAGE: the DOM after load, on stdout.
chromium_dump() {
  local profile rc
  profile=$(mktemp -d)
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$profile" \
    --allow-file-access-from-files --virtual-time-budget=10000 --dump-dom "file://$1" 2>/dev/null
  rc=$?
  rm -rf "$profile"
  return $rc
}

# check PAGE [SCREENSHOT]: prints what is wrong; returns 0 when nothing is.
check() {
  local page=$1 shot=${2:-} dir bad=0 ref target
  [ -f "$page" ] || { echo "page_check: $page does not exist"; return 1; }
  dir=$(cd "$(dirname "$page")" && pwd)
  # 1. every reference resolves
  local refs
  refs=$(grep -oE '(src|href)="[^"]*"' "$page" | sed -E 's/^(src|href)="(.*)"$/\2/' | sort -u)
  local n_refs=0
  while IFS= read -r ref; do
    [ -n "$ref" ] || continue
    n_refs=$((n_refs + 1))
    case "$ref" in
      \#*) grep -qE "id=\"?${ref#\#}[\" >]" "$page" || { echo "page_check: $page: link $ref: no element has id ${ref#\#}"; bad=1; } ;;
      *:*|/*) echo "page_check: $page: $ref points outside the run folder and the project"; bad=1 ;;
      *) target="$dir/${ref%%#*}"
         [ -f "$target" ] || { echo "page_check: $page: $ref: no such file ($target)"; bad=1; } ;;
    esac
  done <<< "$refs"
  # 2. Chromium loads the page and decodes every image
  local probe dom
  probe="$dir/.page_check_$$.html"
  sed 's#</body>#<script>window.addEventListener("load",function(){var b=[],im=document.images;for(var i=0;i<im.length;i++)if(!im[i].complete||im[i].naturalWidth==0)b.push(im[i].getAttribute("src"));document.body.setAttribute("data-images",im.length);document.body.setAttribute("data-broken",b.join(" "));});</script></body>#' \
    "$page" > "$probe"
  dom=$(chromium_dump "$probe")
  local rc=$?
  rm -f "$probe"
  if [ $rc -ne 0 ] || ! grep -q 'data-images=' <<< "$dom"; then
    echo "page_check: chromium did not load $page (exit $rc)"
    bad=1
  else
    local images broken
    images=$(grep -oE 'data-images="[0-9]*"' <<< "$dom" | grep -oE '[0-9]+')
    broken=$(grep -oE 'data-broken="[^"]*"' <<< "$dom" | sed -E 's/data-broken="(.*)"/\1/')
    [ -z "$broken" ] || { echo "page_check: $page: chromium could not show these images: $broken"; bad=1; }
    echo "page_check: $page: chromium loaded it, $images image(s) decoded, $n_refs reference(s) checked"
  fi
  # 3. every metric described
  if grep -q '<b>no description</b>' "$page"; then
    echo "page_check: $page: metrics without a description: $(grep -oE '<code>[^<]*</code></td><td class=v>[^<]*</td><td><b>no description' "$page" | sed -E 's#<code>([^<]*)</code>.*#\1#' | sort -u | tr '\n' ' ')"
    bad=1
  fi
  if [ -n "$shot" ] && [ $bad -eq 0 ]; then
    local profile
    profile=$(mktemp -d)
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$profile" \
      --hide-scrollbars --window-size=1400,"${SHOT_HEIGHT:-9000}" --virtual-time-budget=10000 \
      --screenshot="$shot" "file://$dir/$(basename "$page")" >/dev/null 2>&1
    rm -rf "$profile"
    [ -f "$shot" ] && echo "page_check: screenshot $shot"
  fi
  return $bad
}

self_test() {
  local t fails=0
  t=$(mktemp -d)
  mkdir -p "$t/run"
  printf '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><rect width="20" height="20" fill="red"/></svg>\n' > "$t/run/ok.svg"
  echo "a,b" > "$t/run/ok.csv"
  echo "not an image" > "$t/run/garbage.png"
  local head='<!doctype html><html><head><meta charset=utf-8></head><body><h2 id=top>t</h2>'
  printf '%s<img src="run/ok.svg"><a href="run/ok.csv">csv</a><a href="#top">top</a></body></html>\n' "$head" > "$t/good.html"
  printf '%s<img src="run/ok.svg"><a href="run/missing.csv">csv</a></body></html>\n' "$head" > "$t/missing_link.html"
  printf '%s<img src="run/missing.png"></body></html>\n' "$head" > "$t/missing_img.html"
  printf '%s<img src="run/garbage.png"></body></html>\n' "$head" > "$t/broken_img.html"
  printf '%s<a href="#nowhere">x</a></body></html>\n' "$head" > "$t/missing_anchor.html"
  printf '%s<table><tr><td><code>foo</code></td><td class=v>1 </td><td><b>no description</b></td></tr></table></body></html>\n' "$head" > "$t/undescribed.html"
  if check "$t/good.html" > "$t/log" 2>&1; then echo "self-test: a good page passes"
  else echo "self-test FAILED: a good page was refused:"; cat "$t/log"; fails=1; fi
  for p in missing_link missing_img broken_img missing_anchor undescribed; do
    if check "$t/$p.html" > "$t/log" 2>&1; then echo "self-test FAILED: $p.html passed"; cat "$t/log"; fails=1
    else echo "self-test: $p.html fails: $(grep -v 'chromium loaded' "$t/log" | head -1)"; fi
  done
  rm -rf "$t"
  return $fails
}

if [ ! -x "$CHROMIUM" ]; then
  echo "page_check: chromium not found (sudo apt-get install chromium)"
  exit 2
fi
case "${1:-}" in
  --self-test) self_test; exit $? ;;
esac
page=${1:-out/index.html}
shot=""
[ "${2:-}" = "--screenshot" ] && shot=${3:?--screenshot needs a file}
check "$page" "$shot" || { echo "page_check: FAILED"; exit 1; }
echo "page_check: passed"
