//! Tables that fit (issue 14, item 6): in the PDF, column widths from the content, ragged
//! cells hyphenated only when a word is wider than its column, numbers aligned as the
//! Markdown asks, a table too wide set smaller and then wrapped, never past the text block,
//! rules across the whole table, a located warning when words had to be broken; in the EPUB,
//! a wrapper that scrolls sideways on a narrow screen.
//!
//! Each table is set alone in a generated book, and read back from the typeset pages: the
//! table's text is what is set smaller than the body inside the text block, its rules those
//! as thick as the design's table rules.

mod common;

use std::path::PathBuf;

use octavo::layout::{GlyphRun, Item, RuleItem};
use octavo::Profile;

/// Lengths closer than this are the same (points).
const SAME: f64 = 0.01;

/// Six columns of a software survey: a long address, a code span, numbers flush right.
const SIX_COLUMNS: &str = "\
| Package | Version | Licence | Downloads | Homepage | Notes |
|:--------|--------:|:-------:|----------:|:---------|:------|
| pulldown-cmark | 0.13.0 | MIT | 41,902,331 | https://github.com/pulldown-cmark/pulldown-cmark | Pull parser; use `into_offset_iter` for spans. |
| rustybuzz | 0.20.1 | MIT | 9,480,112 | https://github.com/harfbuzz/rustybuzz | A port of HarfBuzz shaping to safe Rust. |
| hyphenation | 0.8.4 | Apache-2.0 / MIT | 1,210,045 | https://github.com/tapeinosyne/hyphenation | Knuth–Liang patterns, embedded at build time. |
";

/// Seven columns of city figures: numbers flush right, notes that wrap.
const SEVEN_COLUMNS: &str = "\
| City | Country | Population | Area (km²) | Density (per km²) | Founded | Notes |
|:-----|:--------|-----------:|-----------:|------------------:|--------:|:------|
| Phnom Penh | Cambodia | 2,281,951 | 679 | 3,361 | 1434 | Capital since the fifteenth century, on the confluence of the Mekong and the Tonlé Sap. |
| Battambang | Cambodia | 119,251 | 293 | 407 | 1050 | Known for its colonial architecture and the bamboo railway. |
| Ho Chi Minh City | Vietnam | 9,389,720 | 2,061 | 4,556 | 1698 | Formerly Saigon; the largest city of Vietnam. |
";

/// Eleven columns of element data: too wide for the measure at any size.
const ELEVEN_COLUMNS: &str = "\
| Element | Symbol | Number | Mass | Group | Period | Block | State | Melting point (K) | Electronegativity | Discovered by |
|:--------|:------:|-------:|-----:|------:|-------:|:-----:|:------|------------------:|------------------:|:--------------|
| Hydrogen | H | 1 | 1.008 | 1 | 1 | s | gas | 13.99 | 2.20 | Henry Cavendish |
| Phosphorus | P | 15 | 30.974 | 15 | 3 | p | solid | 317.3 | 2.19 | Hennig Brand |
| Praseodymium | Pr | 59 | 140.91 | 3 | 6 | f | solid | 1208 | 1.13 | Carl Auer von Welsbach |
";

/// Two short columns: narrower than the measure.
const TWO_COLUMNS: &str = "\
| Term | Meaning |
|------|---------|
| EPUB | electronic publication |
| PDF | portable document |
";

/// Numbers in columns aligned left, centred and right.
const ALIGNED: &str = "\
| Item | Left | Centre | Right |
|:-----|:-----|:------:|------:|
| Paper | 12 | 12 | 12 |
| Ink | 1,250 | 1,250 | 1,250 |
| Total | 1,269.5 | 1,269.5 | 1,269.5 |
";

/// A timeline: a narrow date column and a column of prose (which used to be justified).
const PROSE: &str = "\
| Date | Event |
| ---: | --- |
| January 1953 | Saloth Sar returns to Cambodia from Paris, where he had studied radio-electricity on a government scholarship since 1949. |
| 18 March 1970 | The National Assembly deposes Prince Norodom Sihanouk in a coup led by Lon Nol; civil war follows. |
| 2007 | The Documentation Center of Cambodia publishes its school history of Democratic Kampuchea, the first taught in its schools. |
";

