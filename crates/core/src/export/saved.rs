//! The saved export queue: reading it (the JSON that this version or an older one wrote)
//! from a parsed `serde_json::Value`, and writing it as JSON text (see "writing" below).
//!
//! Why not the serde derive: `Deserialize` on these twenty types, instantiated for
//! `serde_json`'s reader, was about 57 KB of wasm (19 KB gzip): a map and a sequence
//! visitor per struct, one per `Option`, one per enum. The app parses JSON into `Value`
//! anyway (Clover's answers), and walking a `Value` by hand is a fraction of that.
//!
//! It accepts what the derive accepted from a saved queue, with the same defaults: an
//! `Option` field may be missing or null, `#[serde(default)]` fields may be missing,
//! unknown fields are ignored, a wrong type or an unknown variant is an error. The
//! derived `Deserialize` stays the reference: the tests check that both read every
//! queue the same way (`tests/export_saved.rs` and the property tests).

use serde_json::{Map, Value};

use super::hours::{ServiceHours, WeekdaySet, Window};
use super::job::{
    ExportJob, ExportRequest, JobState, MerchantState, RangeLabel, StopReason, SuspectedOrphan,
};
use super::model::ExportType;
use super::policy::{JitterRng, RetryState, Wait, WaitReason};
use super::poll::{PollState, ProgressMark, RateAnchor};
use super::queue::ExportQueue;
use crate::civil::ymd;
use crate::credentials::CredentialSource;
use crate::range::{parse_date, DateRange, TimeSpan};
use crate::Millis;

/// `None`: the document is not a queue this version reads. No reason is kept: the app
/// starts empty either way, and an error text per field was kilobytes of wasm.
type R<T> = Option<T>;

/// One JSON object's fields.
#[derive(Clone, Copy)]
struct Obj<'a>(&'a Map<String, Value>);

fn obj(v: &Value) -> R<Obj<'_>> {
    v.as_object().map(Obj)
}

impl<'a> Obj<'a> {
    fn field(self, key: &str) -> R<&'a Value> {
        self.0.get(key)
    }

    /// A field that must be there (and not null).
    fn req<T>(self, key: &str, read: fn(&Value) -> Option<T>) -> R<T> {
        self.0.get(key).and_then(read)
    }

    /// An `Option` field: missing or null is `None`.
    fn opt<T>(self, key: &str, read: fn(&Value) -> Option<T>) -> R<Option<T>> {
        match self.0.get(key) {
            None | Some(Value::Null) => Some(None),
            Some(v) => read(v).map(Some),
        }
    }

    /// A `#[serde(default)]` field: missing is the default.
    fn or_default<T: Default>(self, key: &str, read: fn(&Value) -> Option<T>) -> R<T> {
        match self.0.get(key) {
            None => Some(T::default()),
            Some(v) => read(v),
        }
    }

    /// A field read by a function that can say what was wrong inside it.
    fn nested<T>(self, key: &str, read: fn(&Value) -> R<T>) -> R<T> {
        read(self.field(key)?)
    }

    // Typed shorthands.
    fn ms(self, key: &str) -> R<i64> {
        self.req(key, millis)
    }

    fn opt_ms(self, key: &str) -> R<Option<i64>> {
        self.opt(key, millis)
    }

    fn text(self, key: &str) -> R<String> {
        self.req(key, string)
    }

    fn opt_text(self, key: &str) -> R<Option<String>> {
        self.opt(key, string)
    }

    fn id(self, key: &str) -> R<u64> {
        self.req(key, num)
    }

    fn opt_nested<T>(self, key: &str, read: fn(&Value) -> R<T>) -> R<Option<T>> {
        match self.0.get(key) {
            None | Some(Value::Null) => Some(None),
            Some(v) => read(v).map(Some),
        }
    }
}

/// A time (or any signed number): what serde reads as an `i64`.
fn millis(v: &Value) -> Option<i64> {
    v.as_i64()
}

/// An unsigned number in `T`'s range.
fn num<T: TryFrom<u64>>(v: &Value) -> Option<T> {
    T::try_from(v.as_u64()?).ok()
}

