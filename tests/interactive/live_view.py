#!/usr/bin/env python3
"""live_view.py - `VIEW=1 make run` as a user sees it (docs/view.md).

Boots Aspen as `make run` does with VIEW=1 (tools/view/live.sh serving
the live page, the trace on the second serial port), inside a
pseudo-terminal; opens the page in headless chromium
(tests/browser/live.test.js); types a command that forks and execs
(`vmmap $$`) at the shell's prompt; and lets the browser side check that
the page followed it and shows the shell's own address space change.
Checks here: the trace the server got has the shell's fork, the child's
exec and exit. One line per check, "ok NAME" or "not ok NAME: reason".

    python3 tests/interactive/live_view.py BUILD_DIR
"""
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console import Console, PROMPT, BOOT_TIMEOUT, STEP_TIMEOUT, tail, check  # noqa: E402

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
NODE_TIMEOUT = 240
COMMAND = b"vmmap $$ > /dev/null\r"
AFTER_COMMAND = re.compile(rb"null\r*\n[^\n]*[#$] ")   # the next prompt, on a line of its own


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class LiveConsole(Console):
    """make run with VIEW=1: the same machine, the view server around it."""

    def __init__(self, port):
        args = subprocess.check_output(["sh", "scripts/qemu-args.sh", "256"]).decode().split()
        cmd = ["sh", "tools/view/live.sh", BUILD, str(port), "--", "qemu-system-x86_64"] + args + [
            "-kernel", f"{BUILD}/aspen.elf", "-initrd", f"{BUILD}/initramfs.cpio",
            "-append", "aspen.view", "-serial", "mon:stdio", "-nographic",
            "-serial", f"unix:{BUILD}/view/live.sock"]
        import pty
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvp(cmd[0], cmd)
        self.out = b""
        self.mark = 0

    def close(self):
        try:
            os.killpg(self.pid, 9)      # live.sh, QEMU and the server
            os.waitpid(self.pid, 0)
        except OSError:
            pass


def main():
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    c = LiveConsole(port)
    node = None
    try:
        if not check(c, "live_boots_to_a_prompt", c.expect(PROMPT, BOOT_TIMEOUT), "no shell prompt"):
            return
        env = dict(os.environ, NODE_PATH=f"{BUILD}/browser/node_modules")
        shots = f"{BUILD}/view/shots"
        os.makedirs(shots, exist_ok=True)
        node = subprocess.Popen(["node", "tests/browser/live.test.js", url, shots], stdout=subprocess.PIPE,
                                env=env, text=True)
        ready = False
        for line in node.stdout:
            if line.strip() == "ready":
                ready = True
                break
            print(line, end="", flush=True)
        if not ready:
            print("not ok live_page_ready: the browser side ended before the page showed the shell")
            return
        c.send(COMMAND)
        check(c, "live_command_runs", c.expect(AFTER_COMMAND, STEP_TIMEOUT * 3),
              "no prompt after the command")
        for line in node.stdout:
            print(line, end="", flush=True)
        node.wait(NODE_TIMEOUT)
        trace = urllib.request.urlopen(url + "trace?from=0", timeout=10).read().decode()
        fork = re.search(r" fork pid=(\d+) .* child=(\d+) ", trace)
        child = fork.group(2) if fork else "none"
        check(c, "live_trace_has_fork_exec_exit",
              fork and re.search(rf" exec pid={child} .* comm=vmmap", trace) and
              re.search(rf" exit pid={child} ", trace), "the server's trace lacks them")
    finally:
        if node and node.poll() is None:
            node.kill()
        c.close()


if __name__ == "__main__":
    main()
