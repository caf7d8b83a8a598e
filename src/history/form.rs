//! The purchase-history form: region, credentials (or a proxy), range; validated inline.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use merchant_console_core::civil::ymd;
use merchant_console_core::embed::AuthMode;
use merchant_console_core::purchases::{Comparison, FetchPlan, LocalSpan};

use merchant_console_core::credentials::{Api, CredentialKey, CredentialSource};
use merchant_console_core::url_gate::usable_base;

use super::fetch::{Loader, Request};
use super::format::esc;
use crate::config::{RuntimeConfig, LATERPAY_REGIONS};
use crate::credentials::{fill_from_vault, prefill_from_demo, SecretInput, Vault};
use crate::mounted::Mounted;
use crate::range_picker::{set_if_changed, RangePicker, SavedRange};
use crate::storage::{Fields, Store};
use crate::view::View;
use crate::zone::{now_ms, zone_by_name};

const FORM_KEY: &str = "history-form";

/// Currencies offered for a custom base URL (LaterPay's own regions fix it).
const CUSTOM_CURRENCIES: [&str; 4] = ["EUR", "USD", "GBP", "CHF"];

/// The saved fields other than the range and the comparison.
struct Saved {
    region: String,
    custom_base: String,
    currency: String,
    merchant: String,
    proxy: bool,
}

/// The currency of a region id: LaterPay prices are minor units of the region's currency.
fn region_currency(region: &str) -> Option<&'static str> {
    if region.starts_with("eu") {
        Some("EUR")
    } else if region.starts_with("us") {
        Some("USD")
    } else {
        None
    }
}

/// The saved range fields and comparison id of this form (the mount's view restores them).
pub fn saved_view(store: Store) -> (SavedRange, String) {
    let f = store.load_fields(FORM_KEY);
    (SavedRange::from_fields(&f), f.text("compare"))
}