/// A book of one chapter holding `table` between two paragraphs, in a temporary folder.
struct TableBook {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

fn table_book(table: &str) -> TableBook {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("book");
    std::fs::create_dir_all(dir.join("chapters")).expect("chapters dir");
    std::fs::write(
        dir.join("book.toml"),
        "title = \"Tables\"\nlanguage = \"en\"\n",
    )
    .expect("book.toml");
    let chapter = format!(
        "# Tables\n\nThe paragraph before the table.\n\n{table}\nThe paragraph after the table.\n"
    );
    std::fs::write(dir.join("chapters/01-tables.md"), chapter).expect("chapter");
    TableBook { _tmp: tmp, dir }
}

/// A table as set on its page.
struct SetTable {
    /// The glyph runs of its cells.
    runs: Vec<GlyphRun>,
    /// Its rules, from the top.
    rules: Vec<RuleItem>,
    /// The text block's edges on its page.
    left: f64,
    right: f64,
    /// Warnings the typesetter raised, each with its location (file:line:col).
    warnings: Vec<(String, String, String)>,
}

/// Set `table` alone in a book in `profile`; the PDF is kept for `qpdf --check`.
fn set_table(name: &str, table: &str, profile: &str) -> SetTable {
    let book = table_book(table);
    let compiled = octavo::compile(&book.dir, &octavo::ResolveOptions::default());
    let options = octavo::PdfOptions {
        profile: Profile::builtin(profile),
        chapters: None,
        readable: false,
        fonts: None,
    };
    let output = octavo::write_pdf(compiled.book.as_ref().expect("a book"), &options).expect("PDF");
    std::fs::write(
        common::pdf_dir().join(format!("tables-{name}.pdf")),
        &output.bytes,
    )
    .expect("keep PDF");
    let warnings = output
        .composition
        .warnings
        .iter()
        .map(|d| {
            let at = d
                .span
                .as_ref()
                .map(|s| compiled.sources().location(s))
                .unwrap_or_default();
            (d.code.to_string(), at, d.message.clone())
        })
        .collect();
    table_on_page(&output, &options.profile, warnings)
}

/// The table's items on the one page that holds its rules.
fn table_on_page(
    output: &octavo::PdfOutput,
    profile: &Profile,
    warnings: Vec<(String, String, String)>,
) -> SetTable {
    let design = &profile.design.table;
    let is_table_rule =
        |rule: &RuleItem| rule.thickness == design.head_rule || rule.thickness == design.row_rule;
    let pages: Vec<usize> = (0..output.composition.pages.len())
        .filter(|&i| {
            output.composition.pages[i]
                .items
                .iter()
                .any(|item| matches!(item, Item::Rule(rule) if is_table_rule(rule)))
        })
        .collect();
    assert_eq!(pages.len(), 1, "the table is on one page");
    let index = pages[0];
    let page = &output.composition.pages[index];
    let body = profile.font_size.to_f32();
    let (top, bottom) = (
        profile.top.get(),
        (profile.top + profile.text_height()).get(),
    );
    let runs = page
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Glyphs(run) => Some(run.clone()),
            _ => None,
        })
        .filter(|run| run.run.size_pt < body - 0.01 && run.y.get() > top && run.y.get() < bottom)
        .collect();
    let mut rules: Vec<RuleItem> = page
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Rule(rule) if is_table_rule(rule) => Some((**rule).clone()),
            _ => None,
        })
        .collect();
    rules.sort_by(|a, b| a.y.total_cmp(&b.y));
    let left = profile.text_left(index).get();
    SetTable {
        runs,
        rules,
        left,
        right: left + profile.text_width().get(),
        warnings,
    }
}

impl SetTable {
    fn start(run: &GlyphRun) -> f64 {
        run.x.get()
    }