fn string(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn boolean(v: &Value) -> Option<bool> {
    v.as_bool()
}

fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array()?.iter().map(string).collect()
}

fn list<T>(v: &Value, read: fn(&Value) -> R<T>) -> R<Vec<T>> {
    v.as_array()?.iter().map(read).collect()
}

/// An externally tagged enum value: `"Name"` (a unit variant; `{"Name": null}` too) or
/// `{"Name": {fields}}`.
fn variant(v: &Value) -> R<(&str, Option<Obj<'_>>)> {
    match v {
        Value::String(name) => Some((name, None)),
        Value::Object(m) if m.len() == 1 => {
            let (name, inner) = m.iter().next()?;
            match inner {
                Value::Null => Some((name, None)),
                inner => Some((name, Some(obj(inner)?))),
            }
        }
        _ => None,
    }
}

// Saving and loading are this module's: the queue itself does not know its format.
impl ExportQueue {
    /// Reads a persisted queue (this module: the same format as the derived
    /// `Deserialize`, in far less wasm) and calls [`resume_after_reload`](Self::resume_after_reload).
    pub fn from_json(json: &str, now: Millis) -> Result<Self, String> {
        let mut q =
            read_queue(json)?.ok_or("the saved exports are not in a form this version reads")?;
        q.resume_after_reload(now);
        Ok(q)
    }

    /// The queue as saved (this module: the JSON the derived `Serialize` writes, in
    /// far less wasm); [`from_json`](Self::from_json) reads it back.
    pub fn to_json(&self) -> String {
        write_queue(self)
    }
}

/// Reads the whole queue (its configuration is this version's; nothing is in flight).
/// `Err` for text that is not JSON (serde_json's reason), `None` for JSON that is not a
/// saved queue.
fn read_queue(json: &str) -> Result<Option<ExportQueue>, String> {
    let v: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    Ok(queue(&v))
}

fn queue(v: &Value) -> R<ExportQueue> {
    let o = obj(v)?;
    let mut q = ExportQueue::new(0);
    let rng = o.nested("rng", |v| obj(v)?.id("state"))?;
    q.rng = JitterRng::from_state(rng);
    q.next_id = o.id("next_id")?;
    q.next_op = o.id("next_op")?;
    q.requests = o.nested("requests", |v| list(v, request))?;
    let merchants = obj(o.field("merchants")?)?;
    for (name, m) in merchants.0 {
        q.merchants.insert(name.clone(), merchant(m)?);
    }
    Some(q)
}

fn merchant(v: &Value) -> R<MerchantState> {
    let o = obj(v)?;
    Some(MerchantState {
        stopped: o.opt_nested("stopped", stop_reason)?,
        last_request_at: o.opt_ms("last_request_at")?,
    })
}

fn stop_reason(v: &Value) -> R<StopReason> {
    match variant(v)? {
        ("MissingCredentials", None) => Some(StopReason::MissingCredentials),
        ("NeedsCredentials", o) => Some(StopReason::NeedsCredentials {
            status: o?.req("status", num)?,
        }),
        _ => None,
    }
}

fn span(v: &Value) -> R<TimeSpan> {
    let o = obj(v)?;
    Some(TimeSpan {
        start: o.ms("start")?,
        end: o.ms("end")?,
    })
}

fn request(v: &Value) -> R<ExportRequest> {
    let o = obj(v)?;
    Some(ExportRequest {
        id: o.id("id")?,
        merchant: o.text("merchant")?,
        region: o.text("region")?,
        export_type: match variant(o.field("export_type")?)? {
            ("ORDERS", None) => ExportType::Orders,
            ("PAYMENTS", None) => ExportType::Payments,
            _ => return None,
        },
        span: o.nested("span", span)?,
        created_at: o.ms("created_at")?,
        hours: o.opt_nested("hours", hours)?,
        label: o.opt_nested("label", label)?,
        exports: o.nested("exports", |v| list(v, job))?,
        auth: match o.0.get("auth").map(variant) {
            None | Some(Some(("Tab", None))) => CredentialSource::Tab,
            Some(Some(("Proxy", None))) => CredentialSource::Proxy,
            _ => return None,
        },
        suspected_orphans: match o.0.get("suspected_orphans") {
            None => Vec::new(),
            Some(v) => list(v, orphan)?,
        },
    })
}

