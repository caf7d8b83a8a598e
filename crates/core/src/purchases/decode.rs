//! Streaming, tolerant decoder for the purchase-history body.
//!
//! Records are visited straight from the borrowed input text and converted as soon as
//! they are read: no `serde_json::Value` tree and no list of raw records is built, and
//! only the final owned strings are allocated.
//!
//! One visitor type ([`Seed`]) serves every level, told by [`Out`] what it expects there
//! and where to put it. serde_json's parser is generic over the visitor, so a separate
//! visitor per level would copy the whole parser (number parsing included) once per level
//! into the wasm. Each level writes into a slot its caller owns (a record's field, the
//! record, the data list) and returns only whether the value had the expected shape: a
//! visitor returning the values themselves moved a ~170-byte enum through every layer of
//! the parser for each field. Whatever the JSON holds, the visitor accepts it: a value of
//! an unexpected shape becomes a [`Scalar`] and the caller decides what that means.

use std::borrow::Cow;
use std::fmt;

use serde::de::{
    Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value;

use super::instant::parse_instant;
use super::model::{Decoded, Purchase};
use super::text::{Interner, Text};
use crate::Millis;

/// The top-level object, as far as it matters.
#[derive(Default)]
pub(crate) struct Body<'a> {
    pub status: Scalar<'a>,
    /// `None` when `data` is missing or not a list.
    pub data: Option<Decoded>,
    pub errors: Option<Value>,
    /// Room to reserve for the records: one per [`BYTES_PER_RECORD`] of text.
    records_hint: usize,
}

/// The API's records take about 360 bytes of JSON each. Reserving one purchase per 320
/// bytes allocates the list once (a little too large, trimmed by `FetchPlan::mark_done`)
/// instead of doubling it a dozen times.
const BYTES_PER_RECORD: usize = 320;

/// Decodes a whole response body; `Ok(None)` when it is JSON but not an object.
pub(crate) fn decode_body(text: &str) -> serde_json::Result<Option<Body<'_>>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut body = Body {
        records_hint: text.len() / BYTES_PER_RECORD,
        ..Body::default()
    };
    let is_object = Seed(Out::Body(&mut body)).deserialize(&mut de)?;
    de.end()?;
    Ok(is_object.then_some(body))
}

/// Any JSON value, reduced to what a record field can use. Borrowed text stays borrowed.
/// (No `Debug`: its string escaping and float printing would add several KB of wasm.)
#[derive(Default)]
pub(crate) enum Scalar<'a> {
    #[default]
    Null,
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// An object or array: never a usable field value.
    Compound,
}

