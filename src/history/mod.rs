//! The "Purchase history" section: LaterPay purchases as summary cards, charts, a table and
//! CSV.
//!
//! `form` collects where, who and when; `fetch` loads the span (and the span it is compared
//! with) month by month through the core's `FetchPlan`; `cards`, `charts` and `table` write the
//! core's `Summary` and index views as markup. Every figure is computed by the core; this
//! module only wires, formats and draws.
//!
//! Size matters (the whole app must stay small), so the dashboard is a few reactive
//! markup regions plus one set of delegated listeners, rather than a Leptos view per mark.

mod cards;
mod charts;
mod fetch;
mod form;
mod format;
mod table;

use std::sync::Arc;

use leptos::ev::{Event, FocusEvent, KeyboardEvent, MouseEvent};
use leptos::prelude::*;
use merchant_console_core::purchases::{
    summarize, view_indices, AggregateOptions, BucketSize, SortColumn, SortDir, Summary,
};

use crate::dom::{self, refocus};
use charts::data_of;
use charts::revenue::{self, Options};
pub use fetch::Loader;
use fetch::{FetchStatus, Loaded};
pub use form::saved_view;

use crate::perf;
use crate::view::View;

#[component]
pub fn HistoryPage() -> impl IntoView {
    let loader = expect_context::<Loader>();
    view! {
        <h2>"Purchase history"</h2>
        <p class="lead">"See revenue over time, by payment and sales model, top items and buyers from LaterPay."</p>
        <form::HistoryForm loader />
        <FetchStatus loader />
        {move || loader.result.get().map(|data| view! { <Dashboard data /> })}
    }
}

/// A block of markup redrawn whenever what it reads changes.
#[component]
fn Region(html: Signal<String>) -> impl IntoView {
    view! { <div class="mc-region" inner_html=html></div> }
}

/// What the person changed on the dashboard (not the data).
#[derive(Clone, Copy)]
struct Ui {
    /// The mount's view: the chosen period per bar, if any, and the stacking.
    view: View,
    /// The period per bar when none is chosen.
    auto_bucket: BucketSize,
    /// Revenue chart stacked by sales (0) or payment (1) model (the view's).
    by: RwSignal<usize>,
    hidden: RwSignal<Vec<String>>,
    show_prev: RwSignal<bool>,
    /// The bar whose tooltip shows.
    active: RwSignal<Option<usize>>,
    rev_table: RwSignal<bool>,
    share_table: RwSignal<bool>,
    /// Top items by revenue (0) or purchases (1).
    items_by: RwSignal<usize>,
    items_table: RwSignal<bool>,
    query: RwSignal<String>,
    sort: RwSignal<(SortColumn, SortDir)>,
    page: RwSignal<usize>,
    bom: RwSignal<bool>,
    semicolon: RwSignal<bool>,
    message: RwSignal<String>,
}

impl Ui {
    fn new(days: i64, view: View) -> Self {
        Ui {
            view,
            auto_bucket: BucketSize::auto(days),
            by: view.by,
            hidden: RwSignal::new(Vec::new()),
            show_prev: RwSignal::new(true),
            active: RwSignal::new(None),
            rev_table: RwSignal::new(false),
            share_table: RwSignal::new(false),
            items_by: RwSignal::new(0),
            items_table: RwSignal::new(false),
            query: RwSignal::new(String::new()),
            sort: RwSignal::new((SortColumn::PurchaseDate, SortDir::Asc)),
            page: RwSignal::new(0),
            bom: RwSignal::new(false),
            semicolon: RwSignal::new(false),
            message: RwSignal::new(String::new()),
        }
    }

    /// The period per bar (tracked).
    fn bucket(&self) -> BucketSize {
        if self.view.bucket_chosen.get() {
            self.view.bucket.get()
        } else {
            self.auto_bucket
        }
    }

    fn set_active(&self, i: Option<usize>) {
        if self.active.get_untracked() != i {
            self.active.set(i);
        }
    }
}

fn flip(s: RwSignal<bool>) {
    s.update(|v| *v = !*v);
}

