//! The `octavo` command line: parse arguments, run a command, print diagnostics, exit.
//!
//! Exit codes: 0 everything fine, 1 problems in the manuscript, 2 usage or I/O errors.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};

use octavo::ResolveOptions;
use octavo::{build_outputs, compile, BuildError, BuildOptions, Compiled, Format};
use octavo::{create_book, NewOptions};
use octavo::{escape_controls, render_human, render_json, Severity};

/// octavo turns a folder of Markdown chapters into a valid EPUB 3 and a typeset PDF.
#[derive(Parser)]
#[command(name = "octavo", version, about, long_about = None)]
#[command(after_help = "Start with `octavo new my-book`, then `octavo build my-book`.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the book in DIR into DIR/out/<slug>.epub (and .pdf)
    Build {
        /// The book folder, holding book.toml and chapters/
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Where to write the outputs [default: DIR/out]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Which outputs to make
        #[arg(long, value_enum, default_value_t = FormatArg::All)]
        format: FormatArg,
        /// PDF profile: print (6x9 in), a4 or letter
        #[arg(long, value_name = "NAME", value_parser = ["print", "a4", "letter"])]
        profile: Option<String>,
        /// Print only these chapters in the PDF (handouts), e.g. 3-5 or 4
        #[arg(long, value_name = "FROM-TO", value_parser = parse_chapter_range)]
        chapters: Option<std::ops::RangeInclusive<u32>>,
        /// Write the PDF with uncompressed, readable content streams (for debugging)
        #[arg(long)]
        readable_pdf: bool,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Find every problem in the book in DIR without writing anything
    Check {
        /// The book folder, holding book.toml and chapters/
        #[arg(default_value = ".")]
        dir: PathBuf,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Create a new book in the folder NAME, ready to build
    New {
        /// Folder to create
        name: PathBuf,
        /// The book's title [default: from the folder name]
        #[arg(long)]
        title: Option<String>,
        /// The author's name
        #[arg(long)]
        author: Option<String>,
    },
}

#[derive(clap::Args)]
struct CommonArgs {
    /// Citation style: chicago-author-date, apa, mla, ieee, chicago-notes, or a .csl file
    #[arg(long, value_name = "NAME")]
    csl: Option<String>,
    /// Turn remote images into links instead of failing (nothing is ever downloaded)
    #[arg(long)]
    allow_remote: bool,
    /// Treat warnings as errors
    #[arg(long)]
    deny_warnings: bool,
    /// How to print problems
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
    /// Print nothing but problems
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Epub,
    Pdf,
    All,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MessageFormat {
    Human,
    Json,
}

fn main() -> ExitCode {
    return_freed_memory_soon();
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            dir,
            out,
            format,
            profile,
            chapters,
            readable_pdf,
            common,
        } => {
            let format = match format {
                FormatArg::Epub => Format::Epub,
                FormatArg::Pdf => Format::Pdf,
                FormatArg::All => Format::All,
            };
            let options = BuildOptions {
                dir,
                out,
                format,
                profile,
                chapters,
                readable_pdf,
                resolve: resolve_options(&common),
                deny_warnings: common.deny_warnings,
            };
            run_build(&options, &common)
        }
        Command::Check { dir, common } => run_check(&dir, &common),
        Command::New {
            name,
            title,
            author,
        } => run_new(NewOptions {
            dir: name,
            title,
            author,
        }),
    }
}

