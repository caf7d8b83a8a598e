//! Deterministic LaterPay purchases, rendered straight to JSON text.
//!
//! Each UTC day's purchases are a pure function of (seed, merchant, day), sorted by
//! purchase_date. Why hand-written JSON: a long range can hold 200,000+ records and
//! the response is streamed one day at a time; formatting into one reused buffer is
//! linear and cheap even in a debug build. All strings written are plain ASCII from
//! fixed tables or digits, so no escaping is needed.

use crate::civil::write_datetime;
use crate::clover::data::{day_count, day_times};
use crate::rng::{hash_str, mix, uuid_from, Rng};
use std::fmt::Write;

const S_ATTR: u64 = 0x1A7E;
const S_USER: u64 = 0x05E7;
const S_ARTICLE: u64 = 0x0A27;

#[derive(Clone, Debug)]
pub struct PurchaseGen {
    pub seed: u64,
    pub per_day: u32,
}

/// (title, days until expiry, price in cents) of time passes and subscriptions.
const PASSES: [(&str, i64, i64); 3] = [
    ("24 Hour Pass", 1, 99),
    ("7 Day Pass", 7, 299),
    ("30 Day Pass", 30, 799),
];
const SUBSCRIPTIONS: [(&str, i64, i64); 2] = [
    ("Monthly Subscription", 30, 499),
    ("Annual Subscription", 365, 4999),
];
const SINGLE_PRICES: [i64; 8] = [49, 99, 149, 199, 200, 249, 299, 499];
const CONTRIBUTIONS: [i64; 4] = [100, 200, 500, 1000];

/// One purchase, before rendering.
struct Purchase {
    pay_later: bool,
    sales_model: &'static str,
    price: i64,
    title: Title,
    expiry_secs: Option<i64>,
    article: u64,
    purchase_secs: i64,
    payment_secs: i64,
    payment_micros: u32,
    user: u64,
}

