//! Streaming, tolerant decoder for the purchase-history body.
//!
//! Records are visited straight from the borrowed input text and converted as soon as
//! they are read: no `serde_json::Value` tree and no list of raw records is built, and
//! only the final owned strings are allocated.
//!
//! One visitor type ([`Seed`]) serves every level, told by [`Want`] what it expects
//! there. serde_json's parser is generic over the visitor, so a separate visitor per level
//! would copy the whole parser (number parsing included) once per level into the wasm.
//! Whatever the JSON holds, the visitor accepts it: a value of an unexpected shape comes
//! back as a [`Scalar`] and the caller decides what that means.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value;

use super::instant::parse_instant;
use super::model::{Decoded, Purchase};
use crate::Millis;

/// The top-level object, as far as it matters.
pub(crate) struct Body<'a> {
    pub status: Scalar<'a>,
    /// `None` when `data` is missing or not a list.
    pub data: Option<Decoded>,
    pub errors: Option<Value>,
}

/// Decodes a whole response body; `Ok(None)` when it is JSON but not an object.
pub(crate) fn decode_body(text: &str) -> serde_json::Result<Option<Body<'_>>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let node = Seed(Want::Body, PhantomData).deserialize(&mut de)?;
    de.end()?;
    Ok(match node {
        Node::Body(body) => Some(body),
        _ => None,
    })
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

    /// Text fields: strings as is, numbers and booleans as their text, the rest empty.
    fn into_string(self) -> String {
        match self {
            Scalar::Str(s) => s.into_owned(),
            Scalar::Int(i) => i.to_string(),
            // serde_json's float printer (ryu) is linked anyway; core's is not.
            Scalar::Float(x) => serde_json::Number::from_f64(x)
                .map(|n| n.to_string())
                .unwrap_or_default(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Null | Scalar::Compound => String::new(),
        }
    }

    fn instant(&self) -> Option<Millis> {
        self.as_text().and_then(parse_instant)
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

type Record<'a> = [Scalar<'a>; RECORD_FIELDS];

/// Converts one record, or says why it cannot be used.
fn into_purchase(record: Record<'_>) -> Result<Purchase, String> {
    let [payment_model, sales_model, price, title, expiry, item_url, purchase, user, payment, article] =
        record;
    let purchase_time = purchase
        .instant()
        .ok_or_else(|| unreadable("purchase_date", &purchase))?;
    let price = price.price().ok_or_else(|| unreadable("price", &price))?;
    Ok(Purchase {
        payment_model: payment_model.into_string(),
        sales_model: sales_model.into_string(),
        price,
        title: title.into_string(),
        expiry: expiry.instant(),
        item_url: item_url.into_string(),
        purchase_time,
        shared_user_id: user.into_string(),
        payment_time: payment.instant(),
        article_id: article.into_string(),
    })
}

/// "unreadable price \"two euros\"" / "unreadable price (missing)" ...
fn unreadable(field: &str, value: &Scalar<'_>) -> String {
    let shown = match value {
        Scalar::Str(s) => return format!("unreadable {field} \"{s}\""),
        Scalar::Null => "(missing)",
        Scalar::Int(_) | Scalar::Float(_) => "(a number)",
        Scalar::Bool(_) => "(true/false)",
        Scalar::Compound => "(a list or object)",
    };
    format!("unreadable {field} {shown}")
}

/// What the visitor expects at its position.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Scalar,
    Record,
    Data,
    Body,
}

/// What the visitor found. A record stays inline (not boxed): boxing would cost one
/// allocation per purchase, and nodes only live on the stack for a moment.
#[allow(clippy::large_enum_variant)]
enum Node<'a> {
    Scalar(Scalar<'a>),
    Record(Record<'a>),
    Data(Decoded),
    Body(Body<'a>),
}

struct Seed<'a>(Want, PhantomData<&'a ()>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for Seed<'a> {
    type Value = Node<'a>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Node<'a>, D::Error> {
        d.deserialize_any(self)
    }
}

fn seed<'a>(want: Want) -> Seed<'a> {
    Seed(want, PhantomData)
}

fn scalar<'a, E>(s: Scalar<'a>) -> Result<Node<'a>, E> {
    Ok(Node::Scalar(s))
}

impl<'de: 'a, 'a> Visitor<'de> for Seed<'a> {
    type Value = Node<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Node<'a>, E> {
        scalar(Scalar::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Node<'a>, E> {
        scalar(Scalar::Str(Cow::Owned(s.to_owned())))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Node<'a>, E> {
        scalar(Scalar::Int(i))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Node<'a>, E> {
        scalar(i64::try_from(u).map_or(Scalar::Float(u as f64), Scalar::Int))
    }
    fn visit_f64<E>(self, x: f64) -> Result<Node<'a>, E> {
        scalar(Scalar::Float(x))
    }
    fn visit_bool<E>(self, b: bool) -> Result<Node<'a>, E> {
        scalar(Scalar::Bool(b))
    }
    fn visit_unit<E>(self) -> Result<Node<'a>, E> {
        scalar(Scalar::Null)
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut s: S) -> Result<Node<'a>, S::Error> {
        if self.0 != Want::Data {
            while s.next_element::<IgnoredAny>()?.is_some() {}
            return scalar(Scalar::Compound);
        }
        let mut out = Decoded {
            purchases: Vec::with_capacity(s.size_hint().unwrap_or(0)),
            ..Decoded::default()
        };
        while let Some(node) = s.next_element_seed(seed(Want::Record))? {
            let converted = match node {
                Node::Record(record) => into_purchase(record),
                _ => Err("a data entry is not an object".to_string()),
            };
            match converted {
                Ok(p) => out.purchases.push(p),
                Err(reason) => {
                    out.skipped += 1;
                    out.first_skip_reason.get_or_insert(reason);
                }
            }
        }
        Ok(Node::Data(out))
    }

    fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Node<'a>, M::Error> {
        let want = self.0;
        let mut record: Record<'a> = Default::default();
        let mut body = Body {
            status: Scalar::Null,
            data: None,
            errors: None,
        };
        while let Some(Key(key)) = m.next_key()? {
            match (want, key) {
                (Want::Record, Some(i)) if i < RECORD_FIELDS => {
                    if let Node::Scalar(s) = m.next_value_seed(seed(Want::Scalar))? {
                        record[i] = s;
                    }
                }
                (Want::Body, Some(10)) => {
                    if let Node::Scalar(s) = m.next_value_seed(seed(Want::Scalar))? {
                        body.status = s;
                    }
                }
                (Want::Body, Some(11)) => {
                    if let Node::Data(d) = m.next_value_seed(seed(Want::Data))? {
                        body.data = Some(d);
                    }
                }
                (Want::Body, Some(12)) => body.errors = Some(m.next_value()?),
                _ => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(match want {
            Want::Record => Node::Record(record),
            Want::Body => Node::Body(body),
            Want::Scalar | Want::Data => Node::Scalar(Scalar::Compound),
        })
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
                Ok(Key(KEYS.iter().position(|k| *k == s)))
            }
        }
        d.deserialize_identifier(V)
    }
}