    fn end(run: &GlyphRun) -> f64 {
        (run.x + run.width()).get()
    }

    /// Every glyph run and rule of the table lies inside the text block.
    fn assert_inside_the_text_block(&self) {
        for run in &self.runs {
            assert!(
                Self::start(run) >= self.left - SAME && Self::end(run) <= self.right + SAME,
                "{:?} at {:.2}..{:.2} leaves the text block {:.2}..{:.2}",
                run.run.text,
                Self::start(run),
                Self::end(run),
                self.left,
                self.right
            );
        }
        for rule in &self.rules {
            let (x, end) = (rule.x.get(), (rule.x + rule.width).get());
            assert!(
                x >= self.left - SAME && end <= self.right + SAME,
                "a rule at {x:.2}..{end:.2} leaves the text block {:.2}..{:.2}",
                self.left,
                self.right
            );
        }
    }

    /// Every rule spans the same width, and every cell's text lies between its ends.
    fn assert_rules_span_the_table(&self) -> (f64, f64) {
        let first = self.rules.first().expect("the table has rules");
        let (x, end) = (first.x.get(), (first.x + first.width).get());
        for rule in &self.rules {
            assert!((rule.x.get() - x).abs() < SAME, "rules start apart");
            assert!(
                ((rule.x + rule.width).get() - end).abs() < SAME,
                "rules end apart"
            );
        }
        let text_start = self.runs.iter().map(Self::start).fold(f64::MAX, f64::min);
        let text_end = self.runs.iter().map(Self::end).fold(f64::MIN, f64::max);
        assert!(
            (text_start - x).abs() < SAME,
            "the first column starts at {text_start:.2}, the rules at {x:.2}"
        );
        assert!(
            text_end <= end + SAME,
            "text reaches {text_end:.2}, past the rules' end {end:.2}"
        );
        (x, end)
    }

    /// The run whose text is `text`.
    fn run(&self, text: &str) -> &GlyphRun {
        self.runs
            .iter()
            .find(|run| &*run.run.text == text)
            .unwrap_or_else(|| panic!("no run {text:?} in {:?}", self.texts()))
    }

    fn texts(&self) -> Vec<&str> {
        self.runs.iter().map(|run| &*run.run.text).collect()
    }

    /// Hyphens added by hyphenation (a run of its own, after the broken word).
    fn added_hyphens(&self) -> usize {
        self.runs.iter().filter(|run| &*run.run.text == "-").count()
    }

    /// The sizes the table's text is set at (code spans apart).
    fn sizes(&self) -> Vec<f32> {
        let mut sizes: Vec<f32> = self.runs.iter().map(|run| run.run.size_pt).collect();
        sizes.sort_by(f32::total_cmp);
        sizes.dedup();
        sizes
    }
}

#[test]
fn six_columns_fit_the_text_block_with_rules_across_it() {
    for profile in ["print", "a4"] {
        let table = set_table(&format!("six-{profile}"), SIX_COLUMNS, profile);
        table.assert_inside_the_text_block();
        let (x, end) = table.assert_rules_span_the_table();
        if profile == "print" {
            // A table whose cells wrap takes the whole measure, and its rules with it.
            assert!((x - table.left).abs() < SAME && (end - table.right).abs() < SAME);
        }
        // Its words fit their columns: none is hyphenated, none broken.
        assert_eq!(table.added_hyphens(), 0, "{:?}", table.texts());
        assert!(table.warnings.is_empty(), "{:?}", table.warnings);
        // The addresses break after their slashes only (each line of the column ends with
        // one, or with an address's end), the code span not at all.
        let (from, to) = (
            SetTable::start(table.run("Homepage")),
            SetTable::start(table.run("Notes")),
        );
        let addresses = [
            "https://github.com/pulldown-cmark/pulldown-cmark",
            "https://github.com/harfbuzz/rustybuzz",
            "https://github.com/tapeinosyne/hyphenation",
        ];
        let column = table
            .runs
            .iter()
            .filter(|run| (from..to).contains(&SetTable::start(run)))
            .map(|run| &*run.run.text)
            .filter(|text| *text != "Homepage");
        for text in column {
            assert!(
                text.ends_with('/') || addresses.iter().any(|a| a.ends_with(text)),
                "an address broken inside a part: {text:?}"
            );
        }
        table.run("into_offset_iter");
    }
}