enum Title {
    Article,
    Fixed(&'static str),
}

/// One generated purchase as a JSON object.
fn render_one(p: &Purchase, mkey: u64, out: &mut String) {
    out.push_str(r#"{"payment_model":""#);
    out.push_str(if p.pay_later { "Pay Later" } else { "Pay Now" });
    out.push_str(r#"","sales_model":""#);
    out.push_str(p.sales_model);
    let _ = write!(out, r#"","price":{},"title":""#, p.price);
    match p.title {
        Title::Article => {
            let _ = write!(out, "Generated Article ID {}", p.article);
        }
        Title::Fixed(t) => out.push_str(t),
    }
    out.push_str(r#"","expiry_date":""#);
    if let Some(e) = p.expiry_secs {
        write_datetime(out, e);
        out.push_str("+00:00");
    }
    let _ = write!(
        out,
        r#"","item_url":"http://example.com/article-{}","purchase_date":""#,
        p.article
    );
    write_datetime(out, p.purchase_secs);
    out.push_str(r#"+00:00","shared_user_id":""#);
    out.push_str(&uuid_from(mix(mkey ^ S_USER, p.user)));
    out.push_str(r#"","payment_date":""#);
    write_datetime(out, p.payment_secs);
    let _ = write!(
        out,
        r#".{:06}+00:00","article_id":"{}"}}"#,
        p.payment_micros, p.article
    );
}

impl PurchaseGen {
    fn merchant_key(&self, merchant: &str) -> u64 {
        mix(self.seed ^ 0x1A7E_0000, hash_str(merchant))
    }

    fn day_key(&self, merchant: &str, day: i64) -> u64 {
        mix(self.merchant_key(merchant), day as u64)
    }

    /// Buyers come back: a pool about twice a day's volume, with heavy users.
    fn pool_size(&self) -> u64 {
        (u64::from(self.per_day) * 2).max(50)
    }

    fn day(&self, merchant: &str, day: i64) -> impl Iterator<Item = Purchase> {
        let mkey = self.merchant_key(merchant);
        let key = self.day_key(merchant, day);
        let n = day_count(self.per_day, key, day);
        let pool = self.pool_size();
        day_times(key, day, n, 13.0, 20.5)
            .into_iter()
            .enumerate()
            .map(move |(i, ms)| {
                let mut r = Rng::new(mix(key ^ S_ATTR, i as u64));
                let purchase_secs = ms / 1000;
                let (sales_model, price, title, expiry_days) = match r.weighted(&[60, 15, 15, 10]) {
                    0 => (
                        "Single Purchase",
                        *r.pick(&SINGLE_PRICES),
                        Title::Article,
                        None,
                    ),
                    1 => {
                        let (t, d, p) = *r.pick(&PASSES);
                        ("Time Pass", p, Title::Fixed(t), Some(d))
                    }
                    2 => {
                        let (t, d, p) = *r.pick(&SUBSCRIPTIONS);
                        ("Subscription", p, Title::Fixed(t), Some(d))
                    }
                    _ => (
                        "Contribution",
                        *r.pick(&CONTRIBUTIONS),
                        Title::Fixed("Contribution"),
                        None,
                    ),
                };
                // Pay Later is for small amounts; they are paid within a week.
                let pay_later = price < 500 && sales_model != "Subscription" && r.chance(0.35);
                let payment_secs = if pay_later {
                    purchase_secs + r.range(0, 7 * 86_400)
                } else {
                    purchase_secs
                };
                let u = r.unit();
                let a = r.unit();
                Purchase {
                    pay_later,
                    sales_model,
                    price,
                    title,
                    expiry_secs: expiry_days.map(|d| purchase_secs + d * 86_400),
                    article: 1_000_000 + mix(mkey ^ S_ARTICLE, (a * a * 500.0) as u64) % 9_000_000,
                    purchase_secs,
                    payment_secs,
                    payment_micros: (ms % 1000) as u32 * 1000 + r.range(0, 999) as u32,
                    user: (u * u * pool as f64) as u64,
                }
            })
    }

    /// Appends the day's records as JSON objects, each preceded by a comma unless
    /// `*first`; returns how many were written. With `hostile`, the records of
    /// [`crate::hostile::laterpay_day`] are mixed in, in purchase-time order.
    pub fn render_day(
        &self,
        merchant: &str,
        day: i64,
        out: &mut String,
        first: &mut bool,
        hostile: bool,
    ) -> usize {
        let mkey = self.merchant_key(merchant);
        let mut extra = if hostile {
            crate::hostile::laterpay_day(day)
        } else {
            Vec::new()
        }
        .into_iter()
        .peekable();
        let mut n = 0;
        let mut sep = |out: &mut String| {
            if !std::mem::take(first) {
                out.push(',');
            }
        };
        for p in self.day(merchant, day) {
            while let Some((_, v)) = extra.next_if(|(ms, _)| *ms <= p.purchase_secs * 1000) {
                sep(out);
                out.push_str(&v.to_string());
                n += 1;
            }
            sep(out);
            render_one(&p, mkey, out);
            n += 1;
        }
        for (_, v) in extra {
            sep(out);
            out.push_str(&v.to_string());
            n += 1;
        }
        n
    }

    /// (count, sum of prices) of one day.
    pub fn day_count_sum(&self, merchant: &str, day: i64) -> (u64, i64) {
        self.day(merchant, day)
            .fold((0, 0), |(n, s), p| (n + 1, s + p.price))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_parse_and_repeat() {
        let g = PurchaseGen {
            seed: 1,
            per_day: 150,
        };
        let mut s = String::from("[");
        let mut first = true;
        let n = g.render_day("m", 18_000, &mut s, &mut first, false);
        s.push(']');
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        let arr = v.as_array().unwrap();
        assert_eq!(arr.len(), n);
        assert!(n > 90);
        for rec in arr {
            let pd = rec["purchase_date"].as_str().unwrap();
            assert_eq!(pd.len(), 25);
            assert!(pd.ends_with("+00:00"));
            assert_eq!(rec["payment_date"].as_str().unwrap().len(), 32);
            let single = matches!(
                rec["sales_model"].as_str(),
                Some("Single Purchase" | "Contribution")
            );
            assert_eq!(rec["expiry_date"] == "", single);
        }
        let sorted = arr
            .windows(2)
            .all(|w| w[0]["purchase_date"].as_str() <= w[1]["purchase_date"].as_str());
        assert!(sorted);
        let mut again = String::from("[");
        let mut first = true;
        g.render_day("m", 18_000, &mut again, &mut first, false);
        again.push(']');
        assert_eq!(s, again);
        assert_eq!(g.day_count_sum("m", 18_000).0 as usize, n);

        // Hostile mode: the same records with the hostile ones mixed in, in time order.
        let mut h = String::from("[");
        let mut first = true;
        let m = g.render_day("m", 18_000, &mut h, &mut first, true);
        h.push(']');
        let v: serde_json::Value = serde_json::from_str(&h).unwrap();
        assert_eq!(v.as_array().unwrap().len(), m);
        assert_eq!(m, n + crate::hostile::laterpay_day(18_000).len());
        let dates: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r.get("purchase_date").and_then(|d| d.as_str()))
            .filter(|d| d.starts_with("2019"))
            .collect();
        assert!(dates.windows(2).all(|w| w[0] <= w[1]));
    }
}
