//! Dashboard figures for a span: chart buckets, per-model series, totals, top items,
//! repeat buyers and the comparison with the previous period.
//!
//! One pass over the purchases does everything: each purchase is placed by binary search
//! over precomputed bucket instants (no time-zone work per purchase) and counted into
//! hash maps keyed by borrowed strings (no allocation per purchase). Purchases outside
//! both the span and the previous period are ignored, so the caller can pass everything
//! it fetched. Money is minor units of a single currency: prices are `i64`, every sum is
//! `i128` (no sum of `i64` prices over any number of purchases can overflow it).
//!
//! Records that cannot be shown honestly ([`Exclusion`]: a price beyond
//! ±[`MAX_PRICE`], a purchase date outside [`SUPPORTED_YEARS`]) are counted in
//! [`Summary::excluded`] and left out of every figure; the table and the CSV still list
//! them as received.

use jiff::civil::date;

use super::buckets::{bucket_index, make_buckets, Bucket, BucketSize};
use super::fxhash::Map;
use super::model::Purchase;
use super::span::LocalSpan;
use crate::civil::day_number;
use crate::Millis;

/// Largest price magnitude (minor units) the figures include: 10^15 cents is ten
/// trillion euros, beyond any single purchase; anything larger is a data error that would
/// drown every other figure (or, summed, overflow), so it is shown in the table but not
/// counted.
pub const MAX_PRICE: i64 = 1_000_000_000_000_000;

/// First and last year a purchase date may lie in to be counted: the years the time-zone
/// tables cover ([`crate::zone::TABLE_YEARS`]), so every counted purchase lands on its
/// true local day.
pub const SUPPORTED_YEARS: (i16, i16) = crate::zone::TABLE_YEARS;

/// At most this many series per model kind; models beyond are added up in one last
/// series (a legend of hundreds of models helps no one, and each series holds a value
/// per bucket).
pub const MAX_SERIES: usize = 24;

/// Why a record is left out of the figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Exclusion {
    /// Its price is beyond ±[`MAX_PRICE`].
    PriceOutOfRange,
    /// Its purchase date lies outside [`SUPPORTED_YEARS`].
    DateOutOfRange,
}

impl Exclusion {
    /// Words for a notice ("3 records skipped: price out of range").
    pub fn reason(self) -> &'static str {
        match self {
            Exclusion::PriceOutOfRange => "price out of range",
            Exclusion::DateOutOfRange => "date out of range",
        }
    }

    /// Whether (and why) `p` cannot be counted.
    pub fn of(p: &Purchase) -> Option<Exclusion> {
        if !supported_instant(p.purchase_time) {
            Some(Exclusion::DateOutOfRange)
        } else if p.price.unsigned_abs() > MAX_PRICE as u64 {
            Some(Exclusion::PriceOutOfRange)
        } else {
            None
        }
    }
}

/// Whether `t` lies in [`SUPPORTED_YEARS`] (UTC; the ends are whole years, so a zone's
/// offset cannot move a counted purchase out of them).
pub fn supported_instant(t: Millis) -> bool {
    let first = day_number(date(SUPPORTED_YEARS.0, 1, 1)) * 86_400_000;
    let end = day_number(date(SUPPORTED_YEARS.1, 12, 31)) * 86_400_000 + 86_400_000;
    (first..end).contains(&t)
}

/// How many records each [`Exclusion`] left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Excluded {
    pub price_out_of_range: u64,
    pub date_out_of_range: u64,
}

impl Excluded {
    fn add(&mut self, why: Exclusion) {
        match why {
            Exclusion::PriceOutOfRange => self.price_out_of_range += 1,
            Exclusion::DateOutOfRange => self.date_out_of_range += 1,
        }
    }

    /// Records left out in all.
    pub fn total(&self) -> u64 {
        self.price_out_of_range + self.date_out_of_range
    }

    /// Each reason with its count, leaving out reasons that did not occur.
    pub fn counts(&self) -> impl Iterator<Item = (Exclusion, u64)> {
        [
            (Exclusion::PriceOutOfRange, self.price_out_of_range),
            (Exclusion::DateOutOfRange, self.date_out_of_range),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
    }
}

/// How to summarise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AggregateOptions {
    pub bucket: BucketSize,
    /// The current instant, to flag buckets that are not over yet.
    pub now: Millis,
    /// How many top items and repeat buyers to keep.
    pub top_n: usize,
    /// Currency of every price (e.g. "EUR"), only carried along for display.
    pub currency: String,
}