fn hours(v: &Value) -> R<ServiceHours> {
    let windows = obj(v)?.nested("windows", |v| {
        list(v, |w| {
            let o = obj(w)?;
            Some(Window {
                days: WeekdaySet::from_bits(o.req("days", num)?),
                start_minute: o.req("start_minute", num)?,
                end_minute: o.req("end_minute", num)?,
            })
        })
    })?;
    Some(ServiceHours { windows })
}

fn label(v: &Value) -> R<RangeLabel> {
    let o = obj(v)?;
    let range = obj(o.field("range")?)?;
    let date = |key| parse_date(&range.req(key, string)?).ok();
    Some(RangeLabel {
        range: DateRange::new(date("from")?, date("to")?).ok()?,
        zone: o.text("zone")?,
        partial: o.req("partial", boolean)?,
    })
}

fn orphan(v: &Value) -> R<SuspectedOrphan> {
    let o = obj(v)?;
    Some(SuspectedOrphan {
        export: o.id("export")?,
        span: o.nested("span", span)?,
        asked_at: o.ms("asked_at")?,
    })
}

fn job(v: &Value) -> R<ExportJob> {
    let o = obj(v)?;
    let mut j = ExportJob::new(o.id("id")?, o.req("index", num)?, o.nested("span", span)?);
    j.state = o.nested("state", job_state)?;
    j.server_id = o.opt_text("server_id")?;
    j.wait = o.opt_nested("wait", wait)?;
    j.poll = o.opt_nested("poll", poll)?;
    j.retry = o.nested("retry", retry)?;
    j.started_at = o.opt_ms("started_at")?;
    j.created_at = o.opt_ms("created_at")?;
    j.finished_at = o.opt_ms("finished_at")?;
    j.server_status = o.opt_text("server_status")?;
    j.pending_op = o.opt("pending_op", num)?;
    j.create_sent_at = o.opt_ms("create_sent_at")?;
    j.create_answer_lost_at = o.opt_ms("create_answer_lost_at")?;
    j.last_contact_at = o.opt_ms("last_contact_at")?;
    j.export_gone = o.or_default("export_gone", boolean)?;
    j.verify_first = o.or_default("verify_first", boolean)?;
    j.done_without_urls = o.or_default("done_without_urls", num)?;
    Some(j)
}

fn job_state(v: &Value) -> R<JobState> {
    let (name, o) = variant(v)?;
    Some(match (name, o) {
        ("Queued", None) => JobState::Queued,
        ("Creating", None) => JobState::Creating,
        ("Pending", None) => JobState::Pending,
        ("Cancelled", None) => JobState::Cancelled,
        ("InProgress", o) => JobState::InProgress {
            percent: o?.req("percent", num)?,
        },
        ("Failed", o) => JobState::Failed {
            reason: o?.text("reason")?,
        },
        ("Done" | "Expired", o) => {
            let o = o?;
            let urls = o.req("urls", strings)?;
            let available_until = o.opt_ms("available_until")?;
            if name == "Done" {
                JobState::Done {
                    urls,
                    available_until,
                }
            } else {
                JobState::Expired {
                    urls,
                    available_until,
                }
            }
        }
        _ => return None,
    })
}

fn wait(v: &Value) -> R<Wait> {
    let o = obj(v)?;
    Some(Wait {
        until: o.ms("until")?,
        reason: o.nested("reason", wait_reason)?,
        message: o.opt_text("message")?,
    })
}

fn wait_reason(v: &Value) -> R<WaitReason> {
    let (name, o) = variant(v)?;
    Some(match (name, o) {
        ("Busy", None) => WaitReason::Busy,
        ("RateLimited", None) => WaitReason::RateLimited,
        ("BusyProbablyOurs", o) => WaitReason::BusyProbablyOurs {
            asked_at: o?.ms("asked_at")?,
        },
        ("ServiceHours", o) => WaitReason::ServiceHours {
            opens_at: o?.opt_ms("opens_at")?,
        },
        ("Retrying", o) => {
            let o = o?;
            WaitReason::Retrying {
                attempt: o.req("attempt", num)?,
                cause: o.text("cause")?,
            }
        }
        ("PollFailing", o) => {
            let o = o?;
            WaitReason::PollFailing {
                since: o.ms("since")?,
                cause: o.text("cause")?,
            }
        }
        _ => return None,
    })
}

