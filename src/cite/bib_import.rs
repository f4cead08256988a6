//! Where hayagriva's BibLaTeX import shapes an entry otherwise than pandoc's BibLaTeX reader,
//! whose CSL items citeproc renders (the reference the differential test checks against), the
//! entry is corrected around the import:
//! - before it, on the BibLaTeX entry: a thesis is named by its kind as pandoc names it
//!   ("PhD thesis", not hayagriva's "Doctoral dissertation"), and a `type` field holding one
//!   of biblatex's localisation keys (`mathesis`, `techreport`, …) prints the English term;
//! - before it, a collection or a work of reference that is cited whole (`@collection`,
//!   `@reference` and their multi-volume kinds) is read as the book it is, as pandoc reads it
//!   (CSL `book`): hayagriva makes a collection an anthology, which CSL styles take for an
//!   archival `collection` (APA prints "[Archival collection]", IEEE quotes its title), and a
//!   work of reference a type no style names. A book in a book (`@bookinbook`) is read as
//!   the chapter pandoc reads it as, and an article in a work of reference (`@inreference`)
//!   as a part of a collection: hayagriva gives its encyclopedia entries no container
//!   (`Entry::get_container` has no case for them) and prints the work's title as a volume
//!   title ("Encyclopedia of Writing. Edited by Peter Clark. Scripts."), where read as a
//!   chapter it prints as citeproc prints the encyclopedia entry pandoc makes of it.
//!   Software (`@software`) is read as hayagriva reads a `@dataset`, the one type it renders
//!   as CSL `software` (with its version);
//! - before it, an article's or proceedings' `issuetitle` is dropped, as pandoc drops it:
//!   hayagriva would print it in place of the journal's (or the proceedings') own title;
//! - before it, an `eprint` in arXiv, JSTOR, PubMed or Google Books gives an entry without a
//!   `url` the address pandoc gives it (hayagriva keeps the identifier, which no style
//!   prints);
//! - before it, the publisher is what pandoc's reader makes it: the school, institution,
//!   organization and `howpublished` of the entry before its publishers, joined by "; " (an
//!   organization publishing a manual or a web page, `howpublished` of a `@misc`, which
//!   hayagriva keeps where no style prints them); a name given twice (an institution that is
//!   also the publisher) is printed once, where pandoc prints it twice;
//! - before it, a date range (`2011-01/2011-02`) keeps its start: hayagriva 0.10 has no date
//!   ranges (typst/hayagriva#527 would add them, closed unmerged) and would keep the range's
//!   end, where a CSL-JSON range keeps its start and citeproc sorts by the start; the caller
//!   warns that the end is not printed;
//! - around it, for a part of a book (`@incollection`, `@inproceedings`): hayagriva makes the
//!   book's title both CSL's `container-title` and its `volume-title` (hayagriva 0.10
//!   `csl/taxonomy.rs`, `VolumeTitle`: "Anthos > Anthology", "Article > Proceedings"), so
//!   styles that print both (Chicago, MLA, APA) print it twice, and Chicago reads a paper as
//!   an article in a special issue of the proceedings. The book's title is taken out of the
//!   entry before the import and given to a parent of its own, a book, which hayagriva looks
//!   up first for the container (`Entry::get_container`): the title is the container's only;
//! - around it, for a book in a series: its `number` is its number in the series (CSL
//!   `collection-number`, "CSLI Lecture Notes 27"), as pandoc reads it, where hayagriva makes
//!   it the book's issue ("CSLI Lecture Notes, no. 27"); the number is taken out before the
//!   import and given to the series hayagriva makes a parent of the book;
//! - around it, the original edition of a translation or reprint (`origdate`, `origtitle`,
//!   `origpublisher`, `origlocation`), which hayagriva's import leaves out, is given to the
//!   entry as hayagriva's `original` parent, which it prints as CSL's `original-*` variables
//!   ("(1867) 1990", "Original work published 1867") as citeproc prints pandoc's reading;
//! - after it, in every name: BibTeX puts a name's lowercase particles in its von part
//!   (`de La Fontaine` is von `de`, family `La Fontaine`), and pandoc's family name never
//!   holds a particle, while hayagriva reads the leading words of a family name that are in
//!   its list of particles as a non-dropping particle (`La`, `Van`, `De`), printing
//!   "Fontaine, Jean de La" and sorting under F. The spaces it would cut the family name at
//!   become no-break spaces, which print as spaces and keep the name whole.

use std::collections::HashMap;

