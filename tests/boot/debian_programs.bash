# debian_programs.bash BINDIR - the workload of debian_programs.sh, run
# by Debian's bash with Debian's coreutils ls and sort in BINDIR, both in
# Aspen and natively: its output must be the same in both.
set -eu
bin=$1
work=$(mktemp -d)
cd "$work"

# ls: names, sorting by name, size and reversed, classification, recursion.
mkdir -p tree/sub tree/empty
printf 'a\n' > tree/one
printf 'bbbbbbbbbb\n' > tree/two
printf 'ccccc\n' > tree/sub/three
ln -s one tree/link
echo "== ls"
"$bin/ls" -1 tree
"$bin/ls" -1S tree/one tree/two tree/sub/three
"$bin/ls" -1rF tree
"$bin/ls" -1R tree
"$bin/ls" -1d tree/* | wc -l
"$bin/ls" -1 tree/missing 2> /dev/null || echo "ls of a missing file: status $?"

# sort: plain, numeric, reversed, unique, by key; a big input with a
# small buffer (temporary files) and two threads.
echo "== sort"
printf 'pear\napple\nfig\nbanana\napple\n' > fruit
"$bin/sort" fruit
"$bin/sort" -ru fruit
printf '10 x\n9 y\n100 z\n-3 w\n' | "$bin/sort" -n
printf 'b:2\na:3\nc:1\n' | "$bin/sort" -t: -k2,2n
i=0
while [ $i -lt 1499 ]; do
	echo $(( (i * 7919) % 1499 ))
	i=$((i + 1))
done > numbers
"$bin/sort" -n -S 16K --parallel=2 -T "$work" numbers > sorted
"$bin/sort" -nc sorted && echo "sorted $(wc -l < sorted) numbers, first $(head -1 sorted), last $(tail -1 sorted)"

# bash itself: arrays, regular expressions, functions, arithmetic, here
# documents and strings, subshells and pipelines, traps.
echo "== bash"
declare -A colour=([apple]=red [fig]=purple)
list=(zero one two three)
echo "${#list[@]} ${list[2]} ${colour[fig]} ${!colour[*]}" | tr ' ' '\n' | "$bin/sort" | tr '\n' ' '
echo
[[ "version-5.2" =~ ^([a-z]+)-([0-9]+)\.([0-9]+)$ ]] && echo "match ${BASH_REMATCH[1]} ${BASH_REMATCH[3]}"
fib() { if (( $1 < 2 )); then echo "$1"; else echo $(( $(fib $(($1 - 1))) + $(fib $(($1 - 2))) )); fi; }
echo "fib 7 = $(fib 7)"
read -r first rest <<< "here string words"
echo "$first/$rest"
while read -r line; do echo "doc: $line"; done <<-END
	one
	two
END
printf '%q %05.1f %x\n' "a b" 3.14159 255
( trap 'echo trapped exit' EXIT; exit 3 ) || echo "subshell status $?"
echo "pipe status $(false | true; echo ${PIPESTATUS[0]})"
cd /
rm -rf "$work"
echo "== done"
