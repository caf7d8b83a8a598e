//! Merging files the person saved themselves ("drop-to-merge").
//!
//! When the page may not fetch the export files (their host sends no CORS headers and no
//! files proxy is configured), the person saves each file through its plain link and
//! drops the saved files on the card. [`LocalFiles`] keeps what was dropped, checks each
//! file against the request's [`DownloadPlan`] and merges the accepted ones with the same
//! [`Merger`] as "Download all": same formats, same de-duplication, same row counts.
//!
//! Which file is which, in order of evidence:
//! 1. **The name.** A saved file is named after the last segment of its URL (browsers may
//!    add `.json` or ` (1)`), so a name matching one of the request's file URLs is that
//!    file. A name containing a chunk's Clover export id belongs to that chunk.
//! 2. **The content.** Clover exports select objects by `createdTime` within the export's
//!    span, ends included. A file whose objects all fall inside one chunk's span belongs to
//!    that chunk; one with objects outside the request, or across two chunks, is from
//!    another export. A file of payments dropped on an orders request is refused.
//!
//! A file whose objects are all in a file already accepted is a duplicate; a chunk never
//! takes more files than Clover listed for it. Exported objects carry no merchant id, so
//! a file of another merchant covering the same days cannot be told apart by content: its
//! name, or the chunk's file count, is what catches it.

use std::collections::HashSet;

use serde_json::Value;

use super::download_plan::{span_text, DownloadPlan};
use super::merge::{FileStats, MergeOptions, Merger};
use super::model::{millis_from_value, ExportType};
use crate::Millis;

/// What was learnt from one file's body.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Facts {
    /// Objects in its `elements`.
    entries: usize,
    /// Their ids (a `HashSet<String>`, as the merger's: no new generic code in the wasm).
    ids: HashSet<String>,
    /// Earliest and latest `createdTime` among the objects that have one.
    created: Option<(Millis, Millis)>,
    /// Objects that look like orders / like payments.
    orders: usize,
    payments: usize,
}

#[derive(Clone, Debug)]
struct LocalFile {
    name: String,
    /// The body, kept for the merge (dropped for unreadable files).
    body: String,
    facts: Result<Facts, String>,
}

/// The files dropped so far, in the order they came. See the [module docs](self).
#[derive(Clone, Debug, Default)]
pub struct LocalFiles {
    files: Vec<LocalFile>,
}

/// Why a dropped file is left out of the merge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeftOut {
    /// Not an export file (not JSON, or no `elements`).
    Unreadable(String),
    /// Orders dropped on a payments request, or the other way round.
    OtherType(ExportType),
    /// Objects created outside this request's span: from another export.
    OtherExport {
        /// Earliest `createdTime` in the file.
        first: Millis,
        /// Latest `createdTime` in the file.
        last: Millis,
    },
    /// Objects in two chunks of this request: no export of this request made it.
    CrossesParts {
        /// Index of the chunk of the earliest object.
        from: usize,
        /// Index of the chunk of the latest object.
        to: usize,
    },
    /// Its objects belong to a chunk that has no files (failed, cancelled, running).
    PartNotDone {
        /// The chunk's index in the plan.
        part: usize,
    },
    /// Every object in it is already in an accepted file (arrival position of that file).
    Duplicate {
        /// Position of that file in [`LocalFiles`].
        of: usize,
    },
    /// The chunk already has as many files as Clover listed for it.
    TooMany {
        /// The chunk's index in the plan.
        part: usize,
    },
    /// No object has a `createdTime` and the name matches no file of this request.
    Unidentified,
}

/// The verdict on one dropped file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Merged, as a file of `part` (its file `number` when the name told which).
    Accepted {
        /// The chunk's index in the plan.
        part: usize,
        /// 0-based file number within the chunk, when known.
        number: Option<usize>,
    },
    /// Not merged, and why.
    LeftOut(LeftOut),
}