use biblatex::{
    Chunk, Chunks, ChunksExt, DateValue, EntryType as TexType, PermissiveType, Spanned,
};
use hayagriva::types::{
    Date, EntryType, FormatString, MaybeTyped, Numeric, Person, PersonsWithRoles, Publisher,
};
use hayagriva::{Entry, Library};

/// The genre pandoc's reader gives each thesis type when no `type` field names it.
const THESIS_GENRES: &[(TexType, &str)] = &[
    (TexType::PhdThesis, "PhD thesis"),
    (TexType::MastersThesis, "Master\u{2019}s thesis"),
];

/// biblatex's localisation keys a `type` field may hold, and the English term each prints
/// (as pandoc 3.9 prints them; the keys are case-sensitive there too).
const TYPE_KEYS: &[(&str, &str)] = &[
    ("phdthesis", "PhD thesis"),
    ("mathesis", "Master\u{2019}s thesis"),
    ("candthesis", "Candidate thesis"),
    ("techreport", "technical report"),
    ("resreport", "research report"),
    ("software", "computer software"),
    ("datacd", "CD-ROM"),
    ("audiocd", "audio CD"),
    ("patent", "patent"),
    ("patentde", "German patent"),
    ("patenteu", "European patent"),
    ("patentfr", "French patent"),
    ("patentuk", "British patent"),
    ("patentus", "U.S. patent"),
    ("patreq", "patent request"),
    ("patreqde", "German patent request"),
    ("patreqeu", "European patent request"),
    ("patreqfr", "French patent request"),
    ("patrequk", "British patent request"),
    ("patrequs", "U.S. patent request"),
];

/// The no-break space joining the words of a family name hayagriva would take apart.
const NO_BREAK_SPACE: &str = "\u{A0}";

/// Names the kind of a thesis, and of anything whose `type` is a localisation key, as
/// pandoc does: hayagriva would name a `@phdthesis` "Doctoral dissertation" and print a key
/// such as `mathesis` as written. A `type` the author wrote in words wins.
pub(super) fn name_the_genre(entry: &mut biblatex::Entry) {
    if let Some(chunks) = entry.fields.get_mut("type") {
        if let Some(term) = localised_key(chunks) {
            *chunks = plain_chunks(term);
        }
        return;
    }
    let genre = THESIS_GENRES
        .iter()
        .find(|(kind, _)| *kind == entry.entry_type);
    if let Some((_, genre)) = genre {
        entry.fields.insert("type".to_string(), plain_chunks(genre));
    }
}

/// The English term of a `type` field that is one of biblatex's localisation keys.
fn localised_key(chunks: &Chunks) -> Option<&'static str> {
    let text: String = chunks.iter().map(|c| chunk_text(&c.v)).collect();
    let text = text.trim();
    TYPE_KEYS
        .iter()
        .find(|(key, _)| *key == text)
        .map(|(_, term)| *term)
}

fn chunk_text(chunk: &Chunk) -> &str {
    match chunk {
        Chunk::Normal(text) | Chunk::Verbatim(text) | Chunk::Math(text) => text,
    }
}

/// `text` as a field's value.
fn plain_chunks(text: &str) -> Chunks {
    vec![Spanned::detached(Chunk::Normal(text.to_string()))]
}

/// Entry types hayagriva renders otherwise than citeproc renders pandoc's reading of them,
/// and the type each is read as (see the module docs).
const READ_AS: &[(TexType, TexType)] = &[
    (TexType::Collection, TexType::Book),
    (TexType::Reference, TexType::Book),
    (TexType::MvCollection, TexType::MvBook),
    (TexType::MvReference, TexType::MvBook),
    (TexType::BookInBook, TexType::InBook),
    (TexType::InReference, TexType::InCollection),
    (TexType::Software, TexType::Dataset),
];

/// Reads a collection or a work of reference cited whole as a book, a book in a book as a
/// chapter and an article in a work of reference as a part of a collection (see the module
/// docs). hayagriva gives each pair the same fields and parents; only their types differ.
pub(super) fn read_as_pandoc_does(entry: &mut biblatex::Entry) {
    let read_as = READ_AS.iter().find(|(kind, _)| *kind == entry.entry_type);
    if let Some((_, kind)) = read_as {
        entry.entry_type = kind.clone();
    }
}

/// The fields pandoc's reader makes the publisher of, in its order, before `publisher`.
const PUBLISHING_FIELDS: &[&str] = &["school", "institution", "organization", "howpublished"];

/// Fields that once in the publisher would print twice if hayagriva kept them too (it makes
/// `organization` CSL's `authority`, `howpublished` a note).
const MOVED_TO_PUBLISHER: &[&str] = &["organization", "howpublished"];

