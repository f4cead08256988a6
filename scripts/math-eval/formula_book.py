#!/usr/bin/env python3
"""Writes an octavo book of formulas: `formula_book.py OUT --from FORMULAS.jsonl` puts every
formula extract.py found into a chapter per source file (inline ones in paragraphs, display
ones on their own), so that `octavo build OUT` reports each one that does not read;
`formula_book.py OUT --bench N` writes N formulas (a mix of inline and display, drawn in
turn from a fixed list) for timing."""
import json, pathlib, sys

BENCH = [
    r"x = \frac{-b \pm \sqrt{b^2 - 4ac}}{2a}",
    r"\sum_{i=1}^{n} i = \frac{n(n+1)}{2}",
    r"\int_0^\infty e^{-x^2} \, dx = \frac{\sqrt{\pi}}{2}",
    r"\hat{\beta} = (X^\top X)^{-1} X^\top y",
    r"\left( \frac{a}{b} \right)^2",
    r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}",
    r"Y_t = \phi_1 Y_{t-1} + \epsilon_t",
    r"\sigma^2_{\epsilon}",
]

def write(out, chapters):
    out = pathlib.Path(out)
    (out / "chapters").mkdir(parents=True, exist_ok=True)
    (out / "book.toml").write_text('title = "Formulas"\nlanguage = "en"\n')
    for n, (title, blocks) in enumerate(chapters, 1):
        text = f"# {title}\n\n" + "\n\n".join(blocks) + "\n"
        (out / "chapters" / f"{n:02}.md").write_text(text)

def from_corpus(out, path):
    by_file = {}
    for line in open(path):
        f = json.loads(line)
        tex = f["tex"].strip()
        block = f"$$\n{tex}\n$$" if f["display"] else f"Inline ${tex}$ here."
        by_file.setdefault(f["file"], []).append(block)
    write(out, list(by_file.items()))

def bench(out, count):
    per_chapter = 500
    chapters = []
    for c in range(0, count, per_chapter):
        blocks = []
        for i in range(c, min(count, c + per_chapter)):
            tex = BENCH[i % len(BENCH)]
            blocks.append(f"$$ {tex} $$" if i % 4 == 0 else f"Text with ${tex}$ inline, number {i}.")
        chapters.append((f"Part {c // per_chapter + 1}", blocks))
    write(out, chapters)

if __name__ == "__main__":
    if sys.argv[2] == "--from":
        from_corpus(sys.argv[1], sys.argv[3])
    else:
        bench(sys.argv[1], int(sys.argv[3]))
