#!/usr/bin/env python3
"""The issue's ten reference formulas set by octavo and by Typst (the `typst` Python
package), side by side: `compare.py OCTAVO_BINARY FONTS_DIR OUT_DIR` writes OUT_DIR/NN.png
(octavo left, Typst right) for each formula, both in TeX Gyre Pagella Math at 10 pt."""
import pathlib, subprocess, sys, tempfile
import typst
from PIL import Image, ImageOps

FORMULAS = [
    ("quadratic", r"x = \frac{-b \pm \sqrt{b^2 - 4ac}}{2a}", r"x = (-b plus.minus sqrt(b^2 - 4 a c)) / (2 a)"),
    ("sum", r"\sum_{k=1}^{n} k^2 = \frac{n(n+1)(2n+1)}{6}", r"sum_(k=1)^n k^2 = (n(n+1)(2n+1)) / 6"),
    ("integral", r"\int_{-\infty}^{\infty} e^{-x^2} \, dx = \sqrt{\pi}", r"integral_(-infinity)^infinity e^(-x^2) thin d x = sqrt(pi)"),
    ("matrix", r"A = \begin{pmatrix} a & b & c \\ d & e & f \\ g & h & i \end{pmatrix}", r"A = mat(a, b, c; d, e, f; g, h, i)"),
    ("cases", r"|x| = \begin{cases} x & x \geq 0 \\ -x & x < 0 \end{cases}", r"|x| = cases(x & x >= 0, -x & x < 0)"),
    ("aligned", r"\begin{aligned} (a+b)^2 &= a^2 + 2ab + b^2 \\ (a-b)^2 &= a^2 - 2ab + b^2 \end{aligned}", r"(a+b)^2 &= a^2 + 2 a b + b^2 \ (a-b)^2 &= a^2 - 2 a b + b^2"),
    ("nested", r"\frac{1}{1 + \frac{1}{1 + \frac{1}{x}}}", r"1 / (1 + 1 / (1 + 1 / x))"),
    ("radical", r"\sqrt[3]{x^3 + y^3}", r"root(3, x^3 + y^3)"),
    ("fenced", r"\left( \frac{a}{b} \right)", r"lr((a / b))"),
    ("subscript", r"x_{i_1, i_2, \ldots, i_{n-1}, i_n}", r"x_(i_1, i_2, ..., i_(n-1), i_n)"),
]
DPI = 300

def ink_rows(image):
    grey = ImageOps.invert(image.convert("L"))
    width, height = grey.size
    pixels = grey.load()
    return [y for y in range(height) if any(pixels[x, y] > 60 for x in range(0, width, 2))]

def octavo_png(binary, tex, work):
    book = work / "book"
    (book / "chapters").mkdir(parents=True, exist_ok=True)
    (book / "book.toml").write_text('title = "F"\n[front-matter]\nhalf-title = false\ntitle-page = false\ncopyright = false\ntoc = false\n')
    (book / "chapters" / "01.md").write_text(f"# F\n\n$$ {tex} $$\n")
    subprocess.run([binary, "build", str(book)], check=True, capture_output=True)
    pdf = next((book / "out").glob("*.pdf"))
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-f", "1", "-l", "1", str(pdf), str(work / "page")], check=True)
    page = Image.open(next(work.glob("page*.png")))
    rows = ink_rows(page)
    # Clusters of inked rows: the title, the formula (one or more), the folio.
    clusters, start = [], rows[0]
    for a, b in zip(rows, rows[1:]):
        if b - a > DPI // 5:
            clusters.append((start, a)); start = b
    clusters.append((start, rows[-1]))
    top, bottom = clusters[1][0], clusters[-2][1]
    return page.crop((0, top - 10, page.width, bottom + 10))

def typst_png(source, fonts, work):
    doc = work / "f.typ"
    doc.write_text('#set page(width: 12cm, height: auto, margin: 5pt)\n#set text(size: 10pt)\n'
                   '#show math.equation: set text(font: "TeX Gyre Pagella Math")\n'
                   f'$ {source} $\n')
    data = typst.compile(str(doc), format="png", ppi=DPI, font_paths=[fonts])
    out = work / "typst.png"
    out.write_bytes(data if isinstance(data, bytes) else data[0])
    return Image.open(out)

def trimmed(image):
    box = ImageOps.invert(image.convert("L")).getbbox()
    return image.crop(box) if box else image

def main(binary, fonts, out):
    out = pathlib.Path(out); out.mkdir(parents=True, exist_ok=True)
    for n, (name, tex, typ) in enumerate(FORMULAS, 1):
        with tempfile.TemporaryDirectory() as tmp:
            work = pathlib.Path(tmp)
            left = trimmed(octavo_png(binary, tex, work))
            right = trimmed(typst_png(typ, fonts, work))
        gap = 80
        pair = Image.new("RGB", (left.width + right.width + 3 * gap, max(left.height, right.height) + 2 * gap), "white")
        pair.paste(left, (gap, gap)); pair.paste(right, (2 * gap + left.width, gap))
        pair.save(out / f"{n:02}-{name}.png")
        print(out / f"{n:02}-{name}.png", left.size, right.size)

if __name__ == "__main__":
    main(*sys.argv[1:4])