#[test]
fn a_table_whose_header_row_is_blank_has_no_header() {
    let headless = "|   |   |\n|---|---|\n| one | first |\n| two | second |\n| three | third |\n";
    let table = set_table("headless", headless, "print");
    // A rule under each of the three rows, none under an empty header.
    assert_eq!(table.rules.len(), 3, "{:?}", table.rules);
    let book = table_book(headless);
    let (epub, diags, sources) = common::build_epub(&book.dir);
    assert!(
        !diags.has_errors(),
        "{}",
        octavo::render_json(&diags, &sources)
    );
    common::keep_for_epubcheck("tables-headless", &epub);
    let chapter = epub_file(&epub, "EPUB/text/01-tables.xhtml");
    assert!(!chapter.contains("<th"), "{chapter}");
    assert!(chapter.contains("<td>three</td>"), "{chapter}");
}

#[test]
fn an_empty_corner_of_the_header_is_no_header_cell_in_the_epub() {
    let book = table_book("|   | Read | Write |\n|---|---|---|\n| Owner | yes | yes |\n");
    let (epub, diags, sources) = common::build_epub(&book.dir);
    assert!(
        !diags.has_errors(),
        "{}",
        octavo::render_json(&diags, &sources)
    );
    let chapter = epub_file(&epub, "EPUB/text/01-tables.xhtml");
    assert!(
        chapter.contains("<thead>\n<tr><td></td><th>Read</th><th>Write</th></tr>"),
        "{chapter}"
    );
}

#[test]
fn seven_columns_fit_with_their_numbers_flush_right() {
    let table = set_table("seven", SEVEN_COLUMNS, "print");
    table.assert_inside_the_text_block();
    table.assert_rules_span_the_table();
    assert_eq!(table.added_hyphens(), 0, "{:?}", table.texts());
    // Each figure ends where its column's heading ends.
    for (heading, figures) in [
        ("Population", ["2,281,951", "119,251", "9,389,720"]),
        ("Founded", ["1434", "1050", "1698"]),
    ] {
        let edge = SetTable::end(table.run(heading));
        for figure in figures {
            let end = SetTable::end(table.run(figure));
            assert!(
                (end - edge).abs() < SAME,
                "{figure} ends at {end:.2}, not {edge:.2}"
            );
        }
    }
}

#[test]
fn eleven_columns_are_set_at_the_smallest_size_with_words_broken_and_a_warning() {
    let table = set_table("eleven", ELEVEN_COLUMNS, "print");
    table.assert_inside_the_text_block();
    let (x, end) = table.assert_rules_span_the_table();
    assert!((x - table.left).abs() < SAME && (end - table.right).abs() < SAME);
    // 80 % of the body size (code spans apart, there are none).
    let profile = Profile::builtin("print");
    let smallest = profile.design.table.min_size.at(profile.font_size).to_f32();
    assert_eq!(table.sizes(), vec![smallest]);
    assert!(table.added_hyphens() > 0, "{:?}", table.texts());
    assert_eq!(table.warnings.len(), 1, "{:?}", table.warnings);
    let (code, at, message) = &table.warnings[0];
    assert_eq!(code, "W0260");
    assert_eq!(at, "chapters/01-tables.md:5:1", "the table's first line");
    assert!(
        message.contains("“Element, Symbol, Number, …”"),
        "{message}"
    );
    assert!(message.contains("8.4 pt"), "{message}");
}

