#!/usr/bin/env python3
"""bash.py - Debian's dynamically linked bash, added to the image as
`make run ADD=/bin/bash` adds it, used interactively from busybox's
shell: it starts, runs a command, edits a line, stops and resumes a job,
Ctrl-C interrupts, and exit returns to busybox sh. Boots the initramfs
named by INITRD (tests/boot/interactive_bash.sh makes it).

    INITRD=build/initramfs-bash.cpio python3 tests/interactive/bash.py BUILD_DIR
"""
import re
import sys
import time

import console
from console import Console, PROMPT, BOOT_TIMEOUT, check

BASH_PROMPT = re.compile(rb"bash-[0-9.]+# ")


def session(c):
    if not check(c, "bash_busybox_prompt", c.expect(PROMPT, BOOT_TIMEOUT), "no shell prompt"):
        return
    c.send(b"bash\r")
    if not check(c, "bash_starts", c.expect(BASH_PROMPT), "no bash prompt"):
        return
    c.send(b"echo hel\x7flo $BASH_VERSION\r")
    check(c, "bash_runs_command_with_line_editing", c.expect(rb"helo 5\.[0-9]"), "wrong output")
    c.expect(BASH_PROMPT)
    c.send(b"echo ab\x1b[Dx\r")     # left arrow: readline moves the cursor
    check(c, "bash_cursor_keys_edit", c.expect(rb"axb\r*\n"), "left arrow did not move")
    c.expect(BASH_PROMPT)
    c.send(b"sleep 100\r")
    time.sleep(2)
    c.send(b"\x1a")
    ok = c.expect(rb"Stopped\s+sleep 100") and c.expect(BASH_PROMPT)
    c.send(b"fg\r")
    time.sleep(2)
    c.send(b"\x03")
    ok = ok and c.expect(BASH_PROMPT)
    c.send(b"echo after-$((6*7)) | cat\r")
    check(c, "bash_job_control_and_ctrl_c", ok and c.expect(rb"after-42"), "Ctrl-Z, fg or Ctrl-C failed")
    c.expect(BASH_PROMPT)
    c.send(b"exit\r")
    ok = c.expect(PROMPT)
    c.send(b"echo back-in-$((1+1))\r")
    check(c, "bash_exit_returns_to_busybox", ok and c.expect(rb"back-in-2"), "not back in busybox sh")


def main():
    c = Console()
    try:
        session(c)
    finally:
        c.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
