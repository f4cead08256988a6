"""Render pages of a PDF to grey PGM images with the pinned PDFium (tests/reference_renders.rs).

Usage: render.py PIN PDF DPI PREFIX PAGE...
PIN is tests/reference/renderer.txt's line ("pypdfium2==5.15.2"); the installed pypdfium2 must
be that version. Each PAGE (from 1) is written to PREFIX-PAGE.pgm; the PDFium build is printed.
Exit status 3: pypdfium2 is missing or another version (`make test-tools` installs it).
"""

import sys


def main(pin, pdf_path, dpi, prefix, pages):
    try:
        import pypdfium2
    except ImportError as error:
        fail(f"cannot import pypdfium2 ({error})", pin)
    installed = pypdfium2.version.PYPDFIUM_INFO.version
    if f"pypdfium2=={installed}" != pin:
        fail(f"pypdfium2 {installed} is installed", pin)
    document = pypdfium2.PdfDocument(pdf_path)
    for number in pages:
        bitmap = document[number - 1].render(scale=dpi / 72, grayscale=True)
        if bitmap.stride != bitmap.width:
            sys.exit(f"page {number}: a grey bitmap with padded rows ({bitmap.stride} bytes)")
        with open(f"{prefix}-{number}.pgm", "wb") as out:
            out.write(b"P5\n%d %d\n255\n" % (bitmap.width, bitmap.height))
            out.write(bytes(bitmap.buffer))
    print(f"pypdfium2 {installed}, PDFium {pypdfium2.version.PDFIUM_INFO}")


def fail(problem, pin):
    print(f"{problem}, but the references are rendered with {pin}: run `make test-tools`",
          file=sys.stderr)
    sys.exit(3)


if __name__ == "__main__":
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], [int(p) for p in sys.argv[5:]])
