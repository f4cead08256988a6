#!/usr/bin/env python3
"""Extracts the math formulas of a Quarto/Markdown book: one JSON object per line
{"file", "line", "display", "tex"}. Code fences and inline code are skipped; `$…$` and
`$$…$$` are found as pulldown-cmark finds them (a `$` followed by a space does not open
inline math; a `$` preceded by a space does not close it)."""
import json, re, sys, pathlib

def strip_code(text):
    out, fence = [], None
    for line in text.split("\n"):
        m = re.match(r"^\s*(```+|~~~+)", line)
        if fence:
            out.append("")
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1); out.append(""); continue
        out.append(re.sub(r"`[^`\n]*`", lambda x: " " * len(x.group(0)), line))
    return "\n".join(out)

def formulas(text):
    i, n = 0, len(text)
    while i < n:
        if text[i] == "\\" :
            i += 2; continue
        if text.startswith("$$", i):
            j = text.find("$$", i + 2)
            if j < 0: return
            yield i, True, text[i + 2:j]; i = j + 2; continue
        if text[i] == "$" and i + 1 < n and not text[i + 1].isspace():
            j = i + 1
            while j < n and not (text[j] == "$" and not text[j - 1].isspace() and text[j-1] != "\\"):
                if text[j] == "\n" and text[j:j+2] == "\n\n": break
                j += 1
            if j < n and text[j] == "$":
                yield i, False, text[i + 1:j]; i = j + 1; continue
        i += 1

for path in sorted(pathlib.Path(sys.argv[1]).glob("*.qmd")):
    text = strip_code(path.read_text())
    for pos, display, tex in formulas(text):
        line = text.count("\n", 0, pos) + 1
        print(json.dumps({"file": path.name, "line": line, "display": display, "tex": tex}))