/// One dropped file and its verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileCheck {
    /// The file's name as dropped.
    pub name: String,
    /// Objects in it (0 when unreadable).
    pub entries: usize,
    /// The verdict.
    pub verdict: Verdict,
}

/// How one chunk's files stand.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartCheck {
    /// Files Clover listed for it (0 when it has none, or no files at all yet).
    pub expected: usize,
    /// Accepted files of it.
    pub received: usize,
    /// File numbers (0-based) still missing, when every accepted file was identified by
    /// name; otherwise only the count is known.
    pub missing_numbers: Option<Vec<usize>>,
}

/// The check of every dropped file against a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// One per dropped file, in the order they came.
    pub files: Vec<FileCheck>,
    /// One per chunk of the plan.
    pub parts: Vec<PartCheck>,
    /// Whether every chunk has files and all of them are here.
    pub complete: bool,
    /// Files accepted.
    pub accepted: usize,
}

impl LocalFiles {
    /// No files yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of files dropped (accepted or not).
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Nothing dropped yet.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Adds a dropped file. Its body is read once here; the merge reads it again.
    pub fn add(&mut self, name: &str, body: String) {
        let facts = facts(&body);
        let body = if facts.is_ok() { body } else { String::new() };
        self.files.push(LocalFile {
            name: name.to_string(),
            body,
            facts,
        });
    }

    /// Forgets every file.
    pub fn clear(&mut self) {
        self.files.clear();
    }

    /// Checks every file against `plan` (cheap: the bodies were read on `add`).
    pub fn check(&self, plan: &DownloadPlan) -> Check {
        let mut parts: Vec<PartCheck> = plan
            .parts
            .iter()
            .map(|p| PartCheck {
                expected: if p.state.has_files() { p.urls.len() } else { 0 },
                ..Default::default()
            })
            .collect();
        // File slots taken by name, per part.
        let mut named: Vec<Vec<bool>> = plan
            .parts
            .iter()
            .map(|p| vec![false; p.urls.len()])
            .collect();
        let mut anonymous = vec![0usize; plan.parts.len()];
        let mut accepted_at: Vec<usize> = Vec::new();
        let mut files = Vec::with_capacity(self.files.len());
        for (pos, file) in self.files.iter().enumerate() {
            let verdict = self.judge(pos, file, plan, &parts, &named, &accepted_at);
            if let Verdict::Accepted { part, number } = verdict {
                parts[part].received += 1;
                match number {
                    Some(n) => {
                        if let Some(slot) = named[part].get_mut(n) {
                            *slot = true;
                        }
                    }
                    None => anonymous[part] += 1,
                }
                accepted_at.push(pos);
            }
            files.push(FileCheck {
                name: file.name.clone(),
                entries: file.facts.as_ref().map(|f| f.entries).unwrap_or(0),
                verdict,
            });
        }
        for (i, p) in parts.iter_mut().enumerate() {
            p.missing_numbers = (anonymous[i] == 0).then(|| {
                (0..p.expected)
                    .filter(|&n| !named[i].get(n).copied().unwrap_or(false))
                    .collect()
            });
        }
        let complete = plan.total() > 0
            && plan
                .parts
                .iter()
                .zip(&parts)
                .all(|(plan_part, p)| plan_part.state.has_files() && p.received >= p.expected);
        Check {
            accepted: accepted_at.len(),
            files,
            parts,
            complete,
        }
    }

