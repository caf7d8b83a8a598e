//! Writing CSV records (RFC 4180), for the purchases table and the merged export files.
//!
//! Why not the `csv` crate: writing is all we need, and its writer links Rust's
//! float parser with its tables (it checks for numeric fields at run time, for a quoting
//! style we never use): about 10 KB of gzipped wasm for these few lines. The tests read
//! our output back with the `csv` crate's reader.

/// Appends records to a byte buffer.
pub struct CsvWriter {
    out: Vec<u8>,
    delimiter: u8,
    terminator: &'static [u8],
}

impl CsvWriter {
    /// Writes after what `out` already holds (a byte-order mark, say). `crlf` ends records
    /// with `\r\n` (RFC 4180, what Excel writes), otherwise `\n`.
    pub fn new(out: Vec<u8>, delimiter: u8, crlf: bool) -> Self {
        Self {
            out,
            delimiter,
            terminator: if crlf { b"\r\n" } else { b"\n" },
        }
    }

    /// One record. A field is quoted when it holds the delimiter, a quote, CR or LF (its
    /// quotes doubled), and a record of one empty field is written as `""` so that it is
    /// not read as a blank line.
    pub fn record<I, S>(&mut self, fields: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let start = self.out.len();
        let mut count = 0;
        for field in fields {
            if count > 0 {
                self.out.push(self.delimiter);
            }
            count += 1;
            let field = field.as_ref().as_bytes();
            let delimiter = self.delimiter;
            if field
                .iter()
                .any(|&b| b == delimiter || matches!(b, b'"' | b'\r' | b'\n'))
            {
                self.out.push(b'"');
                for &b in field {
                    if b == b'"' {
                        self.out.push(b'"');
                    }
                    self.out.push(b);
                }
                self.out.push(b'"');
            } else {
                self.out.extend_from_slice(field);
            }
        }
        if count == 1 && self.out.len() == start {
            self.out.extend_from_slice(b"\"\"");
        }
        self.out.extend_from_slice(self.terminator);
    }

    /// The bytes written so far, including what the buffer held at the start.
    pub fn into_inner(self) -> Vec<u8> {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(records: &[&[&str]], delimiter: u8, crlf: bool) -> String {
        let mut w = CsvWriter::new(Vec::new(), delimiter, crlf);
        for r in records {
            w.record(r.iter());
        }
        String::from_utf8(w.into_inner()).unwrap()
    }

    #[test]
    fn quotes_only_what_needs_it() {
        let out = write(
            &[
                &["a", "b c", ""],
                &["x,y", "say \"hi\"", "two\nlines", "cr\r"],
            ],
            b',',
            false,
        );
        assert_eq!(
            out,
            "a,b c,\n\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\"\n"
        );
    }

    #[test]
    fn semicolon_delimiter_and_crlf() {
        let out = write(&[&["1,5", "a;b", "ok"]], b';', true);
        assert_eq!(out, "1,5;\"a;b\";ok\r\n");
    }

    #[test]
    fn a_lone_empty_field_is_not_a_blank_line() {
        assert_eq!(write(&[&[""], &["", ""]], b',', false), "\"\"\n,\n");
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
        for (delimiter, crlf) in [(b',', false), (b';', true)] {
            let mut w = CsvWriter::new(Vec::new(), delimiter, crlf);
            w.record(fields.iter());
            w.record(fields.iter().rev());
            let bytes = w.into_inner();
            let mut r = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .has_headers(false)
                .from_reader(bytes.as_slice());
            let rows: Vec<Vec<String>> = r
                .records()
                .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
                .collect();
            assert_eq!(rows.len(), 2);
            assert_eq!(rows[0], fields);
            assert_eq!(rows[1], fields.iter().rev().copied().collect::<Vec<_>>());
        }
    }
}
