#!/bin/sh
# mkinitramfs.sh BUILD OUT [--no-tests] [--base CPIO] [--add HOST[:GUEST]]...
#
# Build Aspen's initramfs: a staging tree under BUILD/initramfs-root
# packed as a newc cpio archive OUT (names relative, "bin/busybox";
# owner root; every mtime 0, so the same inputs give the same bytes).
#
#   /bin/busybox    Debian's busybox-static, and a symlink to it for
#                   every applet (/bin/sh, /bin/ls, /usr/bin/env, ...)
#   /sbin/init      BUILD/user/init
#   /bin/*          Aspen's user programs BUILD/user/* and BUILD/user/demos/*
#   /tests/musl/*   guest tests BUILD/gtest/musl/*, and /tests/glibc/*,
#                   /tests/glibc-pie/*, /tests/glibc-dyn/*, /tests/musl-dyn/*,
#                   /tests/lib/*
#   /lib64/ld-linux-x86-64.so.2, /lib/x86_64-linux-gnu/*, /lib/ld-musl-x86_64.so.1
#                   the shared-library runtime, from the host's Debian
#                   packages (libc6, libstdc++6, libgcc-s1, musl): glibc's
#                   loader and libraries, musl's loader (which is its libc)
#   /etc            passwd, group, shadow (0640), shells, profile
#   /tmp (1777), /dev, /dev/shm, /proc, /root
#
# --add HOST[:GUEST] copies a host file (or directory) to GUEST, by
# default /tmp/NAME. An added dynamically linked program brings the
# interpreter and shared libraries it needs that the standard tree lacks
# (scripts/libdeps.sh). With --base CPIO, OUT is CPIO followed by a second
# archive holding only the added files: the kernel unpacks archives one
# after another, so a later entry adds to (or replaces) the earlier tree.
# That is how tools/aspen-exec makes a per-run initramfs quickly.
# --no-tests leaves /tests and all glibc libraries but the loader and
# libc out (make run's image, BUILD/run.cpio: a twelfth of the size, so
# it loads and unpacks quickly; docs/boot.md); its staging tree is
# BUILD/run-root.
set -eu
umask 022

build=${1:?usage: mkinitramfs.sh BUILD OUT [--no-tests] [--base CPIO] [--add HOST[:GUEST]]...}
out=${2:?usage: mkinitramfs.sh BUILD OUT [--no-tests] [--base CPIO] [--add HOST[:GUEST]]...}
shift 2
base=""
adds=""    # newline-separated HOST[:GUEST] specs
tests=1
while [ $# -gt 0 ]; do
	case $1 in
	--no-tests) tests=""; shift ;;
	--base) base=${2:?--base needs a file}; shift 2 ;;
	--add) adds="$adds${2:?--add needs HOST[:GUEST]}
"; shift 2 ;;
	*) echo "mkinitramfs.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

# The standard tree's staging directory (the libraries an --add needs
# are looked for there first).
tree=$build/initramfs-root
[ -n "$tests" ] || tree=$build/run-root

PATH_LINE='export PATH=/usr/local/bin:/bin:/sbin:/usr/bin:/usr/sbin'

# copy_to_tree ROOT HOST GUEST - put host file or directory HOST at GUEST.
copy_to_tree() {
	mkdir -p "$1$(dirname "$3")"
	rm -rf "$1$3"
	cp -R "$2" "$1$3"
}