/// `3-5` or `4` as an inclusive range of chapter numbers.
fn parse_chapter_range(text: &str) -> Result<std::ops::RangeInclusive<u32>, String> {
    let number = |t: &str| match t.trim().parse::<u32>() {
        Ok(0) => Err("chapter numbers start at 1".to_string()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{t}` is not a chapter number")),
    };
    match text.split_once('-') {
        Some((from, to)) => {
            let (from, to) = (number(from)?, number(to)?);
            if from > to {
                return Err(format!(
                    "{from}-{to}: the first chapter comes after the last"
                ));
            }
            Ok(from..=to)
        }
        None => number(text).map(|n| n..=n),
    }
}

fn resolve_options(common: &CommonArgs) -> ResolveOptions {
    ResolveOptions {
        allow_remote: common.allow_remote,
        csl: common.csl.clone(),
        source_date_epoch: std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|v| v.trim().parse().ok()),
    }
}

fn run_build(options: &BuildOptions, common: &CommonArgs) -> ExitCode {
    if !common.quiet
        && common.message_format == MessageFormat::Human
        && std::io::stderr().is_terminal()
    {
        octavo::enable_progress();
    }
    octavo::progress_phase("reading", 1);
    let mut compiled = compile(&options.dir, &options.resolve);
    if options.format != Format::Epub {
        if let Some(book) = compiled.book.as_mut() {
            let fonts = compiled.fonts.as_deref();
            octavo::check_glyphs(book, fonts, &mut compiled.diags);
        }
    }
    print_diagnostics(&compiled, common);
    if let Some(code) = manuscript_failure(&compiled, common) {
        return code;
    }
    let quiet = common.quiet;
    let waiting = |dir: &std::path::Path| {
        if !quiet {
            eprintln!(
                "waiting for another octavo build writing to {} to finish",
                dir.display()
            );
        }
    };
    let built = build_outputs(&compiled, options, &waiting);
    octavo::finish_progress();
    let exit = match built {
        Ok(report) => {
            print_report(&report.diags, compiled.sources(), common);
            if !common.quiet {
                for path in &report.written {
                    eprintln!("wrote {}", escape_controls(&path.display().to_string()));
                }
                for note in &report.notes {
                    eprintln!("note: {}", escape_controls(note));
                }
            }
            ExitCode::SUCCESS
        }
        Err(BuildError::Manuscript) => ExitCode::from(1),
        Err(BuildError::DeniedWarnings(diags)) => {
            print_report(&diags, compiled.sources(), common);
            if !common.quiet {
                eprintln!("error: warnings are denied (--deny-warnings); nothing was written");
            }
            ExitCode::from(1)
        }
        Err(err) => {
            eprintln!("error: {}", escape_controls(&err.to_string()));
            ExitCode::from(2)
        }
    };
    // The process ends here: freeing the book's many small allocations would only make
    // the user wait (18 ms for the x100 benchmark book).
    std::mem::forget(compiled);
    exit
}

fn run_check(dir: &std::path::Path, common: &CommonArgs) -> ExitCode {
    let compiled = octavo::check_book(dir, &resolve_options(common));
    print_diagnostics(&compiled, common);
    manuscript_failure(&compiled, common).unwrap_or(ExitCode::SUCCESS)
}

/// Exit 1 for errors in the manuscript (or warnings with --deny-warnings); 2 when the book
/// folder itself could not be read.
fn manuscript_failure(compiled: &Compiled, common: &CommonArgs) -> Option<ExitCode> {
    let diags = &compiled.diags;
    if compiled.manuscript.is_none()
        && diags
            .items()
            .iter()
            .any(|d| d.code == octavo::code::CONFIG_MISSING || d.code == octavo::code::IO)
    {
        return Some(ExitCode::from(2));
    }
    let failing = diags.has_errors() || (common.deny_warnings && diags.has_warnings());
    failing.then(|| ExitCode::from(1))
}

fn print_diagnostics(compiled: &Compiled, common: &CommonArgs) {
    print_report(&compiled.diags, compiled.sources(), common);
}

/// Print `diags` (those of the manuscript, or those only the build found) as asked.
fn print_report(diags: &octavo::Diagnostics, sources: &octavo::SourceMap, common: &CommonArgs) {
    if common.message_format == MessageFormat::Json {
        print!("{}", render_json(diags, sources));
        return;
    }
    let color = if std::io::stderr().is_terminal() {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    };
    let mut stderr = StandardStream::stderr(color);
    if let Err(err) = render_human(diags, sources, &mut stderr) {
        eprintln!("error: cannot print diagnostics: {err}");
    }
    let errors = diags.count(Severity::Error);
    let warnings = diags.count(Severity::Warning);
    if (errors > 0 || warnings > 0) && !common.quiet {
        eprintln!("{errors} error(s), {warnings} warning(s)");
    }
}

fn run_new(options: NewOptions) -> ExitCode {
    match create_book(&options) {
        Ok(files) => {
            for file in files {
                eprintln!("created {}", file.display());
            }
            eprintln!(
                "\nNext: octavo build {}   (writes {}/out/)",
                options.dir.display(),
                options.dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}

/// mimalloc instead of the system allocator. A build makes and frees millions of small
/// objects (shaped runs, page items, XML and PDF fragments) on several threads; glibc's
/// malloc and free took about 15% of the x100 benchmark's CPU time. With mimalloc the
/// build's user time fell by 15% and its peak memory did not grow. The crate's `no_thp`
/// feature keeps mimalloc from asking for transparent huge pages: with them, time spent in
/// the kernel varied from 0.1 to 0.7 s between identical runs, and peak memory rose by
/// 45 MB.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc v3's number for its purge delay option (`mi_option_purge_delay` in its
/// `mimalloc.h`; libmimalloc-sys names the constant only for v2).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long, in milliseconds, mimalloc keeps freed memory before it gives it back to the
/// system. Its default is a second, longer than most phases of a build: the memory the PDF
/// writer frees page by page was still counted while krilla drew and wrote the file, and
/// the x100 benchmark peaked at 164 to 185 MB instead of 150 to 156 MB. From 10 ms to
/// 50 ms the peak was the same and the time did not change measurably; at 200 ms the peak
/// rose again.
const FREED_MEMORY_KEPT_MS: std::ffi::c_long = 50;

/// mimalloc v3's number for the option that bounds the blocks it carves from its arenas
/// (`mi_option_arena_max_object_size` in its `mimalloc.h`, in KiB).
const MI_OPTION_ARENA_MAX_OBJECT_SIZE: libmimalloc_sys::mi_option_t = 45;

/// The largest block, in KiB, that mimalloc takes from its arenas; larger ones are mapped
/// from the system on their own, and unmapped the moment they are freed. Arena blocks wait
/// out the purge delay: when krilla copies a book's large chunks (its structure elements,
/// annotations, page dictionaries: 73, 49 and 33 MB for 100,000 chapters) into the file one
/// after another, each freed chunk and the file's copy of it were both counted, and the
/// 100,000-chapter book peaked at 786 to 808 MB while writing the file instead of 700 to
/// 720 MB. At 1 MB the peak was the same.
const LARGEST_ARENA_BLOCK_KIB: std::ffi::c_long = 8 * 1024;

/// Set mimalloc's purge delay to [`FREED_MEMORY_KEPT_MS`] and its largest arena block to
/// [`LARGEST_ARENA_BLOCK_KIB`] before the build allocates much.
fn return_freed_memory_soon() {
    // SAFETY: mi_option_set writes one integer of mimalloc's option table; it is called
    // once, on the main thread, before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, FREED_MEMORY_KEPT_MS) };
    // SAFETY: as above, one integer of the option table, before any other thread exists.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_MAX_OBJECT_SIZE, LARGEST_ARENA_BLOCK_KIB)
    };
}

#[cfg(test)]
mod tests {
    /// Option 15 is still the purge delay: in mimalloc v3 it is the one option whose
    /// default is 1000 (ms). A mimalloc that renumbered its options fails here rather than
    /// having main set some other option.
    #[test]
    fn option_15_is_mimallocs_purge_delay() {
        // SAFETY: reads one integer of mimalloc's option table.
        let delay = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, 1000);
    }

    /// Option 45 is still the largest arena block: its default, 2 GiB in KiB on a 64-bit
    /// system, is no other option's.
    #[test]
    fn option_45_is_mimallocs_largest_arena_block() {
        // SAFETY: reads one integer of mimalloc's option table.
        let largest =
            unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_ARENA_MAX_OBJECT_SIZE) };
        assert_eq!(largest, 2 * 1024 * 1024);
    }
}