/// What joins the names of a publisher, as pandoc joins them.
const PUBLISHER_SEPARATOR: &str = "; ";

/// Makes the publisher of `entry` as pandoc's reader does (see the module docs).
pub(super) fn publisher_as_pandoc_reads_it(entry: &mut biblatex::Entry) {
    let mut names: Vec<String> = Vec::new();
    for field in PUBLISHING_FIELDS {
        if let Some(chunks) = entry.fields.get(*field) {
            add_name(&mut names, chunks.format_verbatim());
        }
    }
    if names.is_empty() {
        return;
    }
    if let Ok(publishers) = entry.publisher() {
        for publisher in publishers {
            add_name(&mut names, publisher.format_verbatim());
        }
    }
    for field in MOVED_TO_PUBLISHER {
        entry.fields.remove(*field);
    }
    // One verbatim chunk: hayagriva reads `publisher` as a list, which an `and` in a name
    // would split again.
    let joined = names.join(PUBLISHER_SEPARATOR);
    let publisher = vec![Spanned::detached(Chunk::Verbatim(joined))];
    entry.fields.insert("publisher".to_string(), publisher);
}

/// Adds `name` to `names` unless it is empty or already there.
fn add_name(names: &mut Vec<String>, name: String) {
    let name = name.trim();
    let is_new = !names.iter().any(|n| n.eq_ignore_ascii_case(name));
    if !name.is_empty() && is_new {
        names.push(name.to_string());
    }
}

/// Drops the `issuetitle` of an article or proceedings (see the module docs).
pub(super) fn drop_issue_title(entry: &mut biblatex::Entry) {
    if matches!(entry.entry_type, TexType::Article | TexType::Proceedings) {
        entry.fields.remove("issuetitle");
    }
}

/// The address of an eprint in each archive pandoc knows, before the identifier.
const EPRINT_ADDRESSES: &[(&str, &str)] = &[
    ("arxiv", "https://arxiv.org/abs/"),
    ("jstor", "https://www.jstor.org/stable/"),
    ("pubmed", "https://www.ncbi.nlm.nih.gov/pubmed/"),
    ("googlebooks", "https://books.google.com?id="),
];

/// Gives an entry without a `url` the address of its `eprint` (see the module docs). The
/// archive is named by `eprinttype` or, in BibTeX files, `archiveprefix`.
pub(super) fn eprint_as_url(entry: &mut biblatex::Entry) {
    if entry.fields.contains_key("url") {
        return;
    }
    let field_text = |field: &str| entry.fields.get(field).map(|c| c.format_verbatim());
    let Some(eprint) = field_text("eprint") else {
        return;
    };
    let archive = field_text("eprinttype").or_else(|| field_text("archiveprefix"));
    let archive = archive.map(|a| a.trim().to_ascii_lowercase());
    let address = EPRINT_ADDRESSES
        .iter()
        .find(|(name, _)| Some(*name) == archive.as_deref());
    if let Some((_, address)) = address {
        let url = format!("{address}{}", eprint.trim());
        let url = vec![Spanned::detached(Chunk::Verbatim(url))];
        entry.fields.insert("url".to_string(), url);
    }
}

/// The date fields hayagriva reads (`origdate` it does not).
const DATE_FIELDS: &[&str] = &["date", "eventdate", "urldate"];

/// Cuts each date range of `entry` down to its start, as written (`2011-01/2011-02` →
/// `2011-01`); returns the fields that held a range. An open range (`2011/`) is left as it
/// is: hayagriva keeps its one date.
pub(super) fn keep_range_starts(entry: &mut biblatex::Entry) -> Vec<&'static str> {
    let mut cut = Vec::new();
    for field in DATE_FIELDS {
        let is_range = matches!(
            entry.get_as::<PermissiveType<biblatex::Date>>(field),
            Ok(PermissiveType::Typed(biblatex::Date {
                value: DateValue::Between(..),
                ..
            }))
        );
        let Some(chunks) = entry.fields.get_mut(*field).filter(|_| is_range) else {
            continue;
        };
        let written = chunks.format_verbatim();
        if let Some((start, _)) = written.split_once('/') {
            *chunks = plain_chunks(start.trim());
            cut.push(*field);
        }
    }
    cut
}

/// Entry types whose `number` is the number in their `series` (CSL `collection-number`) as
/// pandoc reads it; hayagriva makes it the issue of the book (Chicago prints "no. 27", APA
/// "(Issue 27)"). Elsewhere (a report, a thesis, a journal) it is the entry's own number.
const NUMBERED_IN_SERIES: &[TexType] = &[
    TexType::Book,
    TexType::MvBook,
    TexType::InBook,
    TexType::BookInBook,
    TexType::SuppBook,
    TexType::Collection,
    TexType::MvCollection,
    TexType::InCollection,
    TexType::SuppCollection,
    TexType::Proceedings,
    TexType::MvProceedings,
    TexType::InProceedings,
    TexType::Reference,
    TexType::MvReference,
    TexType::InReference,
];