impl AggregateOptions {
    /// Defaults for a span: automatic bucket size and the top 10.
    pub fn new(span: &LocalSpan, now: Millis, currency: &str) -> Self {
        AggregateOptions {
            bucket: BucketSize::auto(span.days()),
            now,
            top_n: 10,
            currency: currency.to_string(),
        }
    }
}

/// Headline numbers of one period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Sum of prices, minor units.
    pub revenue: i128,
    pub purchases: u64,
    /// Distinct non-empty `shared_user_id`s over the whole period (not a sum of buckets).
    pub unique_buyers: u64,
    /// Buyers with more than one purchase in the period.
    pub repeat_buyers: u64,
    /// Revenue / purchases in minor units, rounded half away from zero (0 when empty).
    pub average_price: i128,
}

impl Totals {
    /// The exact average price in minor units, for display with decimals.
    pub fn average_price_f64(&self) -> f64 {
        if self.purchases == 0 {
            0.0
        } else {
            self.revenue as f64 / self.purchases as f64
        }
    }
}

/// Revenue and count per bucket for one sales or payment model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Series {
    /// The model string exactly as the API sent it.
    pub key: String,
    /// One value per bucket, aligned with [`Summary::buckets`].
    pub revenue: Vec<i128>,
    pub count: Vec<u64>,
    pub total_revenue: i128,
    pub total_count: u64,
    /// How many models this series adds up: 1, or more for the last series when there
    /// were more than [`MAX_SERIES`] models (its `key` then names the first of them).
    pub models: u64,
}

/// Part of the revenue taken by one model.
#[derive(Clone, Debug, PartialEq)]
pub struct Share {
    pub key: String,
    pub revenue: i128,
    pub count: u64,
    /// The model's part of the revenue in 0..=1: its revenue over the sum of the
    /// models' revenues, counting only models whose revenue is positive (a model of
    /// refunds has 0), so the parts add up to 1 as the bar's widths do (all 0 when no
    /// model has positive revenue).
    pub fraction: f64,
}

/// One article's sales in the span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemStat {
    pub article_id: String,
    /// Title and URL of the most recent purchase that had a title (titles can change).
    pub title: String,
    pub item_url: String,
    pub revenue: i128,
    pub count: u64,
}

/// One buyer's purchases in the span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuyerStat {
    pub shared_user_id: String,
    pub purchases: u64,
    pub revenue: i128,
}

/// Everything the dashboard shows for a span.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub currency: String,
    pub bucket_size: BucketSize,
    /// Every bucket of the span, empty ones included, in time order.
    pub buckets: Vec<Bucket>,
    /// Ordered by total revenue (desc), then count (desc), then key.
    pub by_sales_model: Vec<Series>,
    pub by_payment_model: Vec<Series>,
    pub totals: Totals,
    /// Same figures for the period of equal length right before the span (all zero when
    /// those purchases were not fetched; see [`LocalSpan::with_previous`]).
    pub previous: Totals,
    pub top_by_revenue: Vec<ItemStat>,
    pub top_by_count: Vec<ItemStat>,
    /// Buyers with more than one purchase, most purchases first.
    pub top_repeat_buyers: Vec<BuyerStat>,
    /// Revenue share per payment model, same order as `by_payment_model`.
    pub payment_share: Vec<Share>,
    /// Records of the span left out of every figure above (see [`Exclusion`]), and the
    /// records with a purchase date outside [`SUPPORTED_YEARS`] among those passed in.
    pub excluded: Excluded,
    /// Records of the previous period left out of `previous`.
    pub previous_excluded: Excluded,
}

impl Summary {
    pub fn revenue_change(&self) -> Option<f64> {
        percent_change(self.totals.revenue, self.previous.revenue)
    }
    pub fn purchases_change(&self) -> Option<f64> {
        percent_change(self.totals.purchases.into(), self.previous.purchases.into())
    }
    pub fn buyers_change(&self) -> Option<f64> {
        percent_change(
            self.totals.unique_buyers.into(),
            self.previous.unique_buyers.into(),
        )
    }
    pub fn average_price_change(&self) -> Option<f64> {
        percent_change(self.totals.average_price, self.previous.average_price)
    }
}

/// Change from `previous` to `current` in percent; `None` when `previous` is 0 (no
/// meaningful ratio: show "new" or a dash instead).
pub fn percent_change(current: i128, previous: i128) -> Option<f64> {
    if previous == 0 {
        return None;
    }
    Some((current as f64 - previous as f64) / (previous as f64).abs() * 100.0)
}