    fn judge(
        &self,
        pos: usize,
        file: &LocalFile,
        plan: &DownloadPlan,
        parts: &[PartCheck],
        named: &[Vec<bool>],
        accepted: &[usize],
    ) -> Verdict {
        let facts = match &file.facts {
            Ok(f) => f,
            Err(why) => return Verdict::LeftOut(LeftOut::Unreadable(why.clone())),
        };
        let other = match plan.export_type {
            ExportType::Orders => {
                (facts.payments > 0 && facts.orders == 0).then_some(ExportType::Payments)
            }
            ExportType::Payments => {
                (facts.orders > 0 && facts.payments == 0).then_some(ExportType::Orders)
            }
        };
        if let Some(t) = other {
            return Verdict::LeftOut(LeftOut::OtherType(t));
        }
        let duplicate = || {
            accepted.iter().copied().find(|&earlier| {
                earlier != pos
                    && !facts.ids.is_empty()
                    && self.files[earlier]
                        .facts
                        .as_ref()
                        .is_ok_and(|f| facts.ids.iter().all(|id| f.ids.contains(id)))
            })
        };
        let (part, number) = match by_name(&file.name, plan) {
            Some((part, Some(n))) if named[part].get(n).copied().unwrap_or(false) => {
                // The same file again: name it after the copy already taken.
                let of = accepted
                    .iter()
                    .copied()
                    .find(|&a| by_name(&self.files[a].name, plan) == Some((part, Some(n))))
                    .unwrap_or(pos);
                return Verdict::LeftOut(LeftOut::Duplicate { of });
            }
            Some(found) => found,
            None => {
                let Some((first, last)) = facts.created else {
                    return Verdict::LeftOut(LeftOut::Unidentified);
                };
                let find = |t: Millis| plan.parts.iter().position(|p| p.span.contains(t));
                match (find(first), find(last)) {
                    (Some(a), Some(b)) if a == b => (a, None),
                    (Some(from), Some(to)) => {
                        return Verdict::LeftOut(LeftOut::CrossesParts { from, to })
                    }
                    _ => return Verdict::LeftOut(LeftOut::OtherExport { first, last }),
                }
            }
        };
        if !plan.parts[part].state.has_files() {
            return Verdict::LeftOut(LeftOut::PartNotDone { part });
        }
        if let Some(of) = duplicate() {
            return Verdict::LeftOut(LeftOut::Duplicate { of });
        }
        if number.is_none() && parts[part].received >= parts[part].expected {
            return Verdict::LeftOut(LeftOut::TooMany { part });
        }
        Verdict::Accepted { part, number }
    }

    /// Merges the accepted files of `check` (from [`check`](Self::check) with the same
    /// plan) in chunk order, then by their earliest object. Returns the merged bytes and
    /// the merger's totals.
    pub fn merge(
        &self,
        check: &Check,
        options: MergeOptions,
    ) -> Result<(Vec<u8>, FileStats), String> {
        let mut order: Vec<(usize, Millis, usize, usize)> = check
            .files
            .iter()
            .enumerate()
            .filter_map(|(pos, c)| match c.verdict {
                Verdict::Accepted { part, number } => {
                    let first = self.files[pos]
                        .facts
                        .as_ref()
                        .ok()
                        .and_then(|f| f.created)
                        .map_or(Millis::MIN, |(first, _)| first);
                    Some((part, first, number.unwrap_or(usize::MAX), pos))
                }
                Verdict::LeftOut(_) => None,
            })
            .collect();
        // Few files: an insertion sort (`slice::sort` would add ~8 KB of generic code to
        // the wasm).
        for i in 1..order.len() {
            let mut j = i;
            while j > 0 && order[j - 1] > order[j] {
                order.swap(j - 1, j);
                j -= 1;
            }
        }
        let mut merger = Merger::new(options);
        for (index, &(_, _, _, pos)) in order.iter().enumerate() {
            let file = &self.files[pos];
            merger
                .add_file(index, &file.body)
                .map_err(|e| format!("“{}” could not be merged: {e}", file.name))?;
        }
        let stats = merger.totals();
        Ok((merger.finish(), stats))
    }
}