/// The fields taken out of BibLaTeX entries before hayagriva's import, by entry key, to be
/// given back by [`reshape`] where pandoc's reader puts them.
#[derive(Default)]
pub(super) struct TakenOut {
    /// The title of the book a chapter or a paper is in.
    book_titles: HashMap<String, FormatString>,
    /// The title of a book's series and the book's number in it.
    series_numbers: HashMap<String, (FormatString, MaybeTyped<Numeric>)>,
    /// The original edition of a translation or a reprint.
    originals: HashMap<String, Entry>,
}

impl TakenOut {
    /// Takes the fields hayagriva would misplace out of `entry` (see the module docs).
    pub(super) fn take(&mut self, entry: &mut biblatex::Entry) {
        self.take_book_title(entry);
        self.take_series_number(entry);
        self.read_original(entry);
    }

    /// Reads the original edition of `entry` from its `orig…` fields, if it has any.
    fn read_original(&mut self, entry: &biblatex::Entry) {
        let text = |field: &str| {
            let chunks = entry.fields.get(field)?;
            Some(FormatString::from(chunks.as_slice()))
        };
        let date = match entry.get_as::<PermissiveType<biblatex::Date>>("origdate") {
            Ok(PermissiveType::Typed(date)) => Some(Date::from(date)),
            _ => None,
        };
        let (title, publisher) = (text("origtitle"), text("origpublisher"));
        let location = text("origlocation");
        if date.is_none() && title.is_none() && publisher.is_none() && location.is_none() {
            return;
        }
        let mut original = Entry::new(&entry.key, EntryType::Original);
        if let Some(date) = date {
            original.set_date(date);
        }
        if let Some(title) = title {
            original.set_title(title);
        }
        if publisher.is_some() || location.is_some() {
            original.set_publisher(Publisher::new(publisher, location));
        }
        self.originals.insert(entry.key.clone(), original);
    }

    /// Takes the book's title out of a part of a book (see the module docs). A part of a
    /// volume of a multi-volume book (`maintitle`) is left as hayagriva reads it.
    fn take_book_title(&mut self, entry: &mut biblatex::Entry) {
        let is_part_of_book = matches!(
            entry.entry_type,
            TexType::InCollection | TexType::InProceedings
        );
        if !is_part_of_book || entry.fields.contains_key("maintitle") {
            return;
        }
        if let Some(title) = entry.fields.remove("booktitle") {
            let title = FormatString::from(title.as_slice());
            self.book_titles.insert(entry.key.clone(), title);
        }
    }

    /// Takes the number of a book in a series out of its entry (see [`NUMBERED_IN_SERIES`]).
    fn take_series_number(&mut self, entry: &mut biblatex::Entry) {
        if !NUMBERED_IN_SERIES.contains(&entry.entry_type) {
            return;
        }
        let Some(series) = entry.fields.get("series") else {
            return;
        };
        let series = FormatString::from(series.as_slice());
        if let Some(number) = entry.fields.remove("number") {
            let number = MaybeTyped::<Numeric>::from(number.as_slice());
            self.series_numbers
                .insert(entry.key.clone(), (series, number));
        }
    }
}

/// hayagriva's entries with the fields of `taken` given back where pandoc puts them and
/// every family name kept whole (see the module docs).
pub(super) fn reshape(library: &Library, taken: &TakenOut) -> Library {
    let mut reshaped = Library::new();
    for entry in library.iter() {
        let mut entry = entry.clone();
        if let Some(title) = taken.book_titles.get(entry.key()) {
            give_book_title(&mut entry, title.clone());
        }
        if let Some((series, number)) = taken.series_numbers.get(entry.key()) {
            number_in_series(&mut entry, series, number);
        }
        if let Some(original) = taken.originals.get(entry.key()) {
            let mut parents = entry.parents().to_vec();
            parents.push(original.clone());
            entry.set_parents(parents);
        }
        keep_family_names_whole(&mut entry);
        reshaped.push(&entry);
    }
    reshaped
}