/// Builds the dashboard summary of `purchases` for `span` (see the module docs).
pub fn summarize<'a, I>(purchases: I, span: &LocalSpan, opts: &AggregateOptions) -> Summary
where
    I: IntoIterator<Item = &'a Purchase>,
{
    let prev_span = span.previous();
    let mut pass = Pass {
        buckets: make_buckets(span, opts.bucket, opts.now),
        prev_range: prev_span.start_ms()..prev_span.end_ms(),
        sales: SeriesAcc::default(),
        payment: SeriesAcc::default(),
        items: Map::default(),
        buyers: PeriodAcc::default(),
        prev: PeriodAcc::default(),
        excluded: Excluded::default(),
        previous_excluded: Excluded::default(),
    };
    for p in purchases {
        pass.add(p);
    }
    let Pass {
        buckets,
        sales,
        payment,
        items,
        buyers,
        prev,
        excluded,
        previous_excluded,
        ..
    } = pass;

    let totals = buyers.totals();
    let by_payment_model = payment.finish();
    let positive: i128 = by_payment_model
        .iter()
        .map(|s| s.total_revenue.max(0))
        .sum();
    let payment_share = by_payment_model
        .iter()
        .map(|s| Share {
            key: s.key.clone(),
            revenue: s.total_revenue,
            count: s.total_count,
            fraction: if positive <= 0 {
                0.0
            } else {
                s.total_revenue.max(0) as f64 / positive as f64
            },
        })
        .collect();

    let mut items: Vec<ItemStat> = items
        .into_iter()
        .map(|(id, a)| ItemStat {
            article_id: id.to_string(),
            title: a.title.to_string(),
            item_url: a.url.to_string(),
            revenue: a.revenue,
            count: a.count,
        })
        .collect();
    rank(&mut items, |i| (i.count.into(), i.revenue, &i.article_id));
    let top_by_count = items.iter().take(opts.top_n).cloned().collect();
    rank(&mut items, |i| (i.revenue, i.count.into(), &i.article_id));
    items.truncate(opts.top_n);

    let mut repeat: Vec<BuyerStat> = buyers
        .map
        .iter()
        .filter(|(_, &(count, _))| count > 1)
        .map(|(id, &(purchases, revenue))| BuyerStat {
            shared_user_id: id.to_string(),
            purchases,
            revenue,
        })
        .collect();
    rank(&mut repeat, |b| {
        (b.purchases.into(), b.revenue, &b.shared_user_id)
    });
    repeat.truncate(opts.top_n);

    Summary {
        currency: opts.currency.clone(),
        bucket_size: opts.bucket,
        buckets,
        by_sales_model: sales.finish(),
        by_payment_model,
        totals,
        previous: prev.totals(),
        top_by_revenue: items,
        top_by_count,
        top_repeat_buyers: repeat,
        payment_share,
        excluded,
        previous_excluded,
    }
}

/// The state of one summary while the purchases go by.
struct Pass<'a> {
    buckets: Vec<Bucket>,
    prev_range: std::ops::Range<Millis>,
    sales: SeriesAcc<'a>,
    payment: SeriesAcc<'a>,
    items: Map<&'a str, ItemAcc<'a>>,
    buyers: PeriodAcc<'a>,
    prev: PeriodAcc<'a>,
    excluded: Excluded,
    previous_excluded: Excluded,
}

impl<'a> Pass<'a> {
    /// Counts one purchase. Not inlined on purpose: V8 runs wasm first as baseline
    /// (Liftoff) code and replaces a function by its optimised build only between calls,
    /// so a loop over 200,000 purchases inside one call would run on baseline code to the
    /// end (the aggregate took 2-3x as long as with everything optimised up front; see
    /// BENCHMARKS.md). As a call per purchase it switches once optimised.
    #[inline(never)]
    fn add(&mut self, p: &'a Purchase) {
        let t = p.purchase_time;
        let why = Exclusion::of(p);
        if why == Some(Exclusion::DateOutOfRange) {
            self.excluded.add(Exclusion::DateOutOfRange);
            return;
        }
        let Some(i) = bucket_index(&self.buckets, t) else {
            if self.prev_range.contains(&t) {
                match why {
                    Some(why) => self.previous_excluded.add(why),
                    None => self.prev.add(p),
                }
            }
            return;
        };
        if let Some(why) = why {
            self.excluded.add(why);
            return;
        }
        let n = self.buckets.len();
        let price = i128::from(p.price);
        let b = &mut self.buckets[i];
        b.revenue += price;
        b.count += 1;
        self.sales.add(&p.sales_model, i, n, price);
        self.payment.add(&p.payment_model, i, n, price);
        self.buyers.add(p);
        let item = self.items.entry(&p.article_id).or_insert(ItemAcc {
            revenue: 0,
            count: 0,
            title: &p.title,
            url: &p.item_url,
            seen: t,
        });
        item.revenue += price;
        item.count += 1;
        if !p.title.is_empty() && (item.title.is_empty() || t >= item.seen) {
            (item.title, item.url, item.seen) = (&p.title, &p.item_url, t);
        }
    }
}

