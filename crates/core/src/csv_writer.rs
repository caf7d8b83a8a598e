//! The one CSV writer of every file the app saves (the purchases table and the merged
//! Clover export): RFC 4180 records, the same options, line endings and cell rules for
//! both.
//!
//! * Records end with CRLF (RFC 4180, what Excel writes). A field is quoted when it holds
//!   the delimiter, a quote, CR or LF, its quotes doubled.
//! * [`CsvStyle`]: `bom` starts the file with a UTF-8 byte order mark (Excel needs it to
//!   read UTF-8); `semicolon` uses `;` between fields and a decimal comma in amounts, as
//!   Excel expects where `,` is the decimal mark.
//! * Cells are typed ([`Cell`]). Amounts are written as plain decimal numbers (a negative
//!   amount is a number, not a formula). Every text cell that a spreadsheet would run as
//!   a formula (see [`is_formula_like`]) is prefixed with `'`, so a hostile title or note
//!   stays text. There is no way to write unchecked text: a value that cannot be written
//!   as a number goes out as text, checked like any other.
//!
//! Why not the `csv` crate: writing is all we need, and its writer links Rust's float
//! parser with its tables (about 10 KB of gzipped wasm). The tests read our output back
//! with the `csv` crate's reader.

/// File-level options shared by every CSV the app writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CsvStyle {
    /// Start the file with a UTF-8 byte order mark.
    pub bom: bool,
    /// `;` separator and decimal comma instead of `,` and decimal point.
    pub semicolon: bool,
}

impl CsvStyle {
    /// The field separator.
    pub fn delimiter(self) -> u8 {
        if self.semicolon {
            b';'
        } else {
            b','
        }
    }

    /// The decimal mark of amounts.
    pub fn decimal_mark(self) -> char {
        if self.semicolon {
            ','
        } else {
            '.'
        }
    }
}

/// The end of every record.
pub const LINE_END: &[u8] = b"\r\n";

/// The UTF-8 byte order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One field of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell<'a> {
    /// Text, neutralised when it looks like a formula.
    Text(&'a str),
    /// An amount in minor units, written with two decimals: `-1234` -> `-12.34`.
    Cents(i64),
}

/// Whether a spreadsheet would read `text` as a formula (or a command): it starts with
/// `=`, `+`, `-` or `@` (also after leading spaces, or in their full-width forms, which
/// some spreadsheets accept too), or with a tab, CR or LF.
pub fn is_formula_like(text: &str) -> bool {
    if text.starts_with(['\t', '\r', '\n']) {
        return true;
    }
    text.trim_start_matches(' ').starts_with([
        '=', '+', '-', '@', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
    ])
}

/// Appends records to a byte buffer.
pub struct CsvWriter {
    out: Vec<u8>,
    style: CsvStyle,
    /// Reused for each amount.
    number: String,
}

impl CsvWriter {
    /// A whole file: starts with the BOM when the style asks for one.
    pub fn new(style: CsvStyle) -> Self {
        let mut w = Self::fragment(style);
        if style.bom {
            w.out.extend_from_slice(BOM);
        }
        w
    }

    /// Records to be appended to a file later (see [`append`](Self::append)): no BOM.
    pub fn fragment(style: CsvStyle) -> Self {
        Self {
            out: Vec::new(),
            style,
            number: String::new(),
        }
    }

    /// The style the writer was made with.
    pub fn style(&self) -> CsvStyle {
        self.style
    }

    /// A header record: every name is a text cell.
    pub fn header(&mut self, names: &[&str]) {
        let start = self.out.len();
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                self.out.push(self.style.delimiter());
            }
            self.text(name);
        }
        self.end(start, names.len());
    }

    /// One record. A record of one empty field is written as `""` so that it is not read
    /// as a blank line.
    pub fn record(&mut self, cells: &[Cell<'_>]) {
        let start = self.out.len();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.out.push(self.style.delimiter());
            }
            match *cell {
                Cell::Text(text) => self.text(text),
                Cell::Cents(cents) => {
                    self.number.clear();
                    push_cents(&mut self.number, cents.into(), self.style.decimal_mark());
                    self.out.extend_from_slice(self.number.as_bytes());
                }
            }
        }
        self.end(start, cells.len());
    }

    /// Appends the bytes of a [`fragment`](Self::fragment) written with the same style.
    pub fn append(&mut self, fragment: &[u8]) {
        self.out.extend_from_slice(fragment);
    }

    /// The bytes written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }

    fn end(&mut self, start: usize, fields: usize) {
        if fields == 1 && self.out.len() == start {
            self.out.extend_from_slice(b"\"\"");
        }
        self.out.extend_from_slice(LINE_END);
    }

    fn text(&mut self, text: &str) {
        let delimiter = self.style.delimiter();
        let neutralise = is_formula_like(text);
        let bytes = text.as_bytes();
        if bytes
            .iter()
            .any(|&b| b == delimiter || matches!(b, b'"' | b'\r' | b'\n'))
        {
            self.out.push(b'"');
            if neutralise {
                self.out.push(b'\'');
            }
            for &b in bytes {
                if b == b'"' {
                    self.out.push(b'"');
                }
                self.out.push(b);
            }
            self.out.push(b'"');
        } else {
            if neutralise {
                self.out.push(b'\'');
            }
            self.out.extend_from_slice(bytes);
        }
    }
}

