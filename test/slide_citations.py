#!/usr/bin/env python3
"""slide_citations.py - every quoted slide citation in the tree is found in the lecture notes.

A citation is a short name ([Utkin] [HSE] [Vesel] [MSU] [MIPT], see the notes' README.md)
followed by a quoted text, "..." or «...» (up to a few words may sit between them, as in
`[HSE] slide "..."`). The quoted text must occur in that source's notes (case, spaces and the
notes' markdown marks ignored; "..." inside a quote stands for any text). Unquoted citations
are not checked: where their heading ends is not marked.

usage: test/slide_citations.py [NOTES_DIR]   (default: $DGM_LECTURES or ../shared/lectures)
Exit 0 when all are found, or when the notes are absent (they are not in a clone: skipped);
1 with each citation not found (file:line, the source, the text).
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = {  # short name -> the notes' file (README.md's table)
    "Utkin": "000_4e5a8e0f816a7890.txt",
    "HSE": "001_9a0d3dcdf62099ae.txt",
    "Vesel": "002_3ea4bfda1becf226.txt",
    "MSU": "003_582adc013e730e1b.txt",
    "MIPT": "004_300805530c86f6f8.txt",
}
CITE = re.compile(r'\[(Utkin|HSE|Vesel|MSU|MIPT)\]((?:[ ,]+[\w.-]+){0,2}?)[ ,:]*(?:"([^"\n]{3,}?)"|«([^»\n]{3,}?)»)')
EXTS = (".cpp", ".h", ".cu", ".md", ".sh", ".py", ".c", ".txt")
SKIP_DIRS = {".git", "build", "runs", "out", "node_modules"}


def norm(s):
    s = s.replace("ё", "е").replace("Ё", "Е")
    s = re.sub(r"[*#`$\\]|\\\(|\\\)", " ", s)
    s = s.replace("“", '"').replace("”", '"').replace("’", "'")
    return re.sub(r"\s+", " ", s).strip().lower()


def found(quote, text):
    parts = [norm(p) for p in re.split(r"\.\.\.|…", quote)]
    pos = 0
    for p in parts:
        if not p:
            continue
        i = text.find(p, pos)
        if i < 0:
            return False
        pos = i + len(p)
    return True


def main():
    notes = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "DGM_LECTURES", os.path.join(ROOT, "..", "shared", "lectures"))
    if not all(os.path.isfile(os.path.join(notes, f)) for f in SOURCES.values()):
        print("slide citations: the lecture notes are not in %s: skipped" % notes)
        return 0
    text = {k: norm(open(os.path.join(notes, f), encoding="utf-8").read()) for k, f in SOURCES.items()}
    n, bad = 0, []
    for d, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS and not x.startswith("build"))
        for f in sorted(files):
            if not f.endswith(EXTS) or f == "slide_citations.py":
                continue
            path = os.path.join(d, f)
            try:
                lines = open(path, encoding="utf-8").read().split("\n")
            except (UnicodeDecodeError, OSError):
                continue
            for ln, line in enumerate(lines, 1):
                for m in CITE.finditer(line):
                    quote = m.group(3) or m.group(4)
                    n += 1
                    if not found(quote, text[m.group(1)]):
                        bad.append("%s:%d: [%s] \"%s\"" % (os.path.relpath(path, ROOT), ln, m.group(1), quote))
    for b in bad:
        print("slide citations: not in the notes: " + b)
    print("slide citations: %d quoted, %d not found in the notes" % (n, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