#[test]
fn a_narrow_table_keeps_its_natural_width_centred() {
    let table = set_table("two", TWO_COLUMNS, "print");
    table.assert_inside_the_text_block();
    let (x, end) = table.assert_rules_span_the_table();
    assert!(
        end - x < (table.right - table.left) / 2.0,
        "stretched: {x}..{end}"
    );
    // Centred on the measure.
    assert!(((x - table.left) - (table.right - end)).abs() < SAME);
    // At its natural width, its widest cell fills its last column to the rules' end.
    let widest = SetTable::end(table.run("publication"));
    assert!((widest - end).abs() < SAME, "{widest} against {end}");
    // Set at the table size: it fits at once.
    let profile = Profile::builtin("print");
    let size = profile.design.table.size.at(profile.font_size).to_f32();
    assert_eq!(table.sizes(), vec![size]);
}

#[test]
fn numbers_align_left_centre_and_right_as_markdown_asks() {
    let table = set_table("aligned", ALIGNED, "print");
    table.assert_inside_the_text_block();
    let (_, end) = table.assert_rules_span_the_table();
    let rows = ["12", "1,250", "1,269.5"];
    // Each number appears in the left, centre and right columns, in that order.
    let columns: Vec<Vec<&GlyphRun>> = rows
        .iter()
        .map(|figure| {
            let mut runs: Vec<&GlyphRun> = table
                .runs
                .iter()
                .filter(|run| &*run.run.text == *figure)
                .collect();
            runs.sort_by(|a, b| a.x.total_cmp(&b.x));
            assert_eq!(runs.len(), 3, "{figure}");
            runs
        })
        .collect();
    let same = |values: Vec<f64>, what: &str| {
        let first = values[0];
        assert!(
            values.iter().all(|v| (v - first).abs() < SAME),
            "{what}: {values:?}"
        );
    };
    same(
        columns.iter().map(|r| SetTable::start(r[0])).collect(),
        "left starts",
    );
    same(
        columns
            .iter()
            .map(|r| (SetTable::start(r[1]) + SetTable::end(r[1])) / 2.0)
            .collect(),
        "centre middles",
    );
    same(
        columns.iter().map(|r| SetTable::end(r[2])).collect(),
        "right ends",
    );
    // The right column is the last: its figures end at the rules' end.
    assert!((SetTable::end(columns[0][2]) - end).abs() < SAME);
}

#[test]
fn prose_cells_are_ragged_with_natural_word_spaces() {
    let table = set_table("prose", PROSE, "print");
    table.assert_inside_the_text_block();
    let (x, end) = table.assert_rules_span_the_table();
    assert!((x - table.left).abs() < SAME && (end - table.right).abs() < SAME);
    assert_eq!(table.added_hyphens(), 0);
    // Word spaces inside a cell (gaps under half an em between runs on one baseline, in
    // the regular face of the body rows) are all the face's space: none is stretched.
    let mut lines: Vec<Vec<&GlyphRun>> = Vec::new();
    for run in &table.runs {
        match lines
            .iter_mut()
            .find(|l| (l[0].y - run.y).abs().get() < SAME)
        {
            Some(line) => line.push(run),
            None => lines.push(vec![run]),
        }
    }
    let mut gaps = Vec::new();
    for line in &mut lines {
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
        for pair in line.windows(2) {
            let gap = SetTable::start(pair[1]) - SetTable::end(pair[0]);
            if gap < 0.5 * f64::from(pair[0].run.size_pt) {
                gaps.push(gap);
            }
        }
    }
    assert!(gaps.len() > 20, "{gaps:?}");
    gaps.sort_by(f64::total_cmp);
    let (narrowest, widest) = (gaps[0], gaps[gaps.len() - 1]);
    assert!(
        widest - narrowest < SAME,
        "word spaces from {narrowest:.3} to {widest:.3}: stretched"
    );
    // Ragged: the event column's lines do not all reach its right edge.
    let short = lines
        .iter()
        .filter(|line| SetTable::end(line[line.len() - 1]) < end - 5.0)
        .count();
    assert!(short > 2, "lines set flush to the right edge: justified?");
}

