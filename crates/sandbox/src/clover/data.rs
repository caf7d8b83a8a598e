//! Deterministic Clover orders and payments.
//!
//! Every object is a pure function of (seed, merchant, type, UTC day, index in day):
//! a day's count comes from the configured per-day base with a weekly rhythm, its
//! createdTimes cluster around lunch and dinner, and all of them lie inside that day.
//! So a range yields the same objects however it is split, and `/__sandbox/clover/count`
//! can recount any span with the same code that fills the export files.
//!
//! Generation is two-step: cheap `Core`s (time, amount, index) for counting and
//! slicing files, then full objects only for the slice a file download needs.

use crate::civil::{day_of_ms, weekday, DAY_MS};
use crate::rng::{clover_id, hash_str, mix, Rng};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportType {
    Orders,
    Payments,
}

impl ExportType {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ORDERS" => Some(Self::Orders),
            "PAYMENTS" => Some(Self::Payments),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Orders => "ORDERS",
            Self::Payments => "PAYMENTS",
        }
    }
}

/// Weekly rhythm, Monday first: quiet start of the week, busy Friday/Saturday (±30%).
const WEEKLY: [f64; 7] = [0.72, 0.85, 0.95, 1.0, 1.15, 1.3, 1.05];

// Salts that separate the independent random streams of one object.
const S_COUNT: u64 = 0xC0;
const S_TIMES: u64 = 0x71;
const S_AMOUNT: u64 = 0xA3;
const S_ATTR: u64 = 0xB7;
const S_ID: u64 = 0x1D;
const S_DELAY: u64 = 0xDE;

/// The cheap part of one object: enough to filter, count, sum and slice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Core {
    pub day: i64,
    /// Position within its day's createdTime order; the key of its attributes.
    pub index: u32,
    pub created: i64,
    /// Order total or payment amount, cents.
    pub amount: i64,
    /// Payments: index of the paid order in the same day (u32::MAX = none).
    pub link: u32,
}

#[derive(Clone, Debug)]
pub struct Generator {
    pub seed: u64,
    pub orders_per_day: u32,
    /// `None`: one payment per order, a little after it.
    pub payments_per_day: Option<u32>,
}

/// Objects for a day: base count * weekday factor * ±10% noise.
pub fn day_count(base: u32, key: u64, day: i64) -> usize {
    if base == 0 {
        return 0;
    }
    let noise = 0.9 + 0.2 * Rng::new(mix(key, S_COUNT)).unit();
    (f64::from(base) * WEEKLY[weekday(day)] * noise).round() as usize
}

/// Roughly normal (mean 0, sd 1, within ±3): sum of three uniforms.
fn bell(r: &mut Rng) -> f64 {
    (r.unit() + r.unit() + r.unit() - 1.5) * 2.0
}

/// Millisecond of the day: lunch and dinner peaks plus a thin all-day spread.
pub fn time_of_day(r: &mut Rng, lunch_h: f64, evening_h: f64) -> i64 {
    const H: f64 = 3_600_000.0;
    let ms = match r.weighted(&[45, 40, 15]) {
        0 => lunch_h * H + bell(r) * 1.5 * H,
        1 => evening_h * H + bell(r) * 2.0 * H,
        _ => r.unit() * DAY_MS as f64,
    };
    (ms as i64).clamp(0, DAY_MS - 1)
}

/// Sorted instants of `n` objects inside `day`.
pub fn day_times(key: u64, day: i64, n: usize, lunch_h: f64, evening_h: f64) -> Vec<i64> {
    let mut r = Rng::new(mix(key, S_TIMES));
    let start = day * DAY_MS;
    let mut v: Vec<i64> = (0..n)
        .map(|_| start + time_of_day(&mut r, lunch_h, evening_h))
        .collect();
    v.sort_unstable();
    v
}

fn order_total(okey: u64, index: u32) -> i64 {
    let mut r = Rng::new(mix(okey ^ S_AMOUNT, u64::from(index)));
    let u = r.unit();
    // Mostly small tickets, a long tail of big ones: 3.00 .. ~150.00.
    300 + (u * u * u * 12_000.0) as i64 + r.range(0, 2_500)
}

impl Generator {
    fn merchant_key(&self, merchant: &str) -> u64 {
        mix(self.seed, hash_str(merchant))
    }

    fn day_key(&self, merchant: &str, kind: ExportType, day: i64) -> u64 {
        mix(
            mix(self.merchant_key(merchant), kind as u64 + 1),
            day as u64,
        )
    }

