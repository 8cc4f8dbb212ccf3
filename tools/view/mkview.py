#!/usr/bin/env python3
"""mkview.py - make the memory view page from a trace (docs/view.md).

    python3 tools/view/mkview.py TRACE OUT.html [TITLE]   a static page: the
        trace inside, one self-contained file (no network, no external
        scripts or fonts)
    page(trace_text, title, live) - the same, for serve.py

The trace is Aspen's text from /proc/aspen-trace, collected on the second
serial port; lines that are not records (a console's stray bytes) are
dropped by the page's parser.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def read(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return f.read()


def page(trace_text, title, live=False):
    """The HTML page, with trace_text (str) embedded as a JS string."""
    values = {
        "CSS": read("view.css"),
        "JS": read("trace.js") + "\n" + read("view.js"),
        "DATA": json.dumps(trace_text).replace("</", "<\\/"),
        "LIVE": "true" if live else "false",
        "LIVEBADGE": '<span class="live">live</span>' if live else "",
        "TITLE": html_escape(title),
    }
    return re.sub(r"@([A-Z]+)@", lambda m: values[m.group(1)], read("view.html"))


def html_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: mkview.py TRACE OUT.html [TITLE]")
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        text = f.read().replace("\r", "")
    title = sys.argv[3] if len(sys.argv) > 3 else os.path.basename(sys.argv[1])
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(page(text, title))


if __name__ == "__main__":
    main()