#[test]
fn a_table_in_a_quotation_keeps_inside_the_quotation() {
    let quoted: String = SEVEN_COLUMNS.lines().map(|l| format!("> {l}\n")).collect();
    let table = set_table("quoted", &quoted, "print");
    table.assert_inside_the_text_block();
    let (x, end) = table.assert_rules_span_the_table();
    let profile = Profile::builtin("print");
    let inset = profile.design.quote.inset.at(profile.font_size).get();
    assert!(
        (x - (table.left + inset)).abs() < SAME,
        "{x} {}",
        table.left
    );
    assert!(
        (end - (table.right - inset)).abs() < SAME,
        "{end} {}",
        table.right
    );
}

#[test]
fn the_epub_wraps_each_table_in_a_block_that_scrolls_sideways() {
    let book = table_book(SEVEN_COLUMNS);
    let (bytes, _, _) = common::build_epub(&book.dir);
    common::keep_for_epubcheck("tables-seven", &bytes);
    let body = common::xhtml_body(&bytes, "EPUB/text/01-tables.xhtml");
    assert!(
        body.contains("<div class=\"table-wrap\" tabindex=\"0\">\n<table>"),
        "{body}"
    );
    assert!(body.contains("</table>\n</div>"), "{body}");
    let css = epub_file(&bytes, "EPUB/css/book.css");
    let rule = css
        .split("div.table-wrap {")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .expect("a rule for the wrapper");
    assert!(rule.contains("overflow-x: auto;"), "{rule}");
    assert!(rule.contains("max-width: 100%;"), "{rule}");
}

#[test]
fn the_test_book_of_tables_builds_valid_outputs() {
    let dir = common::repo().join("tests/cases/tables");
    let (bytes, _, _) = common::build_epub(&dir);
    common::keep_for_epubcheck("case-tables", &bytes);
    let (_, dump) = common::build_pdf("case-tables", &dir, "print");
    assert!(dump.contains("Welsbach"), "the eleven-column table is set");
}

/// The text of one file of an EPUB.
fn epub_file(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut file = archive.by_name(name).expect("the file");
    let mut text = String::new();
    file.read_to_string(&mut text).expect("UTF-8");
    text
}

/// `octavo build` prints the warning with the table's line, after the build; with
/// `--deny-warnings` it fails and leaves the PDF written before as it was.
#[test]
fn the_build_reports_a_table_too_wide_at_its_line() {
    let out = tempfile::tempdir().expect("temp dir");
    let dir = common::repo().join("tests/cases/tables");
    let build = |extra: &[&str]| {
        let mut args = vec!["build".to_string(), dir.display().to_string()];
        args.extend(["--out".to_string(), out.path().display().to_string()]);
        args.extend(extra.iter().map(|a| a.to_string()));
        std::process::Command::new(env!("CARGO_BIN_EXE_octavo"))
            .args(&args)
            .output()
            .expect("octavo runs")
    };
    let built = build(&["--format", "pdf"]);
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert!(built.status.success(), "{stderr}");
    assert!(stderr.contains("warning[W0260]"), "{stderr}");
    let table_line = std::fs::read_to_string(dir.join("chapters/01-tables.md"))
        .expect("the chapter")
        .lines()
        .position(|line| line.starts_with("| Element"))
        .expect("the eleven-column table")
        + 1;
    assert!(
        stderr.contains(&format!("chapters/01-tables.md:{table_line}:1")),
        "{stderr}"
    );
    let pdf = out.path().join("tables-that-fit.pdf");
    let before = std::fs::read(&pdf).expect("the first build wrote the PDF");
    std::fs::write(&pdf, b"the previous PDF").expect("mark the PDF");
    let denied = build(&["--format", "pdf", "--deny-warnings"]);
    let stderr = String::from_utf8_lossy(&denied.stderr);
    assert_eq!(denied.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("warning[W0260]"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(
        std::fs::read(&pdf).expect("the PDF is still there"),
        b"the previous PDF",
        "a denied build must not replace the outputs ({} bytes before)",
        before.len()
    );
}