#[component]
pub fn HistoryForm(loader: Loader) -> impl IntoView {
    let vault = expect_context::<Vault>();
    let config = expect_context::<RwSignal<Option<RuntimeConfig>>>();
    let store = expect_context::<Store>();
    // The non-secret fields are saved, so nothing typed is lost on a reload.
    let saved_fields = store.load_fields(FORM_KEY);
    let mut saved = Saved {
        region: saved_fields.text("region"),
        custom_base: saved_fields.text("custom_base"),
        currency: saved_fields.text("currency"),
        merchant: saved_fields.text("merchant"),
        proxy: saved_fields.flag("proxy"),
    };
    // What the host page set for this mount wins over what was saved.
    let embed = expect_context::<Mounted>().embed;
    let host_region = embed.laterpay_region.is_some();
    if let Some(r) = embed.laterpay_region {
        saved.region = r;
    }
    if let Some(m) = embed.merchant_id {
        saved.merchant = m;
    }
    if let Some(auth) = embed.auth {
        saved.proxy = auth == AuthMode::Proxy;
    }
    let region = RwSignal::new(if saved.region.is_empty() {
        "eu".to_string()
    } else {
        saved.region
    });
    let custom_base = RwSignal::new(saved.custom_base);
    let currency = RwSignal::new(if saved.currency.is_empty() {
        "EUR".to_string()
    } else {
        saved.currency
    });
    let merchant = RwSignal::new(saved.merchant);
    let key = RwSignal::new(String::new());
    let proxy = RwSignal::new(saved.proxy);
    // Range and comparison live with the mount's view (links, shortcuts, Back and Forward).
    let view = expect_context::<View>();
    let range = view.history_range;
    let compare = view.compare;
    let submitted = RwSignal::new(false);

    // A sandbox's demo block prefills merchant and key (as the Exports form does for Clover).
    let demo_region = (!host_region).then_some("eu-sandbox");
    prefill_from_demo(config, merchant, key, region, demo_region, |d| {
        (&d.laterpay_merchant, &d.laterpay_key)
    });
    // API keys are kept per region (or custom base) and merchant.
    let region_key = move || {
        let r = region.get();
        if r == "custom" {
            custom_base.get().trim().trim_end_matches('/').to_string()
        } else {
            r
        }
    };
    fill_from_vault(
        vault,
        move || CredentialKey::new(Api::LaterPay, &region_key(), &merchant.get()),
        key,
    );
    Effect::new(move |_| {
        let fields = Fields::default()
            .with("region", region.get())
            .with("custom_base", custom_base.get())
            .with("currency", currency.get())
            .with("merchant", merchant.get())
            .with("proxy", proxy.get())
            .with("compare", compare.get());
        store.save_fields(FORM_KEY, range.saved().into_fields(fields));
    });

    let picked = Memo::new(move |_| range.resolve(now_ms() / 60_000 * 60_000));
    let merchant_error = Signal::derive(move || {
        (!proxy.get() && merchant.get().trim().is_empty())
            .then(|| "Enter the merchant ID (the Basic-auth user name).".to_string())
    });
    let key_error = Signal::derive(move || {
        (!proxy.get() && key.get().trim().is_empty()).then(|| "Enter the API key.".to_string())
    });
    let base_error = Signal::derive(move || {
        (region.get() == "custom" && usable_base(&custom_base.get()).is_none()).then(|| {
            "Enter the base URL, starting with https:// (or a path such as /api/laterpay)."
                .to_string()
        })
    });
    let shown = move |e: Signal<Option<String>>| {
        Signal::derive(move || if submitted.get() { e.get() } else { None })
    };
    let effective_currency = move || {
        region_currency(&region.get())
            .map(str::to_string)
            .unwrap_or_else(|| currency.get())
    };

    let plan_text = move || match picked.get() {
        Ok(p) => {
            let tz = zone_by_name(&p.zone_name);
            let span = LocalSpan::new(p.range.from, p.range.to, tz);
            let choice = view.comparison();
            let other = span.compared_with(choice);
            let requests = FetchPlan::for_comparison(&span, other.as_ref())
                .chunks()
                .len();
            let days = span.days();
            let compared = span.comparison_text(choice);
            format!(
                "{} to {} ({} day{}{}, {}, {}), {compared}: {} request{}, month by month.",
                ymd(p.range.from),
                ymd(p.range.to),
                days,
                if days == 1 { "" } else { "s" },
                if p.resolved.partial {
                    ", up to now"
                } else {
                    ""
                },
                p.zone_name,
                effective_currency(),
                requests,
                if requests == 1 { "" } else { "s" },
            )
        }
        Err(e) => e,
    };

    // Starts a fetch of what the form says. `by_person` is a click on "Fetch"; otherwise
    // a link, Back/Forward or a shortcut asked, and then nothing is fetched (and no error
    // shown) unless the form is complete and names something else than what is on screen.
    let fetch = move |by_person: bool| {
        if by_person {
            submitted.set(true);
        }
        let Ok(p) = range.resolve(now_ms()) else {
            return;
        };
        if merchant_error.get_untracked().is_some()
            || key_error.get_untracked().is_some()
            || base_error.get_untracked().is_some()
        {
            return;
        }
        let Some(cfg) = config.get_untracked() else {
            return;
        };
        let region_key = region.get_untracked();
        let base_key = if region_key == "custom" {
            custom_base
                .get_untracked()
                .trim()
                .trim_end_matches('/')
                .to_string()
        } else {
            region_key.clone()
        };
        let Some(base) = cfg.laterpay_base(&base_key) else {
            return;
        };
        let tz = zone_by_name(&p.zone_name);
        let span = LocalSpan::new(p.range.from, p.range.to, tz);
        let choice = Comparison::from_id(&compare.get_untracked()).unwrap_or_default();
        let currency = effective_currency();
        let shown = loader.current_request();
        let same_view = shown.as_ref().is_some_and(|r| {
            r.span == span && r.compare == choice && r.base == base && r.currency == currency
        });
        if !by_person && same_view {
            return;
        }
        let m = merchant.get_untracked().trim().to_string();
        let credential = CredentialKey::new(Api::LaterPay, &base_key, &m);
        let source = if proxy.get_untracked() {
            CredentialSource::Proxy
        } else {
            vault.set_pasted(credential.clone(), &key.get_untracked());
            CredentialSource::Tab
        };
        let Some(auth) = vault.auth_untracked(source, &credential, now_ms()) else {
            return;
        };
        if let (Some(http), true) = (loader.http(), region_key == "custom") {
            crate::config::allow_typed_base(&http, &base);
        }
        // A range of another length gets its own automatic period per bar.
        if by_person && shown.is_some_and(|r| r.span.days() != span.days()) {
            view.choose_bucket(None);
        }
        submitted.set(false);
        loader.start(Request {
            base,
            auth,
            compare_span: span.compared_with(choice),
            compare: choice,
            span,
            range: p.range,
            zone_name: p.zone_name,
            currency,
        });
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        fetch(true);
    };
    // Loading without a click, once the configuration is read, the zone chosen in the
    // link has loaded (or failed to) and the other effects have filled the form in.
    Effect::new(move |_| {
        let zone_ready = range.zone.get() == "UTC" || crate::zone::settled();
        if !view.load_wanted.get() || config.with(Option::is_none) || !zone_ready {
            return;
        }
        gloo_timers::callback::Timeout::new(0, move || {
            // The form may have gone (another section) in the meantime.
            if submitted.try_get_untracked().is_none() || !view.load_wanted.get_untracked() {
                return;
            }
            view.load_wanted.set(false);
            fetch(false);
        })
        .forget();
    });

    let busy = move || loader.plan.with(|p| p.in_flight() > 0);

    view! {
        <form class="mc-card mc-form" on:submit=on_submit novalidate=true aria-labelledby="mc-history-form-title">
            <h3 id="mc-history-form-title">"Load purchases"</h3>
            <div class="mc-grid">
                <div class="mc-field">
                    <label for="mc-history-region">"Region"</label>
                    <select id="mc-history-region" prop:value=move || region.get()
                        on:change=move |ev| region.set(event_target_value(&ev))>
                        {LATERPAY_REGIONS.iter().map(|(id, label, _)| view! { <option value=*id>{*label}</option> }).collect_view()}
                        <option value="custom">"Custom base URL"</option>
                    </select>
                </div>
                <div class="mc-contents" hidden=move || region.get() != "custom">
                    <div class="mc-field">
                        <label for="mc-history-base">"Base URL"</label>
                        <input id="mc-history-base" type="url" placeholder="https://portal.example.com/laterpay"
                            prop:value=move || custom_base.get() on:input=move |ev| custom_base.set(event_target_value(&ev))
                            aria-invalid=move || shown(base_error).get().is_some().to_string() aria-describedby="mc-history-base-error" />
                        <p class="mc-error" id="mc-history-base-error" inner_html=move || shown(base_error).get().unwrap_or_default()></p>
                    </div>
                    <div class="mc-field">
                        <label for="mc-history-currency">"Currency of the prices"</label>
                        <select id="mc-history-currency" prop:value=move || currency.get()
                            on:change=move |ev| currency.set(event_target_value(&ev))>
                            {CUSTOM_CURRENCIES.iter().map(|c| view! { <option value=*c>{*c}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
                <div class="mc-field">
                    <label for="mc-history-merchant">"Merchant ID"</label>
                    <input id="mc-history-merchant" type="text" autocomplete="off" spellcheck="false"
                        prop:value=move || merchant.get() on:input=move |ev| merchant.set(event_target_value(&ev))
                        aria-invalid=move || shown(merchant_error).get().is_some().to_string() aria-describedby="mc-history-merchant-error" />
                    <p class="mc-error" id="mc-history-merchant-error" inner_html=move || shown(merchant_error).get().unwrap_or_default()></p>
                </div>
                <div class="mc-contents" hidden=move || proxy.get()>
                    <SecretInput id="mc-history-key" label="API key" value=key error=shown(key_error) />
                </div>
                <RangePicker state=range id_prefix="mc-history" />
                <div class="mc-field">
                    <label for="mc-history-compare">"Compare with"</label>
                    <select id="mc-history-compare" prop:value=move || view.comparison().id()
                        on:change=move |ev| set_if_changed(compare, event_target_value(&ev))>
                        <option value="previous">"Previous period"</option>
                        <option value="year">"Same period last year"</option>
                        <option value="year-weekdays">"Same period last year, weekdays matched"</option>
                        <option value="none">"No comparison"</option>
                    </select>
                </div>
            </div>
            <div class="mc-row">
                <label class="mc-check">
                    <input type="checkbox" prop:checked=move || proxy.get()
                        on:change=move |ev| proxy.set(event_target_checked(&ev)) />
                    " Credentials held by a proxy (send no Authorization header)"
                </label>
            </div>
            <p class="mc-plan" role="status" aria-live="polite" inner_html=move || esc(&plan_text())></p>
            // Nothing to remember, and no key in the page, when the proxy holds it.
            <div class="mc-contents" hidden=move || proxy.get()>
                <div class="mc-row">
                    <label class="mc-check">
                        <input type="checkbox" prop:checked=move || vault.is_remembered()
                            on:change=move |ev| vault.set_remembered(event_target_checked(&ev)) />
                        " Remember credentials on this device"
                    </label>
                    <button type="button" class="mc-secondary" hidden=move || !vault.is_remembered()
                        on:click=move |_| { vault.forget_all(); key.set(String::new()); }>
                        "Forget saved credentials"
                    </button>
                </div>
                <p class="mc-hint">
                    "The API key stays in this tab's memory unless you tick \"remember\". Anyone who can read this page can use a key typed here: a portal should rather proxy the call and add the key on its server."
                </p>
            </div>
            <button type="submit" class="mc-primary" disabled=move || picked.get().is_err() || config.with(Option::is_none) || busy()
                inner_html=move || if busy() { "Fetching…" } else { "Fetch purchases" }></button>
        </form>
    }
}