/// Gives the series among `entry`'s ancestors (a parent without parents, titled `series`)
/// the book's `number` in it as its volume, which hayagriva prints as CSL's
/// `collection-number`.
fn number_in_series(entry: &mut Entry, series: &FormatString, number: &MaybeTyped<Numeric>) {
    let mut parents = entry.parents().to_vec();
    for parent in &mut parents {
        let is_series = parent.parents().is_empty() && parent.title() == Some(series);
        if is_series {
            parent.set_volume(number.clone());
        } else {
            number_in_series(parent, series, number);
        }
    }
    entry.set_parents(parents);
}

/// Adds a parent book with `title`: hayagriva takes a book as the container of a chapter or
/// an article before any other parent. The container's other fields hayagriva reads (its
/// author, from `bookauthor`, its editors and its volume) are copied from the parent the
/// import made; its publisher and the rest stay there, where hayagriva finds them by search.
fn give_book_title(entry: &mut Entry, title: FormatString) {
    let mut book = Entry::new(entry.key(), EntryType::Book);
    book.set_title(title);
    let mut parents = entry.parents().to_vec();
    if let Some(made) = parents.first() {
        if let Some(authors) = made.authors() {
            book.set_authors(authors.to_vec());
        }
        if let Some(editors) = made.editors() {
            book.set_editors(editors.to_vec());
        }
        if let Some(volume) = made.volume() {
            book.set_volume(volume.clone());
        }
    }
    parents.push(book);
    entry.set_parents(parents);
}

/// Keeps every family name of `entry` and of its parents whole.
fn keep_family_names_whole(entry: &mut Entry) {
    if let Some(authors) = entry.authors() {
        let authors = whole_names(authors);
        entry.set_authors(authors);
    }
    if let Some(editors) = entry.editors() {
        let editors = whole_names(editors);
        entry.set_editors(editors);
    }
    if let Some(affiliated) = entry.affiliated() {
        let affiliated = affiliated
            .iter()
            .map(|group| PersonsWithRoles::new(whole_names(&group.names), group.role.clone()))
            .collect();
        entry.set_affiliated(affiliated);
    }
    if !entry.parents().is_empty() {
        let mut parents = entry.parents().to_vec();
        parents.iter_mut().for_each(keep_family_names_whole);
        entry.set_parents(parents);
    }
}

fn whole_names(persons: &[Person]) -> Vec<Person> {
    let mut persons = persons.to_vec();
    persons.iter_mut().for_each(keep_family_name_whole);
    persons
}

fn keep_family_name_whole(person: &mut Person) {
    person.name = whole_family_name(&person.name);
}