fn poll(v: &Value) -> R<PollState> {
    let o = obj(v)?;
    let mark = obj(o.field("mark")?)?;
    Some(PollState {
        interval_ms: o.ms("interval_ms")?,
        mark: ProgressMark {
            started: mark.req("started", boolean)?,
            percent: mark.req("percent", num)?,
        },
        last_progress_at: o.ms("last_progress_at")?,
        stalled: o.req("stalled", boolean)?,
        next_poll_at: o.ms("next_poll_at")?,
        anchor: o.opt_nested("anchor", |v| {
            let a = obj(v)?;
            Some(RateAnchor {
                at: a.ms("at")?,
                percent: a.req("percent", num)?,
            })
        })?,
    })
}

fn retry(v: &Value) -> R<RetryState> {
    let o = obj(v)?;
    Some(RetryState {
        failures: o.or_default("failures", num)?,
        since: o.opt_ms("since")?,
    })
}

// ---- writing --------------------------------------------------------------------------
//
// The derived `Serialize`, instantiated for serde_json's writer, was about 10 KB of wasm;
// this writer is a fraction of it. It writes what the derive writes (the derive is the
// reference in the tests): every field, `None` as null, enums externally tagged. The
// destructuring makes the compiler point at every writer a new field must be added to.

/// JSON text being written. Every value is followed by a comma; closing an object or
/// an array drops the last one, and the text's final one is dropped at the end.
struct Out(String);

impl Out {
    fn open(&mut self, c: char) {
        self.0.push(c);
    }

    fn close(&mut self, c: char) {
        if self.0.ends_with(',') {
            self.0.pop();
        }
        self.0.push(c);
        self.0.push(',');
    }

    fn string(&mut self, s: &str) {
        self.0.push('"');
        for c in s.chars() {
            match c {
                '"' => self.0.push_str("\\\""),
                '\\' => self.0.push_str("\\\\"),
                c if u32::from(c) < 0x20 => {
                    self.0.push_str("\\u00");
                    let hex = b"0123456789abcdef";
                    self.0.push(char::from(hex[(u32::from(c) >> 4) as usize]));
                    self.0.push(char::from(hex[(u32::from(c) & 15) as usize]));
                }
                c => self.0.push(c),
            }
        }
        self.0.push_str("\",");
    }

    fn key(&mut self, k: &str) {
        self.string(k);
        self.0.pop();
        self.0.push(':');
    }

    fn raw(&mut self, k: &str, text: &str) {
        self.key(k);
        self.0.push_str(text);
        self.0.push(',');
    }

    fn int(&mut self, k: &str, n: i64) {
        self.raw(k, &n.to_string());
    }

    fn uint(&mut self, k: &str, n: u64) {
        self.raw(k, &n.to_string());
    }

    fn flag(&mut self, k: &str, b: bool) {
        self.raw(k, if b { "true" } else { "false" });
    }

    fn text(&mut self, k: &str, s: &str) {
        self.key(k);
        self.string(s);
    }

    fn opt_int(&mut self, k: &str, n: Option<i64>) {
        match n {
            Some(n) => self.int(k, n),
            None => self.raw(k, "null"),
        }
    }

    fn opt_text(&mut self, k: &str, s: &Option<String>) {
        match s {
            Some(s) => self.text(k, s),
            None => self.raw(k, "null"),
        }
    }

    /// `k: {` … (the caller writes the fields and closes it).
    fn object(&mut self, k: &str) {
        self.key(k);
        self.open('{');
    }

    /// An externally tagged enum value: a unit variant is its name, a struct variant
    /// `{"Name": {` … (the caller writes the fields and closes both).
    fn unit(&mut self, k: &str, name: &str) {
        self.text(k, name);
    }

    fn variant(&mut self, k: &str, name: &str) {
        self.object(k);
        self.object(name);
    }