impl Scalar<'_> {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Text fields: strings as is, numbers and booleans as their text, the rest empty;
    /// one shared [`Text`] per distinct string of the response.
    fn into_text(self, strings: &mut Interner) -> Text {
        match self {
            Scalar::Str(s) => strings.intern(&s),
            Scalar::Int(i) => strings.intern(&i.to_string()),
            // serde_json's float printer (ryu) is linked anyway; core's is not.
            Scalar::Float(x) => strings.intern(
                &serde_json::Number::from_f64(x)
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            ),
            Scalar::Bool(b) => strings.intern(if b { "true" } else { "false" }),
            Scalar::Null | Scalar::Compound => strings.intern(""),
        }
    }

    fn instant(&self) -> Option<Millis> {
        self.as_text()
            .and_then(|s| api_instant(s).or_else(|| parse_instant(s)))
    }

    /// Minor units from an integer, an integral float, or a numeric string.
    fn price(&self) -> Option<i64> {
        match self {
            Scalar::Int(i) => Some(*i),
            Scalar::Float(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Some(*x as i64),
            Scalar::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// The form the API actually sends, `YYYY-MM-DDTHH:MM:SS[.fraction]` then `+00:00` or
/// `Z`, read at fixed positions; `None` for anything else, which then goes through the
/// general [`parse_instant`] (same result, about three times the time: it was ~15 % of
/// the whole decode, three date-times per record).
fn api_instant(text: &str) -> Option<Millis> {
    let b = text.as_bytes();
    if b.len() < 20 || [b[4], b[7], b[10], b[13], b[16]] != *b"--T::" {
        return None;
    }
    let two = |i: usize| {
        let (hi, lo) = (b[i].wrapping_sub(b'0'), b[i + 1].wrapping_sub(b'0'));
        (hi < 10 && lo < 10).then_some(i64::from(hi) * 10 + i64::from(lo))
    };
    let (year, month, day) = (two(0)? * 100 + two(2)?, two(5)?, two(8)?);
    let (h, mi, s) = (two(11)?, two(14)?, two(17)?);
    let mut rest = &b[19..];
    let mut millis = 0;
    if let [b'.', tail @ ..] = rest {
        let digits = tail.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        for (i, &c) in tail[..digits.min(3)].iter().enumerate() {
            millis += i64::from(c - b'0') * [100, 10, 1][i];
        }
        rest = &tail[digits..];
    }
    if !matches!(rest, b"+00:00" | b"Z" | b"z") || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let date = jiff::civil::Date::new(year as i16, month as i8, day as i8).ok()?;
    let secs = crate::civil::day_number(date) * 86_400 + h * 3600 + mi * 60 + s.min(59);
    Some(secs * 1000 + millis)
}

/// Record members (slots 0..10) and body members (10..13), looked up without allocating.
const KEYS: [&str; 13] = [
    "payment_model",
    "sales_model",
    "price",
    "title",
    "expiry_date",
    "item_url",
    "purchase_date",
    "shared_user_id",
    "payment_date",
    "article_id",
    "status",
    "data",
    "errors",
];
const RECORD_FIELDS: usize = 10;

/// The index of `name` in [`KEYS`]. The length and one letter leave a single candidate,
/// so each member name costs one comparison (searching the list took ~14 % of the decode).
fn key_index(name: &str) -> Option<usize> {
    let b = name.as_bytes();
    let pick = |at: usize, letter: u8, yes: usize, no: usize| match b[at] == letter {
        true => yes,
        false => no,
    };
    let i = match b.len() {
        4 => 11,
        5 => pick(0, b'p', 2, 3),   // price, title
        6 => pick(0, b's', 10, 12), // status, errors
        8 => 5,                     // item_url
        10 => 9,                    // article_id
        11 => pick(0, b's', 1, 4),  // sales_model, expiry_date
        12 => 8,                    // payment_date
        13 => pick(1, b'a', 0, 6),  // payment_model, purchase_date
        14 => 7,                    // shared_user_id
        _ => return None,
    };
    (KEYS[i] == name).then_some(i)
}

type Record<'a> = [Scalar<'a>; RECORD_FIELDS];

/// Converts one record, or says why it cannot be used.
fn into_purchase(record: Record<'_>, strings: &mut Interner) -> Result<Purchase, String> {
    let [payment_model, sales_model, price, title, expiry, item_url, purchase, user, payment, article] =
        record;
    let purchase_time = purchase
        .instant()
        .ok_or_else(|| unreadable("purchase_date", &purchase))?;
    let price = price.price().ok_or_else(|| unreadable("price", &price))?;
    Ok(Purchase {
        payment_model: payment_model.into_text(strings),
        sales_model: sales_model.into_text(strings),
        price,
        title: title.into_text(strings),
        expiry: expiry.instant().into(),
        item_url: item_url.into_text(strings),
        purchase_time,
        shared_user_id: user.into_text(strings),
        payment_time: payment.instant().into(),
        article_id: article.into_text(strings),
    })
}

/// "unreadable price \"two euros\"" / "unreadable price (missing)" ...
fn unreadable(field: &str, value: &Scalar<'_>) -> String {
    let shown = match value {
        Scalar::Str(s) => return format!("unreadable {field} \"{s}\""),
        Scalar::Null => "(missing)",
        // Integral but beyond what a price in minor units can be (past i64).
        Scalar::Float(x) if x.fract() == 0.0 && field == "price" => "(a number out of range)",
        Scalar::Int(_) | Scalar::Float(_) => "(a number)",
        Scalar::Bool(_) => "(true/false)",
        Scalar::Compound => "(a list or object)",
    };
    format!("unreadable {field} {shown}")
}

/// What the visitor expects at its position, and the caller's slot it fills.
enum Out<'s, 'a> {
    /// A record field: any value (objects and arrays become [`Scalar::Compound`]).
    Scalar(&'s mut Scalar<'a>),
    /// An object of record fields.
    Record(&'s mut Record<'a>),
    /// The `data` list, and how many records to make room for.
    Data(&'s mut Option<Decoded>, usize),
    /// The top-level object.
    Body(&'s mut Body<'a>),
}

/// Visits one value into its slot. The result says whether the value had the expected
/// shape (a scalar slot takes anything).
struct Seed<'s, 'a>(Out<'s, 'a>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for Seed<'_, 'a> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'a> Seed<'_, 'a> {
    fn scalar<E>(self, s: Scalar<'a>) -> Result<bool, E> {
        Ok(match self.0 {
            Out::Scalar(slot) => {
                *slot = s;
                true
            }
            _ => false,
        })
    }
}

impl<'de: 'a, 'a> Visitor<'de> for Seed<'_, 'a> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<bool, E> {
        self.scalar(Scalar::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<bool, E> {
        self.scalar(Scalar::Str(Cow::Owned(s.to_owned())))
    }
    fn visit_i64<E>(self, i: i64) -> Result<bool, E> {
        self.scalar(Scalar::Int(i))
    }
    fn visit_u64<E>(self, u: u64) -> Result<bool, E> {
        self.scalar(i64::try_from(u).map_or(Scalar::Float(u as f64), Scalar::Int))
    }
    fn visit_f64<E>(self, x: f64) -> Result<bool, E> {
        self.scalar(Scalar::Float(x))
    }
    fn visit_bool<E>(self, b: bool) -> Result<bool, E> {
        self.scalar(Scalar::Bool(b))
    }
    fn visit_unit<E>(self) -> Result<bool, E> {
        self.scalar(Scalar::Null)
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut s: S) -> Result<bool, S::Error> {
        let Out::Data(slot, hint) = self.0 else {
            while s.next_element::<IgnoredAny>()?.is_some() {}
            return self.scalar(Scalar::Compound);
        };
        let mut out = Decoded {
            purchases: Vec::with_capacity(hint),
            ..Decoded::default()
        };
        let mut strings = Interner::default();
        loop {
            let mut record: Record<'a> = Default::default();
            let converted = match s.next_element_seed(Seed(Out::Record(&mut record)))? {
                None => break,
                Some(true) => into_purchase(record, &mut strings),
                Some(false) => Err("a data entry is not an object".to_string()),
            };
            match converted {
                Ok(p) => out.purchases.push(p),
                Err(reason) => {
                    out.skipped += 1;
                    out.first_skip_reason.get_or_insert(reason);
                }
            }
        }
        *slot = Some(out);
        Ok(true)
    }

    fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<bool, M::Error> {
        match self.0 {
            Out::Record(record) => {
                while let Some(Key(key)) = m.next_key()? {
                    match key {
                        Some(i) if i < RECORD_FIELDS => {
                            m.next_value_seed(Seed(Out::Scalar(&mut record[i])))?;
                        }
                        _ => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(true)
            }
            Out::Body(body) => {
                while let Some(Key(key)) = m.next_key()? {
                    match key {
                        Some(10) => {
                            m.next_value_seed(Seed(Out::Scalar(&mut body.status)))?;
                        }
                        Some(11) => {
                            m.next_value_seed(Seed(Out::Data(&mut body.data, body.records_hint)))?;
                        }
                        Some(12) => body.errors = Some(m.next_value()?),
                        _ => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(true)
            }
            other => {
                while m.next_key::<Key>()?.is_some() {
                    m.next_value::<IgnoredAny>()?;
                }
                Seed(other).scalar(Scalar::Compound)
            }
        }
    }
}

/// A member name mapped to its index in [`KEYS`] (`None` = not one we read).
struct Key(Option<usize>);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E>(self, s: &str) -> Result<Key, E> {
                Ok(Key(key_index(s)))
            }
        }
        d.deserialize_identifier(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_found_and_nothing_else() {
        for (i, k) in KEYS.iter().enumerate() {
            assert_eq!(key_index(k), Some(i), "{k}");
        }
        for other in [
            "",
            "x",
            "prices",
            "Price",
            "paymentXmodel",
            "dat",
            "datum",
            "errorz",
        ] {
            assert_eq!(key_index(other), None, "{other}");
        }
    }
}
