# view_browser - the memory view in a real browser (docs/view.md):
# tools/aspen-view runs the COW demo (demo-cow 1) in Aspen and makes its
# page; tests/browser/view.test.js loads it in headless chromium and
# checks it against the trace. Screenshots land in BUILD/view/shots
# (docs/images/ holds copies). Needs `make browser-deps` (make test does it).
BUILD=${1:-build}
out=$BUILD/view
mkdir -p "$out/shots"
if [ ! -d "$BUILD/browser/node_modules/playwright-core" ] || [ ! -x /usr/bin/chromium ]; then
	echo "not ok view_browser_tools: no chromium or playwright-core (make browser-deps)"
	exit 0
fi
if ! ASPEN_NOBUILD=1 tools/aspen-view --out "$out/cow.html" --trace "$out/cow.trace" --timeout 120 \
		demo-cow 1 > "$out/cow.out" 2>&1; then
	tail -n 20 "$out/cow.out" | sed 's/^/# /'
	echo "not ok view_cow_page_made: tools/aspen-view failed"
	exit 0
fi
echo "ok view_cow_page_made"
NODE_PATH=$BUILD/browser/node_modules timeout -k 5 300 \
	node tests/browser/view.test.js "$out/cow.html" "$out/cow.trace" "$out/shots"