    fn end_variant(&mut self) {
        self.close('}');
        self.close('}');
    }

    fn span(&mut self, k: &str, s: &TimeSpan) {
        let TimeSpan { start, end } = *s;
        self.object(k);
        self.int("start", start);
        self.int("end", end);
        self.close('}');
    }
}

/// The queue as the derived `Serialize` writes it (configuration and in-flight operations
/// are not saved).
fn write_queue(q: &ExportQueue) -> String {
    let mut o = Out(String::new());
    o.open('{');
    o.object("rng");
    o.uint("state", q.rng.state());
    o.close('}');
    o.uint("next_id", q.next_id);
    o.uint("next_op", q.next_op);
    o.key("requests");
    o.open('[');
    for r in &q.requests {
        write_request(&mut o, r);
    }
    o.close(']');
    o.object("merchants");
    for (name, m) in q.merchants.iter() {
        let MerchantState {
            stopped,
            last_request_at,
        } = m;
        o.object(name);
        match stopped {
            None => o.raw("stopped", "null"),
            Some(StopReason::MissingCredentials) => o.unit("stopped", "MissingCredentials"),
            Some(StopReason::NeedsCredentials { status }) => {
                o.variant("stopped", "NeedsCredentials");
                o.uint("status", u64::from(*status));
                o.end_variant();
            }
        }
        o.opt_int("last_request_at", *last_request_at);
        o.close('}');
    }
    o.close('}');
    o.close('}');
    o.0.pop();
    o.0
}

fn write_request(o: &mut Out, r: &ExportRequest) {
    let ExportRequest {
        id,
        merchant,
        region,
        export_type,
        span,
        created_at,
        hours,
        label,
        exports,
        auth,
        suspected_orphans,
    } = r;
    o.open('{');
    o.uint("id", *id);
    o.text("merchant", merchant);
    o.text("region", region);
    o.text(
        "export_type",
        match export_type {
            ExportType::Orders => "ORDERS",
            ExportType::Payments => "PAYMENTS",
        },
    );
    o.span("span", span);
    o.int("created_at", *created_at);
    match hours {
        None => o.raw("hours", "null"),
        Some(ServiceHours { windows }) => {
            o.object("hours");
            o.key("windows");
            o.open('[');
            for w in windows {
                let Window {
                    days,
                    start_minute,
                    end_minute,
                } = *w;
                o.open('{');
                o.uint("days", u64::from(days.bits()));
                o.uint("start_minute", u64::from(start_minute));
                o.uint("end_minute", u64::from(end_minute));
                o.close('}');
            }
            o.close(']');
            o.close('}');
        }
    }
    match label {
        None => o.raw("label", "null"),
        Some(RangeLabel {
            range,
            zone,
            partial,
        }) => {
            o.object("label");
            o.object("range");
            o.text("from", &ymd(range.from));
            o.text("to", &ymd(range.to));
            o.close('}');
            o.text("zone", zone);
            o.flag("partial", *partial);
            o.close('}');
        }
    }
    o.key("exports");
    o.open('[');
    for j in exports {
        write_job(o, j);
    }
    o.close(']');
    o.unit(
        "auth",
        match auth {
            CredentialSource::Tab => "Tab",
            CredentialSource::Proxy => "Proxy",
        },
    );
    o.key("suspected_orphans");
    o.open('[');
    for s in suspected_orphans {
        let SuspectedOrphan {
            export,
            span,
            asked_at,
        } = s;
        o.open('{');
        o.uint("export", *export);
        o.span("span", span);
        o.int("asked_at", *asked_at);
        o.close('}');
    }
    o.close(']');
    o.close('}');
}