impl FileCheck {
    /// What happened to this file, in words: "export 2 of 3, file 1 of 2: 1000 orders" or
    /// "left out: …".
    pub fn text(&self, plan: &DownloadPlan, files: &[FileCheck]) -> String {
        let total = plan.total();
        let noun = plan.export_type.slug();
        let part_name = |i: usize| plan.parts.get(i).map(|p| p.name(total)).unwrap_or_default();
        match &self.verdict {
            Verdict::Accepted { part, number } => {
                let file = match (number, plan.parts.get(*part)) {
                    (Some(n), Some(p)) => format!(", file {} of {}", n + 1, p.urls.len()),
                    _ => String::new(),
                };
                format!("{}{file}: {} {noun}", cap(&part_name(*part)), self.entries)
            }
            Verdict::LeftOut(why) => {
                let why = match why {
                    LeftOut::Unreadable(e) => format!("it is not a Clover export file ({e})"),
                    LeftOut::OtherType(t) => format!(
                        "it holds {}, and this request is for {noun}",
                        t.slug()
                    ),
                    LeftOut::OtherExport { first, last } => format!(
                        "it is from another export: its {noun} were created {}, outside this request ({})",
                        span_text(crate::range::TimeSpan {
                            start: *first,
                            end: *last
                        }),
                        span_text(plan.span)
                    ),
                    LeftOut::CrossesParts { from, to } => format!(
                        "it is from another export: its {noun} run from {} into {} of this request",
                        part_name(*from),
                        part_name(*to)
                    ),
                    LeftOut::PartNotDone { part } => format!(
                        "its {noun} belong to {}, which has no files ({})",
                        part_name(*part),
                        plan.parts[*part].state.words()
                    ),
                    LeftOut::Duplicate { of } => match files.get(*of) {
                        Some(f) if f.name != self.name => {
                            format!("every one of its {noun} is already in “{}”", f.name)
                        }
                        _ => "it was added already".to_string(),
                    },
                    LeftOut::TooMany { part } => format!(
                        "{} has {} file(s), and all of them are here already",
                        part_name(*part),
                        plan.parts[*part].urls.len()
                    ),
                    LeftOut::Unidentified => format!(
                        "nothing in it shows that it belongs to this request (no {noun} with a createdTime, and its name matches none of its files)"
                    ),
                };
                format!("Left out: {why}.")
            }
        }
    }
}

impl Check {
    /// One line per chunk still missing files: "2026-… UTC (export 2 of 3): 1 of 2 files
    /// missing", or for a chunk without files its state.
    pub fn missing_lines(&self, plan: &DownloadPlan) -> Vec<String> {
        let total = plan.total();
        plan.parts
            .iter()
            .zip(&self.parts)
            .filter_map(|(p, c)| {
                let head = format!("{} ({})", p.span_text(), p.name(total));
                if !p.state.has_files() {
                    return Some(format!("{head}: no files ({})", p.state.words()));
                }
                if c.received >= c.expected {
                    return None;
                }
                let what = match &c.missing_numbers {
                    Some(numbers) if !numbers.is_empty() => {
                        let list: Vec<String> =
                            numbers.iter().map(|n| (n + 1).to_string()).collect();
                        let files = if numbers.len() == 1 { "file" } else { "files" };
                        format!("{files} {} of {} missing", list.join(", "), c.expected)
                    }
                    _ => format!(
                        "{} of {} files missing",
                        c.expected - c.received,
                        c.expected
                    ),
                };
                Some(format!("{head}: {what}"))
            })
            .collect()
    }
}