/// Sorts best first: by the key's two numbers descending, then its text ascending (a
/// deterministic order for ties). A plain `fn` key keeps one sort instance per type.
fn rank<T>(list: &mut [T], key: fn(&T) -> (i128, i128, &str)) {
    list.sort_unstable_by(|a, b| {
        let (a, b) = (key(a), key(b));
        b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then_with(|| a.2.cmp(b.2))
    });
}

/// `n / d` rounded half away from zero (0 when `d == 0`). `n` is a sum of bounded prices
/// (far below 2^126), so doubling it cannot overflow; it saturates all the same.
fn div_round(n: i128, d: u64) -> i128 {
    if d == 0 {
        return 0;
    }
    let d = i128::from(d);
    let q = n.unsigned_abs().saturating_mul(2).saturating_add(d as u128) / (d as u128 * 2);
    let q = i128::try_from(q).unwrap_or(i128::MAX);
    if n < 0 {
        -q
    } else {
        q
    }
}

struct ItemAcc<'a> {
    revenue: i128,
    count: u64,
    title: &'a str,
    url: &'a str,
    /// Time of the purchase the title was taken from.
    seen: Millis,
}

/// Totals of one period plus per-buyer counts (for unique and repeat buyers).
#[derive(Default)]
struct PeriodAcc<'a> {
    revenue: i128,
    count: u64,
    /// buyer -> (purchases, revenue)
    map: Map<&'a str, (u64, i128)>,
}

impl<'a> PeriodAcc<'a> {
    fn add(&mut self, p: &'a Purchase) {
        let price = i128::from(p.price);
        self.revenue += price;
        self.count += 1;
        // An empty id is "unknown buyer", not one shared buyer.
        if !p.shared_user_id.is_empty() {
            let e = self.map.entry(&p.shared_user_id).or_default();
            e.0 += 1;
            e.1 += price;
        }
    }

    fn totals(&self) -> Totals {
        Totals {
            revenue: self.revenue,
            purchases: self.count,
            unique_buyers: self.map.len() as u64,
            repeat_buyers: self.map.values().filter(|v| v.0 > 1).count() as u64,
            average_price: div_round(self.revenue, self.count),
        }
    }
}

/// Per-model series being filled; models are found by borrowed key, created on first use.
#[derive(Default)]
struct SeriesAcc<'a> {
    index: Map<&'a str, usize>,
    series: Vec<Series>,
}

impl<'a> SeriesAcc<'a> {
    fn add(&mut self, key: &'a str, bucket: usize, buckets: usize, price: i128) {
        let series = &mut self.series;
        let i = *self.index.entry(key).or_insert_with(|| {
            // Models beyond the cap share the last series (see `MAX_SERIES`).
            if series.len() == MAX_SERIES {
                series[MAX_SERIES - 1].models += 1;
                return MAX_SERIES - 1;
            }
            series.push(Series {
                key: key.to_string(),
                revenue: vec![0; buckets],
                count: vec![0; buckets],
                total_revenue: 0,
                total_count: 0,
                models: 1,
            });
            series.len() - 1
        });
        let s = &mut self.series[i];
        s.revenue[bucket] += price;
        s.count[bucket] += 1;
        s.total_revenue += price;
        s.total_count += 1;
    }

    fn finish(mut self) -> Vec<Series> {
        if let Some(last) = self.series.last_mut().filter(|s| s.models > 1) {
            last.key = format!("{} and {} more models", last.key, last.models - 1);
        }
        rank(&mut self.series, |s| {
            (s.total_revenue, s.total_count.into(), &s.key)
        });
        self.series
    }
}

#[cfg(test)]
mod tests {
    use super::div_round;

    #[test]
    fn rounding_half_away_from_zero() {
        assert_eq!(div_round(5, 2), 3);
        assert_eq!(div_round(-5, 2), -3);
        assert_eq!(div_round(7, 3), 2);
        assert_eq!(div_round(8, 3), 3);
        assert_eq!(div_round(i64::MAX.into(), 1), i64::MAX.into());
        assert_eq!(div_round(i128::MAX, 1), i128::MAX);
        assert_eq!(div_round(i128::MIN + 1, 1), i128::MIN + 1);
        assert_eq!(div_round(1, 0), 0);
    }
}
