#!/usr/bin/env python3
"""console.py - drive Aspen's interactive console as a user would.

Boots the kernel and make run's image, run.cpio (INITRD, if set, names
another), the way `make run` does (serial on stdio, -nographic) inside a pseudo-terminal,
then runs scripted sessions:
types commands at the busybox sh prompt, sends control keys, and looks
for what should appear. One line per check, "ok NAME" or
"not ok NAME: reason", as the test runner expects.

    python3 tests/interactive/console.py BUILD_DIR
"""
import os
import pty
import re
import select
import subprocess
import sys
import time

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
BOOT_TIMEOUT = 90      # seconds to the first prompt (TCG is slow)
STEP_TIMEOUT = 20      # seconds for each expected output
PROMPT = re.compile(rb"[#$] (\x1b\[6n)?")   # ash asks for the cursor position


class Console:
    def __init__(self):
        args = subprocess.check_output(["sh", "scripts/qemu-args.sh", "256"],   # make run's firmware
                                       env=dict(os.environ, FIRMWARE="qboot")).decode().split()
        cmd = ["qemu-system-x86_64"] + args + [
            "-kernel", f"{BUILD}/aspen.elf", "-initrd", os.environ.get("INITRD", f"{BUILD}/run.cpio"),
            "-serial", "mon:stdio", "-nographic"]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvp(cmd[0], cmd)
        self.out = b""      # everything seen
        self.mark = 0       # where the next expect starts looking

    def read_some(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if r:
            try:
                data = os.read(self.fd, 4096)
            except OSError:
                data = b""
            self.out += data
            return bool(data)
        return False

    def expect(self, pattern, timeout=STEP_TIMEOUT):
        """Wait for pattern (bytes regex) after the mark; move the mark past it."""
        rx = re.compile(pattern) if isinstance(pattern, bytes) else pattern
        end = time.time() + timeout
        while True:
            m = rx.search(self.out, self.mark)
            if m:
                self.mark = m.end()
                return True
            left = end - time.time()
            if left <= 0 or (not self.read_some(left) and time.time() >= end):
                return False

    def send(self, data, delay=0.05):
        for b in data:                # a byte at a time, as typed
            os.write(self.fd, bytes([b]))
            time.sleep(delay)

    def key_until(self, key, pattern, timeout=STEP_TIMEOUT, every=2):
        """Send a control key every `every` s until pattern appears: the
        job it is meant for may not have started yet on a busy host (a
        Ctrl-Z that reaches the shell itself does nothing)."""
        end = time.time() + timeout
        while time.time() < end:
            self.send(key)
            if self.expect(pattern, every):
                return True
        return False

    def close(self):
        try:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        except OSError:
            pass


def tail(c):
    text = c.out[-1500:].decode(errors="replace").replace("\r", "")
    return "\n".join("# " + line for line in text.splitlines())


def check(c, name, ok, why):
    if ok:
        print(f"ok {name}")
    else:
        print(tail(c))
        print(f"not ok {name}: {why}")
    return ok


def main():
    c = Console()
    try:
        if not check(c, "interactive_shell_prompt", c.expect(PROMPT, BOOT_TIMEOUT), "no shell prompt"):
            return 1
        c.send(b"echo hel\x7flo there\r")
        check(c, "interactive_erase_edits_line", c.expect(rb"\nhelo there\r*\n"), "echo output wrong")
        c.expect(PROMPT)

        c.send(b"sleep 100\r")
        ok = c.key_until(b"\x03", PROMPT)
        check(c, "interactive_ctrl_c_stops_sleep", ok, "no prompt after Ctrl-C")
        c.send(b"echo after-$((6*7))\r")
        check(c, "interactive_command_after_ctrl_c", c.expect(rb"after-42"), "the next command did not run")
        c.expect(PROMPT)

        c.send(b"sleep 100\r")
        ok = c.key_until(b"\x1a", rb"[Ss]topped") and c.expect(PROMPT)
        check(c, "interactive_ctrl_z_stops_job", ok, "no 'Stopped' and prompt after Ctrl-Z")
        c.send(b"jobs\r")
        check(c, "interactive_jobs_lists_stopped", c.expect(rb"sleep 100"), "jobs does not list it")
        c.expect(PROMPT)
        c.send(b"fg\r")
        ok = c.key_until(b"\x03", PROMPT)
        c.send(b"echo fg-done\r")
        check(c, "interactive_fg_then_ctrl_c", ok and c.expect(rb"fg-done\r*\n"), "fg + Ctrl-C failed")
        c.expect(PROMPT)

        c.send(b"sleep 100 &\r")
        c.expect(PROMPT)
        c.send(b"jobs\r")
        ok = c.expect(rb"Running\s+sleep 100")
        c.expect(PROMPT)
        c.send(b"kill %1; wait; echo bg-killed\r")
        check(c, "interactive_background_job", ok and c.expect(rb"bg-killed\r*\n"), "background job not handled")
        c.expect(PROMPT)

        # The shell prints the marker after it has read the line and put
        # the terminal back in canonical mode, so what is typed next is
        # echoed by the terminal and read by cat.
        c.send(b"echo cat-$((2*3)); cat\r")
        c.expect(rb"cat-6\r*\n")
        c.send(b"line one\r")
        ok = c.expect(rb"line one\r*\nline one")
        c.send(b"\x04")
        ok = ok and c.expect(PROMPT)
        check(c, "interactive_cat_canonical_and_ctrl_d", ok, "cat did not echo a line or end at Ctrl-D")
        return 0
    finally:
        c.close()


if __name__ == "__main__":
    sys.exit(main())