/// ASCII only: the texts are ours, and Unicode case tables would cost ~10 KB of wasm.
fn cap(s: &str) -> String {
    let mut out = s.to_string();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

/// Reads what the check needs from an export file: the same shapes the [`Merger`]
/// accepts (`{"elements":[…]}`, a single object as `elements`, or a bare array).
fn facts(body: &str) -> Result<Facts, String> {
    let v: Value = serde_json::from_str(body.trim_start_matches('\u{feff}'))
        .map_err(|e| format!("not valid JSON: {e}"))?;
    let elements = match v {
        Value::Object(mut m) => match m.remove("elements") {
            Some(Value::Array(a)) => a,
            Some(o @ Value::Object(_)) => vec![o],
            Some(Value::Null) => Vec::new(),
            _ => return Err("no \"elements\" list".into()),
        },
        Value::Array(a) => a,
        _ => return Err("no \"elements\" list".into()),
    };
    let mut f = Facts {
        entries: elements.len(),
        ids: HashSet::with_capacity(elements.len()),
        created: None,
        orders: 0,
        payments: 0,
    };
    for el in &elements {
        let Value::Object(o) = el else { continue };
        match o.get("id") {
            Some(Value::String(s)) if !s.trim().is_empty() => {
                f.ids.insert(s.trim().to_string());
            }
            Some(Value::Number(n)) => {
                f.ids.insert(n.to_string());
            }
            _ => {}
        }
        if let Some(t) = o.get("createdTime").and_then(millis_from_value) {
            f.created = Some(match f.created {
                None => (t, t),
                Some((a, b)) => (a.min(t), b.max(t)),
            });
        }
        // Orders carry a total and states; payments an amount, a tender and their order.
        let order_like = ["total", "paymentState", "payType"]
            .iter()
            .any(|k| o.contains_key(*k));
        let payment_like = ["amount", "tender", "order"]
            .iter()
            .any(|k| o.contains_key(*k));
        if order_like && !payment_like {
            f.orders += 1;
        } else if payment_like && !order_like {
            f.payments += 1;
        }
    }
    Ok(f)
}

/// The chunk (and file number, when the name is a file URL's last segment) a saved
/// file's name points to.
fn by_name(name: &str, plan: &DownloadPlan) -> Option<(usize, Option<usize>)> {
    let saved = normalise(name);
    if saved.is_empty() {
        return None;
    }
    for (i, p) in plan.parts.iter().enumerate() {
        if let Some(n) = p
            .urls
            .iter()
            .position(|u| normalise(last_segment(u)) == saved)
        {
            return Some((i, Some(n)));
        }
    }
    let lower = name.to_ascii_lowercase();
    plan.parts
        .iter()
        .position(|p| {
            p.export_id
                .as_deref()
                .is_some_and(|id| id.len() >= 8 && lower.contains(&id.to_ascii_lowercase()))
        })
        .map(|i| (i, None))
}

/// The last path segment of a URL (query and fragment dropped).
fn last_segment(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or("");
    path.rsplit('/').next().unwrap_or("")
}

/// A file name as browsers save it, back to the URL segment it came from: folders,
/// a copy number (` (1)`, `(1)`), a `.json`/`.txt` extension and case are dropped,
/// percent escapes decoded.
fn normalise(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let mut s = percent_decode(base).to_ascii_lowercase();
    for ext in [".json", ".txt"] {
        if let Some(stem) = s.strip_suffix(ext) {
            s = stem.to_string();
            break;
        }
    }
    let trimmed = s.trim_end();
    if let Some(open) = trimmed.rfind('(') {
        let inside = &trimmed[open + 1..];
        if let Some(digits) = inside.strip_suffix(')') {
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                s = trimmed[..open].trim_end().to_string();
            }
        }
    }
    for ext in [".json", ".txt"] {
        if let Some(stem) = s.strip_suffix(ext) {
            s = stem.to_string();
        }
    }
    s
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_browsers_save_them() {
        assert_eq!(normalise("abc123.json"), "abc123");
        assert_eq!(
            normalise("C:\\Users\\me\\Downloads\\ABC123 (2).json"),
            "abc123"
        );
        assert_eq!(normalise("abc123(1).json"), "abc123");
        assert_eq!(normalise("abc123.json (1)"), "abc123");
        assert_eq!(normalise("a%20b"), "a b");
        assert_eq!(normalise("report (final)"), "report (final)");
        assert_eq!(last_segment("https://h/x/y/tok?sig=1#f"), "tok");
    }
}