    /// All objects of one type created on one UTC day, in createdTime order.
    pub fn day_cores(&self, kind: ExportType, merchant: &str, day: i64) -> Vec<Core> {
        let okey = self.day_key(merchant, ExportType::Orders, day);
        match kind {
            ExportType::Orders => {
                let n = day_count(self.orders_per_day, okey, day);
                day_times(okey, day, n, 12.25, 18.5)
                    .into_iter()
                    .enumerate()
                    .map(|(i, created)| Core {
                        day,
                        index: i as u32,
                        created,
                        amount: order_total(okey, i as u32),
                        link: u32::MAX,
                    })
                    .collect()
            }
            ExportType::Payments => {
                let pkey = self.day_key(merchant, ExportType::Payments, day);
                let day_end = (day + 1) * DAY_MS - 1;
                let mut v: Vec<Core> = match self.payments_per_day {
                    None => self
                        .day_cores(ExportType::Orders, merchant, day)
                        .into_iter()
                        .map(|o| {
                            let mut r = Rng::new(mix(pkey ^ S_DELAY, u64::from(o.index)));
                            Core {
                                day,
                                index: 0,
                                created: (o.created + r.range(5_000, 900_000)).min(day_end),
                                amount: o.amount,
                                link: o.index,
                            }
                        })
                        .collect(),
                    Some(base) => {
                        let orders = day_count(self.orders_per_day, okey, day) as u64;
                        let n = day_count(base, pkey, day);
                        day_times(pkey, day, n, 12.5, 18.75)
                            .into_iter()
                            .enumerate()
                            .map(|(i, created)| Core {
                                day,
                                index: 0,
                                created,
                                amount: order_total(pkey, i as u32),
                                link: if orders == 0 {
                                    u32::MAX
                                } else {
                                    (i as u64 * orders / n as u64) as u32
                                },
                            })
                            .collect()
                    }
                };
                v.sort_by_key(|c| (c.created, c.link));
                for (i, c) in v.iter_mut().enumerate() {
                    c.index = i as u32;
                }
                v
            }
        }
    }

    /// Objects with createdTime in [start, end], both ends INCLUSIVE, in createdTime
    /// order (then by day index, which is stable).
    pub fn cores_in_range(
        &self,
        kind: ExportType,
        merchant: &str,
        start: i64,
        end: i64,
    ) -> Vec<Core> {
        let mut out = Vec::new();
        if end < start {
            return out;
        }
        for day in day_of_ms(start)..=day_of_ms(end) {
            out.extend(
                self.day_cores(kind, merchant, day)
                    .into_iter()
                    .filter(|c| c.created >= start && c.created <= end),
            );
        }
        out
    }

    /// (count, sum of amounts) over [start, end] inclusive.
    pub fn count_sum(&self, kind: ExportType, merchant: &str, start: i64, end: i64) -> (u64, i64) {
        let mut n = 0u64;
        let mut sum = 0i64;
        if end < start {
            return (0, 0);
        }
        for day in day_of_ms(start)..=day_of_ms(end) {
            for c in self.day_cores(kind, merchant, day) {
                if c.created >= start && c.created <= end {
                    n += 1;
                    sum += c.amount;
                }
            }
        }
        (n, sum)
    }

    fn pool_id(&self, merchant: &str, what: u64, k: u64) -> String {
        clover_id(mix(self.merchant_key(merchant) ^ what, k))
    }

    fn order_id(&self, merchant: &str, day: i64, index: u32) -> String {
        let okey = self.day_key(merchant, ExportType::Orders, day);
        clover_id(mix(okey ^ S_ID, u64::from(index)))
    }