/// Everything shown for one finished fetch.
#[component]
fn Dashboard(data: Arc<Loaded>) -> impl IntoView {
    let span = data.request.span.clone();
    let view = expect_context::<View>();
    let ui = Ui::new(span.days(), view);
    let compare = data
        .request
        .compare_span
        .is_some()
        .then_some(data.request.compare);
    // The comparison span on its own buckets, for the dashed line and the cards.
    let previous = {
        let data = data.clone();
        Memo::new(move |_| {
            let r = &data.request;
            // Without a comparison: an empty summary, never shown.
            let other = r.compare_span.as_ref().unwrap_or(&r.span);
            let mut options = AggregateOptions::new(other, data.now, &r.currency);
            options.bucket = ui.bucket();
            let timing = perf::start("mc-history-aggregate");
            let summary = summarize(data.previous.iter(), other, &options);
            timing.end();
            Arc::new(summary)
        })
    };
    let summary = {
        let data = data.clone();
        Memo::new(move |_| {
            let r = &data.request;
            let mut options = AggregateOptions::new(&r.span, data.now, &r.currency);
            options.bucket = ui.bucket();
            let timing = perf::start("mc-history-aggregate");
            let mut summary = summarize(data.current.iter(), &r.span, &options);
            timing.end();
            // The cards and the notice compare with the chosen span's figures.
            previous.with(|p| {
                summary.previous = p.totals;
                summary.previous_excluded = p.excluded;
            });
            Arc::new(summary)
        })
    };
    let rows = {
        let data = data.clone();
        Memo::new(move |_| {
            let (column, dir) = ui.sort.get();
            ui.query
                .with(|q| view_indices(&data.current, q, None, column, dir))
        })
    };
    let pages = move || rows.with(Vec::len).div_ceil(table::PAGE_SIZE).max(1);
    let page_now = move || ui.page.get().min(pages() - 1);

    // Runs `f` with the summary and the revenue chart's options.
    let with_rev = move |f: &dyn Fn(&Summary, Options) -> String| {
        let prev = (compare.is_some() && ui.show_prev.get()).then(|| previous.get());
        summary.with(|s| {
            ui.hidden.with(|h| {
                f(
                    s,
                    Options {
                        by: ui.by.get(),
                        hidden: h,
                        prev: prev.as_deref(),
                        prev_title: compare.map(|c| c.title()),
                    },
                )
            })
        })
    };
    let zone_name = data.request.zone_name.clone();
    let zone_for_table = zone_name.clone();

    let cards = Signal::derive(move || summary.with(|s| cards::cards_markup(s, compare)));
    let rev_head =
        Signal::derive(move || with_rev(&|s, o| revenue::head_markup(s, o, ui.rev_table.get())));
    let rev_plot = Signal::derive(move || with_rev(&revenue::plot_markup));
    let rev_tip = Signal::derive(move || match ui.active.get() {
        Some(i) => with_rev(&|s, o| revenue::tooltip_markup(s, i, o)),
        None => String::new(),
    });
    let rev_caption = Signal::derive(move || {
        summary.with(|s| format::esc(&revenue::summary_text(s, &zone_name)))
    });
    let rev_table = Signal::derive(move || {
        if ui.rev_table.get() {
            with_rev(&|s, o| revenue::table_html(s, o, &zone_for_table))
        } else {
            String::new()
        }
    });
    let share = Signal::derive(move || {
        summary.with(|s| charts::share::share_markup(s, ui.share_table.get()))
    });
    let items = Signal::derive(move || {
        summary.with(|s| charts::items::items_markup(s, ui.items_by.get(), ui.items_table.get()))
    });
    let repeat = Signal::derive(move || summary.with(|s| charts::items::repeat_markup(s)));
    let excluded = Signal::derive(move || summary.with(|s| cards::excluded_markup(s, compare)));
    let table_status = {
        let total = data.current.len();
        Signal::derive(move || {
            ui.message
                .with(|m| table::status_markup(rows.with(Vec::len), total, page_now(), m))
        })
    };
    let table_rows = {
        let data = data.clone();
        Signal::derive(move || {
            rows.with(|r| table::table_markup(&data, r, page_now(), ui.sort.get()))
        })
    };
    let pager = Signal::derive(move || table::pager_markup(page_now(), pages()));

    // One delegated listener per event type for every button, field and bar above.
    let on_click = {
        let data = data.clone();
        move |ev: MouseEvent| {
            let Some((act, id)) = data_of(ev.target(), "data-act") else {
                return;
            };
            let value = data_of(ev.target(), "data-v")
                .map(|(v, _)| v)
                .unwrap_or_default();
            let mut focus = id;
            let root = dom::root_of(ev.target());
            match act.as_str() {
                "by" => {
                    ui.by.set(value.parse().unwrap_or(0));
                    ui.hidden.set(Vec::new());
                }
                "series" if value == "prev" => flip(ui.show_prev),
                "series" => {
                    let key = value.parse::<usize>().ok().and_then(|i| {
                        summary.with_untracked(|s| {
                            let all = if ui.by.get_untracked() == 1 {
                                &s.by_payment_model
                            } else {
                                &s.by_sales_model
                            };
                            all.get(i).map(|se| se.key.clone())
                        })
                    });
                    if let Some(key) = key {
                        ui.hidden
                            .update(|h| match h.iter().position(|k| *k == key) {
                                Some(p) => {
                                    h.remove(p);
                                }
                                None => h.push(key),
                            });
                    }
                }
                "table" => match value.as_str() {
                    "rev" => flip(ui.rev_table),
                    "share" => flip(ui.share_table),
                    _ => flip(ui.items_table),
                },
                "items-by" => ui.items_by.set(value.parse().unwrap_or(0)),
                "sort" => {
                    let column = table::COLUMNS
                        [value.parse::<usize>().unwrap_or(0) % table::COLUMNS.len()]
                    .0;
                    ui.sort.update(|(c, d)| {
                        if *c == column {
                            *d = if *d == SortDir::Asc {
                                SortDir::Desc
                            } else {
                                SortDir::Asc
                            };
                        } else {
                            (*c, *d) = (column, SortDir::Asc);
                        }
                    });
                    ui.page.set(0);
                }
                "page" => {
                    let p = page_now();
                    let next = if value == "prev" {
                        p.saturating_sub(1)
                    } else {
                        (p + 1).min(pages() - 1)
                    };
                    ui.page.set(next);
                    // A button that becomes disabled cannot keep focus: move to the other one.
                    if next == 0 {
                        focus = "mc-page-next".into();
                    } else if next + 1 >= pages() {
                        focus = "mc-page-prev".into();
                    }
                }
                "csv" => {
                    let message = rows.with_untracked(|r| {
                        table::download(
                            &data,
                            r,
                            ui.bom.get_untracked(),
                            ui.semicolon.get_untracked(),
                        )
                    });
                    ui.message.set(message);
                    return;
                }
                _ => return,
            }
            refocus(root, focus);
        }
    };
    let on_change = move |ev: Event| {
        let id = data_of(ev.target(), "id")
            .map(|(v, _)| v)
            .unwrap_or_default();
        match id.as_str() {
            "mc-history-bucket" => {
                ui.set_active(None);
                view.choose_bucket(Some(match event_target_value(&ev).as_str() {
                    "month" => BucketSize::Month,
                    "week" => BucketSize::Week,
                    _ => BucketSize::Day,
                }));
                refocus(dom::root_of(ev.target()), id);
            }
            "mc-history-bom" => ui.bom.set(event_target_checked(&ev)),
            "mc-history-semicolon" => ui.semicolon.set(event_target_checked(&ev)),
            _ => {}
        }
    };
    let on_input = move |ev: Event| {
        if data_of(ev.target(), "id").is_some_and(|(id, _)| id == "mc-history-filter") {
            ui.query.set(event_target_value(&ev));
            ui.page.set(0);
        }
    };
    let bar_at = |target| data_of(target, "data-index").and_then(|(v, _)| v.parse::<usize>().ok());
    let on_keydown = move |ev: KeyboardEvent| {
        let Some(i) = bar_at(ev.target()) else { return };
        let n = summary.with_untracked(|s| s.buckets.len());
        let next = match ev.key().as_str() {
            "ArrowRight" | "ArrowDown" => (i + 1).min(n.saturating_sub(1)),
            "ArrowLeft" | "ArrowUp" => i.saturating_sub(1),
            "Home" => 0,
            "End" => n.saturating_sub(1),
            "Escape" => {
                ui.set_active(None);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        if let Some(root) = dom::root_of(ev.target()) {
            dom::focus_id(&root, &format!("mc-rev-bar-{next}"));
        }
    };
    let on_focusin = move |ev: FocusEvent| ui.set_active(bar_at(ev.target()));
    let on_focusout = move |_: FocusEvent| ui.set_active(None);
    let on_mouseover = move |ev: MouseEvent| match bar_at(ev.target()) {
        Some(i) => ui.set_active(Some(i)),
        // Leaving the bars hides a hover tooltip, not the one of a focused bar.
        None => {
            let focused = dom::root_of(ev.target())
                .and_then(|root| dom::active_element(&root))
                .and_then(|el| el.get_attribute("data-index"));
            if focused.is_none() {
                ui.set_active(None);
            }
        }
    };

    let r = &data.request;
    let days = span.days();
    let plural = if days == 1 { "" } else { "s" };
    let compared = span.comparison_text(r.compare);
    let context = format!(
        "{days} day{plural}, days in {}, amounts in {}; {compared}.",
        r.zone_name, r.currency,
    );
    let empty = data.current.is_empty();
    // Effects run once the view is in the page: the end of `mc-history-render`.
    Effect::new(move |_| perf::render_done());
    let empty_text = match compare {
        Some(c) => format!(
            "The {} had {}.",
            c.label(),
            format::plural(data.previous.len() as u64, "purchase", "purchases")
        ),
        None => String::new(),
    };
    view! {
        <section class="mc-history-results" aria-labelledby="mc-history-results-title"
            data-from=format::ymd(span.from) data-to=format::ymd(span.to)
            on:click=on_click on:change=on_change on:input=on_input on:keydown=on_keydown
            on:focusin=on_focusin on:focusout=on_focusout on:mouseover=on_mouseover>
            <h3 id="mc-history-results-title">{format!("Purchases {} to {}", format::ymd(span.from), format::ymd(span.to))}</h3>
            <p class="mc-muted">{context}</p>
            <div class="mc-region" role="status" inner_html=excluded></div>
            <div class="mc-card" hidden=!empty>
                <p class="mc-empty">"No purchases in this range."</p>
                <p class="mc-muted">{empty_text}</p>
            </div>
            <div class="mc-history-dashboard" hidden=empty>
                <div inner_html=charts::defs_markup()></div>
                <ul class="mc-history-cards" aria-label="Summary" inner_html=cards></ul>
                <figure class="mc-card mc-chart mc-revenue-chart" aria-label="Revenue over time">
                    <Region html=rev_head />
                    <div class="mc-plot-wrap" on:mouseleave=move |_| ui.set_active(None)>
                        <Region html=rev_plot />
                        <div class="mc-tip-layer" inner_html=rev_tip></div>
                    </div>
                    <figcaption class="mc-chart-summary" inner_html=rev_caption></figcaption>
                    <Region html=rev_table />
                </figure>
                <div class="mc-history-pair">
                    <Region html=share />
                    <Region html=items />
                </div>
                <details class="mc-card mc-repeat">
                    <summary>"Repeat buyers"</summary>
                    <Region html=repeat />
                </details>
                <section class="mc-card mc-history-table" aria-labelledby="mc-history-table-title">
                    <h4 id="mc-history-table-title">"Purchases"</h4>
                    <div inner_html=table::tools_markup()></div>
                    <Region html=table_status />
                    <Region html=table_rows />
                    <Region html=pager />
                </section>
            </div>
        </section>
    }
}
