# boot_banner_shows_memory - the boot banner says how much RAM the kernel
# found, in MiB and in frames, and the MiB agree with QEMU's -m 256.
. tests/boot/lib.sh
name=boot_banner_shows_memory
boot aspen.selftest    # powers off after the checks, before any init
banner=$(grep -m 1 '^Aspen: ' "$out")
mib=$(echo "$banner" | sed -n 's/.* \([0-9][0-9]*\) MiB.*/\1/p')
if [ -z "$banner" ]; then
	fail $name "no \"Aspen: \" banner line"
elif ! echo "$banner" | grep -q '[0-9] frames'; then
	fail $name "the banner shows no frame count: $banner"
elif [ -z "$mib" ] || [ "$mib" -lt 200 ] || [ "$mib" -gt 256 ]; then
	fail $name "the banner shows ${mib:-no} MiB, expected about 256: $banner"
else
	pass $name
fi