# add_files ROOT - the --add files, each at its guest path, and the
# libraries the dynamically linked ones need.
add_files() {
	printf '%s' "$adds" | while IFS= read -r spec; do
		case $spec in
		*:/*) host=${spec%%:/*}; guest=/${spec#*:/} ;;
		*) host=$spec; guest=/tmp/$(basename "$spec") ;;
		esac
		[ -e "$host" ] || { echo "mkinitramfs.sh: $host: no such file" >&2; exit 1; }
		copy_to_tree "$1" "$host" "$guest"
		libs=$(sh "$(dirname "$0")/libdeps.sh" --skip-root "$tree" "$host") || exit 1
		for lib in $libs; do
			copy_to_tree "$1" "${lib%%:*}" "${lib#*:}"
		done
	done
}

# The shared-library runtime (see the top): glibc's loader where
# programs ask for it, with Debian's symlink beside the real file; the
# libraries by their sonames; musl's loader.
GLIBC_LIBDIR=/lib/x86_64-linux-gnu
GLIBC_LIBS="ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libpthread.so.0 libdl.so.2 librt.so.1 libstdc++.so.6 libgcc_s.so.1"
# make run's image (--no-tests) has the loader and libc only: a program
# added with --add brings the other libraries it needs.
[ -n "$tests" ] || GLIBC_LIBS="ld-linux-x86-64.so.2 libc.so.6"
MUSL_LIBC=/usr/lib/x86_64-linux-musl/libc.so

# host_lib NAME - the host's file for glibc library NAME, symlinks resolved.
host_lib() {
	for d in $GLIBC_LIBDIR /usr$GLIBC_LIBDIR; do
		[ -e "$d/$1" ] && { readlink -f "$d/$1"; return; }
	done
	echo "mkinitramfs.sh: no $1 on this host; run scripts/deps.sh" >&2
	exit 1
}

# runtime_files ROOT - the shared-library runtime.
runtime_files() {
	mkdir -p "$1$GLIBC_LIBDIR" "$1/lib64" "$1/lib/x86_64-linux-musl"
	for lib in $GLIBC_LIBS; do
		host=$(host_lib "$lib") || exit 1
		cp "$host" "$1$GLIBC_LIBDIR/$lib"
	done
	ln -sf "$GLIBC_LIBDIR/ld-linux-x86-64.so.2" "$1/lib64/ld-linux-x86-64.so.2"
	[ -e $MUSL_LIBC ] || { echo "mkinitramfs.sh: no $MUSL_LIBC; run scripts/deps.sh" >&2; exit 1; }
	cp $MUSL_LIBC "$1/lib/x86_64-linux-musl/libc.so"
	ln -sf x86_64-linux-musl/libc.so "$1/lib/ld-musl-x86_64.so.1"
}

# busybox_links ROOT - /bin/busybox and a symlink for each applet, except
# /sbin/init (Aspen has its own) and /linuxrc.
busybox_links() {
	bb=/bin/busybox
	[ -x $bb ] || bb=$(command -v busybox) ||
		{ echo "mkinitramfs.sh: no busybox; run scripts/deps.sh" >&2; exit 1; }
	cp "$bb" "$1/bin/busybox"
	"$bb" --list-full | while read -r applet; do
		case $applet in
		sbin/init | linuxrc | bin/busybox) continue ;;
		esac
		mkdir -p "$1/$(dirname "$applet")"
		ln -sf /bin/busybox "$1/$applet"
	done
}

# copy_programs DIR DEST - every regular file of DIR (not recursing) into DEST.
copy_programs() {
	[ -d "$1" ] || return 0
	for f in "$1"/*; do
		[ -f "$f" ] && [ "$(basename "$f")" != init ] && cp "$f" "$2/"
	done
	return 0
}

# etc_files ROOT - the few files busybox sh and friends look for, and
# Debian 12's default accounts and groups (base-passwd), so that id, su
# and getpwnam work. Every account's shell is /bin/sh (Debian gives the
# system accounts /usr/sbin/nologin, which Aspen does not have), so
# `su nobody -c CMD` runs CMD as nobody; every password is locked ("*").
etc_files() {
	cat > "$1/etc/passwd" <<-EOF
	root:x:0:0:root:/root:/bin/sh
	daemon:x:1:1:daemon:/usr/sbin:/bin/sh
	bin:x:2:2:bin:/bin:/bin/sh
	sys:x:3:3:sys:/dev:/bin/sh
	sync:x:4:65534:sync:/bin:/bin/sync
	games:x:5:60:games:/usr/games:/bin/sh
	man:x:6:12:man:/var/cache/man:/bin/sh
	lp:x:7:7:lp:/var/spool/lpd:/bin/sh
	mail:x:8:8:mail:/var/mail:/bin/sh
	news:x:9:9:news:/var/spool/news:/bin/sh
	uucp:x:10:10:uucp:/var/spool/uucp:/bin/sh
	proxy:x:13:13:proxy:/bin:/bin/sh
	www-data:x:33:33:www-data:/var/www:/bin/sh
	backup:x:34:34:backup:/var/backups:/bin/sh
	list:x:38:38:Mailing List Manager:/var/list:/bin/sh
	irc:x:39:39:ircd:/run/ircd:/bin/sh
	_apt:x:42:65534::/nonexistent:/bin/sh
	nobody:x:65534:65534:nobody:/nonexistent:/bin/sh
	EOF
	cut -d: -f1 "$1/etc/passwd" | sed 's/$/:*:19700:0:99999:7:::/' > "$1/etc/shadow"
	chmod 640 "$1/etc/shadow"
	for g in root:0 daemon:1 bin:2 sys:3 adm:4 tty:5 disk:6 lp:7 mail:8 news:9 uucp:10 \
		 man:12 proxy:13 kmem:15 dialout:20 fax:21 voice:22 cdrom:24 floppy:25 tape:26 \
		 sudo:27 audio:29 dip:30 www-data:33 backup:34 operator:37 list:38 irc:39 src:40 \
		 shadow:42 utmp:43 video:44 sasl:45 plugdev:46 staff:50 games:60 users:100 \
		 nogroup:65534; do
		echo "$g" | sed 's/:/:x:/; s/$/:/'
	done > "$1/etc/group"
	echo /bin/sh > "$1/etc/shells"
	cat > "$1/etc/profile" <<-EOF
	# /etc/profile - read by the login shell init starts (busybox sh -l).
	$PATH_LINE
	export HOME=/root
	PS1='aspen:\w\$ '
	EOF
}

# standard_tree ROOT - the whole standard file tree.
standard_tree() {
	rm -rf "$1"
	for d in bin sbin usr/bin usr/sbin usr/local/bin etc root proc dev/shm tmp \
		${tests:+tests/musl tests/glibc tests/glibc-pie tests/glibc-dyn tests/musl-dyn tests/lib}; do
		mkdir -p "$1/$d"
	done
	busybox_links "$1"
	if [ -f "$build/user/init" ]; then
		cp "$build/user/init" "$1/sbin/init"
	else
		echo "mkinitramfs.sh: warning: no $build/user/init" >&2
	fi
	copy_programs "$build/user" "$1/bin"
	copy_programs "$build/user/demos" "$1/bin"
	if [ -n "$tests" ]; then
		for kind in musl glibc glibc-pie glibc-dyn musl-dyn lib; do
			copy_programs "$build/gtest/$kind" "$1/tests/$kind"
		done
	fi
	runtime_files "$1"
	etc_files "$1"
}

# pack ROOT OUT - ROOT as a newc archive, sorted, fixed times, owner root.
# The directories with special modes get them in every archive, so an
# added file under /tmp does not change /tmp's mode.
pack() {
	for d in tmp dev/shm; do [ ! -d "$1/$d" ] || chmod 1777 "$1/$d"; done
	[ ! -d "$1/root" ] || chmod 700 "$1/root"
	find "$1" -exec touch -h -d @0 {} +
	(cd "$1" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
		cpio --quiet -o -H newc --owner=0:0 --reproducible) > "$2"
}

if [ -n "$base" ]; then
	extra=$(mktemp -d)
	trap 'rm -rf "$extra"' EXIT
	add_files "$extra/root"
	pack "$extra/root" "$extra/add.cpio"
	cat "$base" "$extra/add.cpio" > "$out.tmp"
else
	standard_tree "$tree"
	add_files "$tree"
	pack "$tree" "$out.tmp"
fi
mv "$out.tmp" "$out"