    /// The full order object of a core.
    pub fn order(&self, merchant: &str, currency: &'static str, c: &Core) -> Order {
        let okey = self.day_key(merchant, ExportType::Orders, c.day);
        let mut r = Rng::new(mix(okey ^ S_ATTR, u64::from(c.index)));
        let payment_state = [
            "PAID",
            "OPEN",
            "REFUNDED",
            "PARTIALLY_REFUNDED",
            "CREDITED",
            "PARTIALLY_PAID",
        ][r.weighted(&[86, 4, 3, 4, 1, 2])];
        let pay_type =
            ["FULL", "SPLIT_GUEST", "SPLIT_ITEM", "SPLIT_CUSTOM"][r.weighted(&[88, 5, 4, 3])];
        let title = match r.weighted(&[40, 40, 12, 8]) {
            0 => String::new(),
            1 => format!("Table {}", r.range(1, 24)),
            2 => "Takeout".into(),
            _ => "Bar".into(),
        };
        let note = if r.chance(0.12) {
            r.pick(&NOTES).to_string()
        } else {
            String::new()
        };
        let employee = self.pool_id(merchant, 0xE, r.range(0, 5) as u64);
        let device = self.pool_id(merchant, 0xD, r.range(0, 2) as u64);
        let client_created = c.created - r.range(50, 3_000);
        let modified = c.created + r.range(1_000, 1_200_000);
        let manual = r.chance(0.02);
        // Line items whose prices add up to the total.
        let n = r.range(1, 4) as usize;
        let weights: Vec<i64> = (0..n).map(|_| r.range(1, 10)).collect();
        let wsum: i64 = weights.iter().sum();
        let mut left = c.amount;
        let elements = weights
            .iter()
            .enumerate()
            .map(|(k, w)| {
                let price = if k + 1 == n {
                    left
                } else {
                    c.amount * w / wsum
                };
                left -= price;
                LineItem {
                    id: clover_id(mix(okey ^ S_ID ^ 0xF00, u64::from(c.index) * 8 + k as u64)),
                    name: r.pick(&ITEMS).to_string(),
                    price,
                    printed: true,
                }
            })
            .collect();
        Order {
            id: self.order_id(merchant, c.day, c.index),
            currency,
            total: c.amount,
            payment_state,
            state: if payment_state == "OPEN" {
                "open"
            } else {
                "locked"
            },
            pay_type,
            title,
            note,
            created_time: c.created,
            client_created_time: client_created,
            modified_time: modified,
            employee: Ref { id: employee },
            device: Ref { id: device },
            manual_transaction: manual,
            test_mode: false,
            line_items: Some(Elements { elements }),
        }
    }

    /// The full payment object of a core.
    pub fn payment(&self, merchant: &str, c: &Core) -> Payment {
        let pkey = self.day_key(merchant, ExportType::Payments, c.day);
        let mut r = Rng::new(mix(pkey ^ S_ATTR, u64::from(c.index)));
        let tender_k = r.weighted(&[70, 15, 15]);
        let (label, label_key) = TENDERS[tender_k];
        let card = tender_k < 2;
        let tax = (c.amount as f64 * 0.08 / 1.08).round() as i64;
        let tip = if card && r.chance(0.4) {
            c.amount * r.range(10, 20) / 100
        } else {
            0
        };
        let cashback = if tender_k == 1 && r.chance(0.05) {
            2_000
        } else {
            0
        };
        let result = ["SUCCESS", "FAIL", "VOIDED", "AUTH"][r.weighted(&[96, 2, 1, 1])];
        let order = if c.link == u32::MAX {
            clover_id(mix(pkey ^ S_ID ^ 0x0DD, u64::from(c.index)))
        } else {
            self.order_id(merchant, c.day, c.link)
        };
        let card_transaction = card.then(|| {
            let (card_type, prefix) = CARDS[r.weighted(&[50, 30, 12, 8])];
            let first6 = format!(
                "{prefix}{}",
                r.range(
                    10_i64.pow(6 - prefix.len() as u32 - 1),
                    10_i64.pow(6 - prefix.len() as u32) - 1
                )
            );
            CardTransaction {
                card_type,
                entry_type: ENTRY_TYPES[r.weighted(&[45, 35, 15, 5])],
                kind: "AUTH",
                state: "CLOSED",
                last4: format!("{:04}", r.range(0, 9_999)),
                first6,
                auth_code: clover_id(r.next_u64())[..6].to_string(),
            }
        });
        Payment {
            id: clover_id(mix(pkey ^ S_ID, u64::from(c.index))),
            order: Ref { id: order },
            device: Ref {
                id: self.pool_id(merchant, 0xD, r.range(0, 2) as u64),
            },
            employee: Ref {
                id: self.pool_id(merchant, 0xE, r.range(0, 5) as u64),
            },
            tender: Tender {
                id: self.pool_id(merchant, 0x7E, tender_k as u64),
                label,
                label_key,
            },
            amount: c.amount,
            tip_amount: tip,
            tax_amount: tax,
            cashback_amount: cashback,
            result,
            offline: r.chance(0.01),
            created_time: c.created,
            client_created_time: c.created - r.range(20, 1_500),
            modified_time: c.created + r.range(500, 60_000),
            card_transaction,
        }
    }

    /// `{"elements":[...]}` for the given cores.
    pub fn file_body(
        &self,
        kind: ExportType,
        merchant: &str,
        currency: &'static str,
        cores: &[Core],
    ) -> Vec<u8> {
        let body = match kind {
            ExportType::Orders => serde_json::to_vec(&Elements {
                elements: cores
                    .iter()
                    .map(|c| self.order(merchant, currency, c))
                    .collect(),
            }),
            ExportType::Payments => serde_json::to_vec(&Elements {
                elements: cores.iter().map(|c| self.payment(merchant, c)).collect(),
            }),
        };
        body.expect("plain structs serialise")
    }
}