/// Minor units as a decimal amount with two digits and `mark` as the decimal mark:
/// `1234` -> `"12.34"`, `-5` -> `"-0.05"`. Integer math only, no thousands separator;
/// exact for every `i128`.
pub fn format_cents(cents: i128, mark: char) -> String {
    let mut out = String::new();
    push_cents(&mut out, cents, mark);
    out
}

fn push_cents(out: &mut String, cents: i128, mark: char) {
    use std::fmt::Write as _;
    let abs = cents.unsigned_abs();
    let sign = if cents < 0 { "-" } else { "" };
    let _ = write!(out, "{sign}{}{mark}{:02}", abs / 100, abs % 100);
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: CsvStyle = CsvStyle {
        bom: false,
        semicolon: false,
    };

    fn write(records: &[&[Cell]], style: CsvStyle) -> String {
        let mut w = CsvWriter::new(style);
        for r in records {
            w.record(r);
        }
        String::from_utf8(w.into_bytes()).unwrap()
    }

    use Cell::{Cents, Text};

    #[test]
    fn quotes_only_what_needs_it() {
        let out = write(
            &[
                &[Text("a"), Text("b c"), Text("")],
                &[
                    Text("x,y"),
                    Text("say \"hi\""),
                    Text("two\nlines"),
                    Text("cr\r"),
                ],
            ],
            PLAIN,
        );
        assert_eq!(
            out,
            "a,b c,\r\n\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\"\r\n"
        );
    }

    #[test]
    fn semicolon_style_bom_and_decimal_comma() {
        let style = CsvStyle {
            bom: true,
            semicolon: true,
        };
        let out = write(&[&[Text("1,5"), Text("a;b"), Cents(-12345)]], style);
        assert_eq!(out, "\u{feff}1,5;\"a;b\";-123,45\r\n");
    }

    #[test]
    fn a_lone_empty_field_is_not_a_blank_line() {
        assert_eq!(
            write(&[&[Text("")], &[Text(""), Text("")]], PLAIN),
            "\"\"\r\n,\r\n"
        );
    }

    #[test]
    fn formulas_become_text_and_amounts_stay_numbers() {
        let out = write(
            &[&[
                Text("=HYPERLINK(\"http://x\",\"y\")"),
                Text("+1"),
                Text("-2"),
                Text("@SUM(A1)"),
                Text("\tx"),
                Text("\rx"),
                Text("  =1"),
                Text("\u{FF1D}1"),
                Text("a=b"),
                Cents(-500),
                Cents(i64::MIN),
            ]],
            PLAIN,
        );
        assert_eq!(
            out,
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'+1,'-2,'@SUM(A1),'\tx,\"'\rx\",'  =1,'\u{FF1D}1,a=b,-5.00,-92233720368547758.08\r\n"
        );
    }

    #[test]
    fn cents_are_exact_at_the_limits() {
        assert_eq!(format_cents(0, '.'), "0.00");
        assert_eq!(format_cents(-5, ','), "-0,05");
        assert_eq!(format_cents(-100, '.'), "-1.00");
        assert_eq!(format_cents(i64::MAX.into(), '.'), "92233720368547758.07");
        assert_eq!(
            format_cents(i128::MIN, '.'),
            "-1701411834604692317316873037158841057.28"
        );
    }

    #[test]
    fn the_csv_crate_reads_back_every_field() {
        let fields = [
            "plain",
            "",
            "comma,inside",
            "semi;colon",
            "\"quoted\"",
            "new\nline",
            "crlf\r\nend",
            " spaces ",
            "ünïcödé €",
        ];
        for semicolon in [false, true] {
            let style = CsvStyle {
                bom: false,
                semicolon,
            };
            let mut w = CsvWriter::new(style);
            let cells: Vec<Cell> = fields.iter().map(|f| Text(f)).collect();
            w.record(&cells);
            w.header(&fields);
            let bytes = w.into_bytes();
            let mut r = csv::ReaderBuilder::new()
                .delimiter(style.delimiter())
                .has_headers(false)
                .from_reader(bytes.as_slice());
            let rows: Vec<Vec<String>> = r
                .records()
                .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
                .collect();
            assert_eq!(rows.len(), 2);
            assert_eq!(rows[0], fields);
            assert_eq!(rows[1], fields);
        }
    }
}
