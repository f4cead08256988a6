#!/usr/bin/env python3
"""Acceptance checks for the sample manuscript (issue 3).

Run from the repository root:

    python3 tests/manuscript/check_manuscript.py

Checks
  1. words in the body chapters (01-10) are between 5,000 and 8,000;
  2. there are at least 25 pandoc-style citations in the chapters;
  3. every cited key exists in references.bib, the file has at least 12
     entries, and every entry is cited at least once;
  4. the chapters share at most 5 runs of 8 or more consecutive words with
     the source article (found in ../shared/seed/ or $OCTAVO_SEED_DIR);
plus some structural sanity checks (front matter, one H1 per chapter,
footnote references and definitions match, images exist).

Standard library only. Exits 1 with a message for every failed check.
Options: --manuscript DIR (default manuscript/), --seed-dir DIR.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

MIN_WORDS, MAX_WORDS = 5000, 8000
MIN_CITATIONS = 25
MIN_BIB_ENTRIES = 12
RUN_LENGTH = 8
MAX_SHARED_RUNS = 5

# A pandoc citation key: starts with a letter, digit or underscore; internal
# punctuation is allowed only when followed by a letter, digit or underscore.
KEY = r"[A-Za-z0-9_](?:[A-Za-z0-9_]|[:.#$%&\-+?<>~/](?=[A-Za-z0-9_]))*"
KEY_RE = re.compile(r"-?@(" + KEY + ")")
# A bracketed citation group: [ ... @key ... ] with no nested brackets, not a
# link target (not followed by "(") and not a footnote reference.
GROUP_RE = re.compile(r"\[(?!\^)([^\[\]]*?@" + KEY + r"[^\[\]]*)\](?!\()")
# A narrative citation: @key at the start of a word.
NARRATIVE_RE = re.compile(r"(?<![\w@.\-])@(" + KEY + ")")
FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.S)
FOOTNOTE_DEF_RE = re.compile(r"^\[\^([^\]\s]+)\]:")
FOOTNOTE_REF_RE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
IMAGE_RE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"([^\"]*)\")?\s*\)")
LINK_RE = re.compile(r"(?<!!)\[([^\]]*)\]\(([^)]*)\)")
BIB_ENTRY_RE = re.compile(r"^\s*@(\w+)\s*\{\s*([^,\s]+)\s*,", re.M)

# Lines of the scraped article that are not part of the article (see the
# seed README): the site banner, the slug line, lines holding only spaces.
SEED_JUNK_RES = [
    re.compile(r"^\s*Header Notice\s*$"),
    re.compile(r"^\s*Winter is here!.*$"),
    re.compile(r"^\s*[a-z0-9]+(?:-[a-z0-9]+){3,}\s*$"),  # slug line
    re.compile(r"^[\s\u00a0]*$"),
]


def natural_key(path: Path):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name)]


def strip_front_matter(text: str) -> tuple[dict, str]:
    m = FRONT_MATTER_RE.match(text)
    if not m:
        return {}, text
    meta = {}
    for line in m.group(1).splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition(":")
            meta[key.strip()] = value.split("#", 1)[0].strip()
    return meta, text[m.end():]


def split_footnote_definitions(body: str) -> tuple[str, list[str]]:
    """Return the body without footnote definitions, and the definitions."""
    kept, defs = [], []
    in_def = False
    for line in body.splitlines():
        if FOOTNOTE_DEF_RE.match(line):
            in_def = True
            defs.append(line)
            continue
        if in_def and (line.startswith("    ") or line.startswith("\t")):
            defs[-1] += "\n" + line
            continue
        in_def = False
        kept.append(line)
    return "\n".join(kept), defs


def citation_keys(text: str) -> list[str]:
    """Every cited key, in order, bracketed groups first then narrative."""
    keys = []
    for group in GROUP_RE.finditer(text):
        keys.extend(KEY_RE.findall(group.group(1)))
    rest = GROUP_RE.sub(" ", text)
    rest = IMAGE_RE.sub(" ", rest)
    rest = LINK_RE.sub(lambda m: m.group(1), rest)
    keys.extend(NARRATIVE_RE.findall(rest))
    return keys


def prose(text: str) -> str:
    """Reduce Markdown to the words a reader sees (citations removed)."""
    text = GROUP_RE.sub(" ", text)
    text = NARRATIVE_RE.sub(" ", text)
    text = FOOTNOTE_REF_RE.sub("", text)
    text = IMAGE_RE.sub(" ", text)
    text = LINK_RE.sub(lambda m: m.group(1), text)
    text = re.sub(r"<[^>]+>", " ", text)            # raw HTML tags
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.M)  # headings
    text = re.sub(r"^\s*>\s?", "", text, flags=re.M)           # quotes
    text = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", text, flags=re.M)  # lists
    text = re.sub(r"^\s*\|?\s*:?-{3,}.*$", "", text, flags=re.M)      # table rules
    text = re.sub(r"^\s*(?:\* ?){3,}\s*$", "", text, flags=re.M)      # scene breaks
    text = text.replace("|", " ")
    text = re.sub(r"[*_`~]+", "", text)
    return text


def count_words(text: str) -> int:
    return sum(1 for tok in text.split() if any(ch.isalnum() for ch in tok))


def normalise_words(text: str) -> list[str]:
    out = []
    for ch in text.lower():
        out.append(ch if ch.isalnum() else " ")
    return "".join(out).split()


def seed_text(seed_dir: Path) -> str:
    files = sorted(p for p in seed_dir.glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"no *.txt article in {seed_dir}")
    lines = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if any(r.match(line) for r in SEED_JUNK_RES):
                continue
            lines.append(line)
    return "\n".join(lines)


def shared_runs(doc: list[str], src: list[str], n: int) -> list[tuple[int, int]]:
    """Maximal runs of >= n consecutive words of `doc` that also occur,
    consecutively, in `src`. Returns (start, length) pairs in `doc`, one per
    distinct stretch of the manuscript (a stretch matching the article in two
    places counts once)."""
    index: dict[tuple[str, ...], list[int]] = {}
    for p in range(len(src) - n + 1):
        index.setdefault(tuple(src[p:p + n]), []).append(p)
    runs: dict[int, int] = {}  # start -> longest length
    for i in range(len(doc) - n + 1):
        positions = index.get(tuple(doc[i:i + n]))
        if not positions:
            continue
        for p in positions:
            if i > 0 and p > 0 and doc[i - 1] == src[p - 1]:
                continue  # not maximal: the run starts earlier
            length = n
            while (i + length < len(doc) and p + length < len(src)
                   and doc[i + length] == src[p + length]):
                length += 1
            runs[i] = max(runs.get(i, 0), length)
    # drop runs wholly contained in another (article repeats itself)
    result = []
    for start, length in sorted(runs.items()):
        if result and start + length <= result[-1][0] + result[-1][1]:
            continue
        result.append((start, length))
    return result


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parents[2]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--manuscript", type=Path, default=root / "manuscript")
    ap.add_argument("--seed-dir", type=Path,
                    default=Path(os.environ["OCTAVO_SEED_DIR"]) if os.environ.get("OCTAVO_SEED_DIR")
                    else root.parent / "shared" / "seed")
    args = ap.parse_args(argv)

    failures: list[str] = []
    ms = args.manuscript
    chapter_files = sorted((ms / "chapters").glob("*.md"), key=natural_key)
    if not chapter_files:
        print(f"FAIL: no chapters in {ms / 'chapters'}")
        return 1

    body_words = 0
    all_keys: list[str] = []
    notes = 0
    prose_by_file: dict[str, str] = {}
    for path in chapter_files:
        raw = path.read_text(encoding="utf-8")
        meta, body = strip_front_matter(raw)
        text, defs = split_footnote_definitions(body)
        name = path.name
        # structure
        h1 = re.findall(r"^# \S", text, flags=re.M)
        if len(h1) != 1:
            failures.append(f"{name}: expected exactly one '# ' heading, found {len(h1)}")
        refs = set(FOOTNOTE_REF_RE.findall(text))
        defined = {FOOTNOTE_DEF_RE.match(d).group(1) for d in defs}
        for missing in sorted(refs - defined):
            failures.append(f"{name}: footnote [^{missing}] has no definition")
        for unused in sorted(defined - refs):
            failures.append(f"{name}: footnote definition [^{unused}] is never referenced")
        notes += len(defined)
        for img in IMAGE_RE.finditer(text):
            alt, target = img.group(1), img.group(2)
            if not (ms / target).is_file():
                failures.append(f"{name}: image {target} does not exist under {ms}")
            if len(alt.split()) < 5:
                failures.append(f"{name}: image {target} needs descriptive alt text")
        # counts
        all_keys.extend(citation_keys(body))
        words = count_words(prose(text))
        m = re.match(r"(\d+)", name)
        if m and 1 <= int(m.group(1)) <= 10:
            body_words += words
        prose_by_file[name] = prose(body)
        print(f"  {name:<45} {words:>5} words")

    # (1) words
    print(f"words in chapters 01-10: {body_words} (required {MIN_WORDS}-{MAX_WORDS})")
    if not MIN_WORDS <= body_words <= MAX_WORDS:
        failures.append(f"word count {body_words} is outside {MIN_WORDS}-{MAX_WORDS}")

    # (2) citations
    print(f"citations: {len(all_keys)} (required >= {MIN_CITATIONS}); footnotes: {notes}")
    if len(all_keys) < MIN_CITATIONS:
        failures.append(f"only {len(all_keys)} citations, need {MIN_CITATIONS}")

    # (3) bibliography
    bib_path = ms / "references.bib"
    bib_keys: list[str] = []
    if bib_path.is_file():
        bib_keys = [k for kind, k in BIB_ENTRY_RE.findall(bib_path.read_text(encoding="utf-8"))
                    if kind.lower() not in ("comment", "preamble", "string")]
    else:
        failures.append(f"{bib_path} is missing")
    print(f"bibliography entries: {len(bib_keys)} (required >= {MIN_BIB_ENTRIES}); "
          f"distinct keys cited: {len(set(all_keys))}")
    dupes = sorted({k for k in bib_keys if bib_keys.count(k) > 1})
    if dupes:
        failures.append(f"duplicate bibliography keys: {', '.join(dupes)}")
    if len(bib_keys) < MIN_BIB_ENTRIES:
        failures.append(f"only {len(bib_keys)} bibliography entries, need {MIN_BIB_ENTRIES}")
    unknown = sorted(set(all_keys) - set(bib_keys))
    if unknown:
        failures.append(f"cited keys missing from references.bib: {', '.join(unknown)}")
    uncited = sorted(set(bib_keys) - set(all_keys))
    if uncited:
        failures.append(f"bibliography entries never cited: {', '.join(uncited)}")

    # (4) overlap with the source article
    seed_dir = args.seed_dir
    try:
        src = normalise_words(seed_text(seed_dir))
    except (FileNotFoundError, OSError) as err:
        failures.append(f"cannot read the source article: {err} "
                        f"(set OCTAVO_SEED_DIR or pass --seed-dir)")
        src = []
    if src:
        total = []
        for name, text in prose_by_file.items():
            doc = normalise_words(text)
            for start, length in shared_runs(doc, src, RUN_LENGTH):
                total.append((name, length, " ".join(doc[start:start + length])))
        print(f"source article: {len(src)} words in {seed_dir}")
        print(f"shared runs of >= {RUN_LENGTH} words: {len(total)} (allowed <= {MAX_SHARED_RUNS})")
        for name, length, words in total:
            print(f"  {name}: {length} words: \"{words}\"")
        if len(total) > MAX_SHARED_RUNS:
            failures.append(f"{len(total)} runs of >= {RUN_LENGTH} words shared with the "
                            f"source article (at most {MAX_SHARED_RUNS} allowed)")

    if failures:
        print("\nFAILED:")
        for f in failures:
            print(f"  - {f}")
        return 1
    print("\nmanuscript checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