const NOTES: [&str; 5] = [
    "No onions",
    "Extra napkins",
    "Birthday - bring candle",
    "Allergy: nuts",
    "Pick-up at 6",
];
const ITEMS: [&str; 10] = [
    "Espresso",
    "Cappuccino",
    "Bagel",
    "Croissant",
    "Club Sandwich",
    "Caesar Salad",
    "Soup of the Day",
    "Iced Tea",
    "Blueberry Muffin",
    "Lemonade",
];
const TENDERS: [(&str, &str); 3] = [
    ("Credit Card", "com.clover.tender.credit_card"),
    ("Debit Card", "com.clover.tender.debit_card"),
    ("Cash", "com.clover.tender.cash"),
];
const ENTRY_TYPES: [&str; 4] = ["EMV_CONTACT", "EMV_CONTACTLESS", "SWIPED", "KEYED"];
const CARDS: [(&str, &str); 4] = [
    ("VISA", "4"),
    ("MC", "5"),
    ("AMEX", "37"),
    ("DISCOVER", "6011"),
];

#[derive(Serialize)]
pub struct Ref {
    pub id: String,
}

#[derive(Serialize)]
pub struct Elements<T> {
    pub elements: Vec<T>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItem {
    pub id: String,
    pub name: String,
    pub price: i64,
    pub printed: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub id: String,
    pub currency: &'static str,
    pub total: i64,
    pub payment_state: &'static str,
    pub state: &'static str,
    pub pay_type: &'static str,
    pub title: String,
    pub note: String,
    pub created_time: i64,
    pub client_created_time: i64,
    pub modified_time: i64,
    pub employee: Ref,
    pub device: Ref,
    pub manual_transaction: bool,
    pub test_mode: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_items: Option<Elements<LineItem>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tender {
    pub id: String,
    pub label: &'static str,
    pub label_key: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardTransaction {
    pub card_type: &'static str,
    pub entry_type: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub state: &'static str,
    pub last4: String,
    pub first6: String,
    pub auth_code: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub id: String,
    pub order: Ref,
    pub device: Ref,
    pub employee: Ref,
    pub tender: Tender,
    pub amount: i64,
    pub tip_amount: i64,
    pub tax_amount: i64,
    pub cashback_amount: i64,
    pub result: &'static str,
    pub offline: bool,
    pub created_time: i64,
    pub client_created_time: i64,
    pub modified_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_transaction: Option<CardTransaction>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generator(payments: Option<u32>) -> Generator {
        Generator {
            seed: 42,
            orders_per_day: 400,
            payments_per_day: payments,
        }
    }

    #[test]
    fn days_are_sorted_inside_the_day_and_stable() {
        for payments in [None, Some(250)] {
            let g = generator(payments);
            for kind in [ExportType::Orders, ExportType::Payments] {
                let cores = g.day_cores(kind, "M", 19_000);
                assert!(cores.len() > 200);
                assert!(cores.windows(2).all(|w| w[0].created <= w[1].created));
                assert!(cores
                    .iter()
                    .all(|c| c.created >= 19_000 * DAY_MS && c.created < 19_001 * DAY_MS));
                assert_eq!(cores, g.day_cores(kind, "M", 19_000));
            }
        }
    }

    #[test]
    fn weekly_rhythm_and_line_items_add_up() {
        let g = generator(None);
        let counts: Vec<usize> = (0..7)
            .map(|d| g.day_cores(ExportType::Orders, "M", 19_000 + d).len())
            .collect();
        assert!(counts.iter().max().unwrap() - counts.iter().min().unwrap() > 80);
        let c = g.day_cores(ExportType::Orders, "M", 19_000)[5];
        let o = g.order("M", "USD", &c);
        let items: i64 = o.line_items.unwrap().elements.iter().map(|l| l.price).sum();
        assert_eq!(items, o.total);
        assert_eq!(o.id.len(), 13);
    }

    #[test]
    fn mirrored_payments_pay_their_orders() {
        let g = generator(None);
        let orders = g.day_cores(ExportType::Orders, "M", 19_000);
        let payments = g.day_cores(ExportType::Payments, "M", 19_000);
        assert_eq!(orders.len(), payments.len());
        let p = &payments[3];
        let paid = g.payment("M", p);
        assert_eq!(paid.order.id, g.order_id("M", 19_000, p.link));
        assert_eq!(paid.amount, orders[p.link as usize].amount);
    }
}