/// `family` with its words joined wherever hayagriva would cut a non-dropping particle off
/// its start (`La Fontaine`, `Van Dyke`), for a family name known to hold none: a BibLaTeX
/// one, or a CSL-JSON one, whose particles are fields of their own.
pub(super) fn whole_family_name(family: &str) -> String {
    let mut person = Person {
        name: family.to_string(),
        given_name: None,
        prefix: None,
        suffix: None,
        comma_suffix: false,
        alias: None,
    };
    while let Some(particle) = person.name_particle() {
        let space = particle.len();
        person
            .name
            .replace_range(space..space + ' '.len_utf8(), NO_BREAK_SPACE);
    }
    person.name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(bib: &str) -> biblatex::Bibliography {
        biblatex::Bibliography::parse(bib).expect("a bibliography")
    }

    fn genre(bib: &str) -> Option<String> {
        let mut bibliography = parsed(bib);
        let entry = bibliography.iter_mut().next().expect("an entry");
        name_the_genre(entry);
        let library = hayagriva::io::from_biblatex(&bibliography).expect("entries");
        let entry = library.nth(0).expect("an entry");
        entry.genre().map(|g| g.value.to_string())
    }

    #[test]
    fn a_collection_cited_whole_is_a_book() {
        let bib = "@collection{a, editor = {Abelard, Peter}, title = {Letters}}\n\
                   @mvreference{b, title = {Encyclopedia}}\n\
                   @bookinbook{c, title = {T}, booktitle = {B}}";
        let mut bibliography = parsed(bib);
        bibliography.iter_mut().for_each(read_as_pandoc_does);
        let library = hayagriva::io::from_biblatex(&bibliography).expect("entries");
        let types: Vec<&EntryType> = library.iter().map(Entry::entry_type).collect();
        assert_eq!(
            types,
            [&EntryType::Book, &EntryType::Book, &EntryType::Chapter]
        );
    }

    fn publisher(bib: &str) -> Option<String> {
        let mut bibliography = parsed(bib);
        let entry = bibliography.iter_mut().next().expect("an entry");
        publisher_as_pandoc_reads_it(entry);
        let library = hayagriva::io::from_biblatex(&bibliography).expect("entries");
        let entry = library.nth(0).expect("an entry");
        let publisher = entry.publisher().and_then(|p| p.name());
        publisher.map(|name| name.value.to_string())
    }

    #[test]
    fn the_publisher_is_made_as_pandoc_makes_it() {
        let thesis = "@phdthesis{a, title = {T}, institution = {Seoul National University}}";
        assert_eq!(
            publisher(thesis).as_deref(),
            Some("Seoul National University")
        );
        let manual = "@manual{a, title = {T}, organization = {Bell and Howell}}";
        assert_eq!(publisher(manual).as_deref(), Some("Bell and Howell"));
        let misc = "@misc{a, title = {T}, howpublished = {Zenodo}, organization = {CERN}, \
                    publisher = {P and Q}}";
        assert_eq!(publisher(misc).as_deref(), Some("CERN; Zenodo; P; Q"));
        let twice = "@report{a, title = {T}, institution = {Trial Chamber}, \
                     publisher = {Trial Chamber}}";
        assert_eq!(publisher(twice).as_deref(), Some("Trial Chamber"));
        let plain = "@book{a, title = {T}, publisher = {Penguin and Viking}}";
        assert_eq!(publisher(plain).as_deref(), Some("Penguin, Viking"));
    }

    #[test]
    fn an_issue_title_and_an_eprint_as_pandoc_reads_them() {
        let bib = "@article{a, author = {Poe, Bo}, title = {Paper}, journaltitle = {Journal}, \
                   issuetitle = {On Type}, volume = {7}, number = {2}, date = {2010}, \
                   pages = {5--10}}\n\
                   @article{b, author = {Qi, Wu}, title = {A Preprint}, eprint = {2101.00001}, \
                   eprinttype = {arxiv}, date = {2021}}\n\
                   @software{c, author = {Ko, Jin}, title = {Tool}, version = {1.2}, \
                   url = {https://example.org/tool}, date = {2020}}";
        // As citeproc prints them from pandoc's reading of the entries.
        assert_eq!(
            reference_list(bib, "apa"),
            [
                "Ko, J. (2020). Tool (Version 1.2) [Computer software]. https://example.org/tool",
                "Poe, B. (2010). Paper. Journal, 7(2), 5–10.",
                "Qi, W. (2021). A preprint. https://arxiv.org/abs/2101.00001",
            ]
        );
    }

    #[test]
    fn a_date_range_keeps_its_start() {
        let mut bibliography = parsed(
            "@inproceedings{a, title = {T}, date = {2011-01/2011-02}, \
             eventdate = {2010-12-30/2011-01-02}, urldate = {2020-05-01/}}",
        );
        let entry = bibliography.iter_mut().next().expect("an entry");
        assert_eq!(keep_range_starts(entry), ["date", "eventdate"]);
        let text = |field: &str| entry.fields[field].format_verbatim();
        assert_eq!(text("date"), "2011-01");
        assert_eq!(text("eventdate"), "2010-12-30");
        assert_eq!(text("urldate"), "2020-05-01/");
        let library = hayagriva::io::from_biblatex(&bibliography).expect("entries");
        let date = library.nth(0).and_then(Entry::date).expect("a date");
        assert_eq!((date.year, date.month), (2011, Some(0)));
    }

    #[test]
    fn a_thesis_is_named_as_pandoc_names_it() {
        let phd = "@phdthesis{a, title = {T}, institution = {U}}";
        assert_eq!(genre(phd).as_deref(), Some("PhD thesis"));
        let masters = "@mastersthesis{a, title = {T}, institution = {U}}";
        assert_eq!(genre(masters).as_deref(), Some("Master’s thesis"));
        let keyed = "@thesis{a, title = {T}, type = {mathesis}}";
        assert_eq!(genre(keyed).as_deref(), Some("Master’s thesis"));
        let report = "@report{a, title = {T}, type = {techreport}}";
        assert_eq!(genre(report).as_deref(), Some("technical report"));
        let patent = "@patent{a, title = {T}, type = {patentus}}";
        assert_eq!(genre(patent).as_deref(), Some("U.S. patent"));
        let written = "@phdthesis{a, title = {T}, type = {Habilitationsschrift}}";
        assert_eq!(genre(written).as_deref(), Some("Habilitationsschrift"));
        assert_eq!(genre("@thesis{a, title = {T}}"), None);
    }

    fn imported(bib: &str) -> Entry {
        let mut bibliography = parsed(bib);
        let mut taken = TakenOut::default();
        for entry in bibliography.iter_mut() {
            taken.take(entry);
        }
        let library = hayagriva::io::from_biblatex(&bibliography).expect("entries");
        let library = reshape(&library, &taken);
        library.nth(0).expect("an entry").clone()
    }

    /// The titles of `entry`'s parents, in order (`-` for a parent without a title).
    fn parent_titles(entry: &Entry) -> Vec<String> {
        let parents = entry.parents().iter();
        parents
            .map(|p| p.title().map_or("-".to_string(), |t| t.value.to_string()))
            .collect()
    }

    #[test]
    fn a_book_title_belongs_to_one_parent() {
        let chapter = imported("@incollection{a, title = {T}, booktitle = {Essays}}");
        assert_eq!(chapter.entry_type(), &EntryType::Anthos);
        assert_eq!(parent_titles(&chapter), ["-", "Essays"]);
        let paper = imported("@inproceedings{a, title = {T}, booktitle = {Proceedings}}");
        assert_eq!(paper.entry_type(), &EntryType::Article);
        assert_eq!(parent_titles(&paper), ["-", "Proceedings"]);
        assert_eq!(paper.parents()[0].entry_type(), &EntryType::Proceedings);
        let volume = "@incollection{a, title = {T}, booktitle = {B}, maintitle = {M}, volume = 2}";
        assert_eq!(parent_titles(&imported(volume)), ["B"]);
    }

    /// The reference list of `bib`, every entry cited, in `style`.
    fn reference_list(bib: &str, style: &str) -> Vec<String> {
        use super::super::test_book::{book, entries, options, run_with};
        let keys: Vec<String> = parsed(bib).iter().map(|e| format!("@{}", e.key)).collect();
        let citation = format!("[{}]", keys.join("; "));
        let book = book(&[citation.as_str()], &[], Some(("refs.bib", bib)));
        entries(&run_with(book, &options(style)))
    }

    #[test]
    fn the_book_keeps_its_author_and_volume() {
        let bib = "@incollection{v, author = {Jones, Mary}, title = {Scripts}, \
                   booktitle = {Essays on Scripts}, bookauthor = {Smith, Ann}, \
                   editor = {Clark, Peter}, volume = {3}, publisher = {CUP}, date = {2012}, \
                   pages = {1--5}}\n\
                   @inproceedings{p, author = {Park, Jin}, title = {Digital Type}, \
                   booktitle = {Proceedings of the Type Conference}, volume = {7}, \
                   publisher = {ATypI}, date = {2011}, pages = {1--10}}";
        // As citeproc prints them from pandoc's reading of the entries.
        assert_eq!(
            reference_list(bib, "apa"),
            [
                "Jones, M. (2012). Scripts. In A. Smith, Essays on scripts (Vol. 3, pp. 1–5). CUP.",
                "Park, J. (2011). Digital type. Proceedings of the Type Conference, 7, 1–10.",
            ]
        );
        assert_eq!(
            reference_list(bib, "chicago-author-date"),
            [
                "Jones, Mary. 2012. “Scripts.” In Essays on Scripts, by Ann Smith, vol. 3. Edited \
                 by Peter Clark. CUP.",
                "Park, Jin. 2011. “Digital Type.” Proceedings of the Type Conference 7: 1–10.",
            ]
        );
        assert_eq!(
            reference_list(bib, "mla"),
            [
                "Jones, Mary. “Scripts.” Essays on Scripts, by Ann Smith, edited by Peter Clark, \
                 vol. 3, CUP, 2012, pp. 1–5.",
                "Park, Jin. “Digital Type.” Proceedings of the Type Conference, vol. 7, 2011, \
                 pp. 1–10.",
            ]
        );
    }

    #[test]
    fn an_article_in_a_work_of_reference_prints_as_citeproc_prints_it() {
        let bib = "@inreference{r, author = {Jones, Mary}, title = {Scripts}, \
                   booktitle = {Encyclopedia of Writing}, editor = {Clark, Peter}, \
                   publisher = {CUP}, date = {2012}, pages = {1--5}}\n\
                   @bookinbook{b, author = {Shakespeare, William}, title = {Hamlet}, \
                   booktitle = {Complete Works}, publisher = {OUP}, date = {1990}}";
        // As citeproc prints them from pandoc's reading of the entries.
        assert_eq!(
            reference_list(bib, "chicago-author-date"),
            [
                "Jones, Mary. 2012. “Scripts.” In Encyclopedia of Writing, edited by Peter Clark. \
                 CUP.",
                "Shakespeare, William. 1990. “Hamlet.” In Complete Works. OUP.",
            ]
        );
        assert_eq!(
            reference_list(bib, "apa"),
            [
                "Jones, M. (2012). Scripts. In P. Clark (Ed.), Encyclopedia of writing (pp. 1–5). \
                 CUP.",
                "Shakespeare, W. (1990). Hamlet. In Complete works. OUP.",
            ]
        );
    }

    #[test]
    fn a_number_in_a_series_is_printed_with_the_series() {
        let bib = "@book{bk, author = {Knuth, Donald}, title = {Literate Programming}, \
                   series = {CSLI Lecture Notes}, number = {27}, publisher = {CSLI}, \
                   date = {1992}}\n\
                   @incollection{s, author = {Smith, Ann}, title = {Ink}, booktitle = {Essays}, \
                   editor = {Clark, Peter}, series = {Studies in Writing}, number = {4}, \
                   publisher = {CUP}, date = {2013}, pages = {3--9}}\n\
                   @inproceedings{e, author = {Park, Jin}, title = {Digital Type}, \
                   booktitle = {Proceedings of the Type Conference}, publisher = {ATypI}, \
                   date = {2011}, pages = {1--10}, series = {Lecture Notes}, number = {12}}";
        // As citeproc prints them from pandoc's reading of the entries.
        assert_eq!(
            reference_list(bib, "chicago-author-date"),
            [
                "Knuth, Donald. 1992. Literate Programming. CSLI Lecture Notes 27. CSLI.",
                "Park, Jin. 2011. “Digital Type.” Proceedings of the Type Conference, Lecture \
                 notes, 1–10.",
                "Smith, Ann. 2013. “Ink.” In Essays, edited by Peter Clark. Studies in Writing 4. \
                 CUP.",
            ]
        );
        assert_eq!(
            reference_list(bib, "mla"),
            [
                "Knuth, Donald. Literate Programming. CSLI, 1992. CSLI Lecture Notes 27.",
                "Park, Jin. “Digital Type.” Proceedings of the Type Conference, Lecture notes, \
                 2011, pp. 1–10.",
                "Smith, Ann. “Ink.” Essays, edited by Peter Clark, CUP, 2013, pp. 3–9. Studies in \
                 Writing 4.",
            ]
        );
    }

    #[test]
    fn the_original_edition_is_printed() {
        let bib = "@book{marx, author = {Marx, Karl}, title = {Capital}, \
                   translator = {Fowkes, Ben}, edition = {2}, publisher = {Penguin}, \
                   location = {London}, date = {1990}, origdate = {1867}}";
        // As citeproc prints it from pandoc's reading of the entry.
        assert_eq!(
            reference_list(bib, "apa"),
            [
                "Marx, K. (1990). Capital (B. Fowkes, Trans.; 2nd ed.). Penguin. (Original work \
              published 1867)"
            ]
        );
        let entry = imported(
            "@book{a, title = {T}, date = {1990}, origdate = {1867-05}, \
             origtitle = {Das Kapital}, origpublisher = {Meissner}, origlocation = {Hamburg}}",
        );
        let original = entry.parents().last().expect("the original");
        assert_eq!(original.entry_type(), &EntryType::Original);
        let date = original.date().expect("a date");
        assert_eq!((date.year, date.month), (1867, Some(4)));
        assert_eq!(parent_titles(&entry), ["Das Kapital"]);
        let publisher = original.publisher().expect("a publisher");
        let name = publisher.name().map(|n| n.value.to_string());
        let place = publisher.location().map(|l| l.value.to_string());
        assert_eq!(
            (name.as_deref(), place.as_deref()),
            (Some("Meissner"), Some("Hamburg"))
        );
    }

    #[test]
    fn family_names_keep_their_capitalised_first_words() {
        let entry = imported(
            "@book{a, author = {de La Fontaine, Jean and Van Dyke, Dick and van Gogh, Vincent}, \
             editor = {De La Cruz, Juan}, translator = {von Goethe, Johann Wolfgang}}",
        );
        let names = |persons: &[Person]| -> Vec<(String, Option<String>)> {
            let persons = persons.iter();
            persons
                .map(|p| (p.name.clone(), p.prefix.clone()))
                .collect()
        };
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            names(entry.authors().expect("authors")),
            [
                ("La\u{A0}Fontaine".to_string(), some("de")),
                ("Van\u{A0}Dyke".to_string(), None),
                ("Gogh".to_string(), some("van")),
            ]
        );
        assert_eq!(
            names(entry.editors().expect("editors")),
            [("De\u{A0}La\u{A0}Cruz".to_string(), None)]
        );
        let translators = &entry.affiliated().expect("a translator")[0].names;
        assert_eq!(names(translators), [("Goethe".to_string(), some("von"))]);
        assert!(entry.authors().expect("authors")[0]
            .name_particle()
            .is_none());
    }
}