fn write_job(o: &mut Out, j: &ExportJob) {
    let ExportJob {
        id,
        index,
        span,
        state,
        server_id,
        wait,
        poll,
        retry,
        started_at,
        created_at,
        finished_at,
        server_status,
        pending_op,
        create_sent_at,
        create_answer_lost_at,
        last_contact_at,
        export_gone,
        verify_first,
        done_without_urls,
    } = j;
    o.open('{');
    o.uint("id", *id);
    o.uint("index", *index as u64);
    o.span("span", span);
    write_state(o, state);
    o.opt_text("server_id", server_id);
    match wait {
        None => o.raw("wait", "null"),
        Some(w) => write_wait(o, w),
    }
    match poll {
        None => o.raw("poll", "null"),
        Some(p) => write_poll(o, p),
    }
    let RetryState { failures, since } = *retry;
    o.object("retry");
    o.uint("failures", u64::from(failures));
    o.opt_int("since", since);
    o.close('}');
    o.opt_int("started_at", *started_at);
    o.opt_int("created_at", *created_at);
    o.opt_int("finished_at", *finished_at);
    o.opt_text("server_status", server_status);
    match pending_op {
        None => o.raw("pending_op", "null"),
        Some(op) => o.uint("pending_op", *op),
    }
    o.opt_int("create_sent_at", *create_sent_at);
    o.opt_int("create_answer_lost_at", *create_answer_lost_at);
    o.opt_int("last_contact_at", *last_contact_at);
    o.flag("export_gone", *export_gone);
    o.flag("verify_first", *verify_first);
    o.uint("done_without_urls", u64::from(*done_without_urls));
    o.close('}');
}

fn write_state(o: &mut Out, s: &JobState) {
    let (name, urls, until) = match s {
        JobState::Queued => return o.unit("state", "Queued"),
        JobState::Creating => return o.unit("state", "Creating"),
        JobState::Pending => return o.unit("state", "Pending"),
        JobState::Cancelled => return o.unit("state", "Cancelled"),
        JobState::InProgress { percent } => {
            o.variant("state", "InProgress");
            o.uint("percent", u64::from(*percent));
            return o.end_variant();
        }
        JobState::Failed { reason } => {
            o.variant("state", "Failed");
            o.text("reason", reason);
            return o.end_variant();
        }
        JobState::Done {
            urls,
            available_until,
        } => ("Done", urls, available_until),
        JobState::Expired {
            urls,
            available_until,
        } => ("Expired", urls, available_until),
    };
    o.variant("state", name);
    o.key("urls");
    o.open('[');
    for u in urls {
        o.string(u);
    }
    o.close(']');
    o.opt_int("available_until", *until);
    o.end_variant();
}

fn write_wait(o: &mut Out, w: &Wait) {
    let Wait {
        until,
        reason,
        message,
    } = w;
    o.object("wait");
    o.int("until", *until);
    match reason {
        WaitReason::Busy => o.unit("reason", "Busy"),
        WaitReason::RateLimited => o.unit("reason", "RateLimited"),
        WaitReason::BusyProbablyOurs { asked_at } => {
            o.variant("reason", "BusyProbablyOurs");
            o.int("asked_at", *asked_at);
            o.end_variant();
        }
        WaitReason::ServiceHours { opens_at } => {
            o.variant("reason", "ServiceHours");
            o.opt_int("opens_at", *opens_at);
            o.end_variant();
        }
        WaitReason::Retrying { attempt, cause } => {
            o.variant("reason", "Retrying");
            o.uint("attempt", u64::from(*attempt));
            o.text("cause", cause);
            o.end_variant();
        }
        WaitReason::PollFailing { since, cause } => {
            o.variant("reason", "PollFailing");
            o.int("since", *since);
            o.text("cause", cause);
            o.end_variant();
        }
    }
    o.opt_text("message", message);
    o.close('}');
}

fn write_poll(o: &mut Out, p: &PollState) {
    let PollState {
        interval_ms,
        mark: ProgressMark { started, percent },
        last_progress_at,
        stalled,
        next_poll_at,
        anchor,
    } = *p;
    o.object("poll");
    o.int("interval_ms", interval_ms);
    o.object("mark");
    o.flag("started", started);
    o.uint("percent", u64::from(percent));
    o.close('}');
    o.int("last_progress_at", last_progress_at);
    o.flag("stalled", stalled);
    o.int("next_poll_at", next_poll_at);
    match anchor {
        None => o.raw("anchor", "null"),
        Some(RateAnchor { at, percent }) => {
            o.object("anchor");
            o.int("at", at);
            o.uint("percent", u64::from(percent));
            o.close('}');
        }
    }
    o.close('}');
}
