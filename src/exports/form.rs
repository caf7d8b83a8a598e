//! The export request form: where, who, what and when. Validates inline and says how many
//! exports the range needs before anything is sent.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use merchant_console_core::civil::ymd;
use merchant_console_core::embed::AuthMode;
use merchant_console_core::export::{exports_needed, ExportType, NewRequest, RangeLabel, Region};

use merchant_console_core::credentials::CredentialSource;
use merchant_console_core::url_gate::usable_base;

use super::runner::ExportRunner;
use crate::auth::{clover_key, SignInWithClover};
use crate::credentials::{fill_from_vault, prefill_from_demo, SecretInput};
use crate::driver::Driver;
use crate::mounted::Mounted;
use crate::range_picker::{RangePicker, SavedRange};
use crate::storage::{Fields, Store};

use crate::view::View;

const FORM_KEY: &str = "export-form";

/// The saved range fields of this form (the mount's view restores them).
pub fn saved_range(store: Store) -> SavedRange {
    SavedRange::from_fields(&store.load_fields(FORM_KEY))
}

/// The saved fields other than the range.
struct Saved {
    region: String,
    custom_base: String,
    merchant: String,
    export_type: String,
    proxy: bool,
}

#[component]
pub fn ExportForm() -> impl IntoView {
    let runner = expect_context::<ExportRunner>();
    let driver = expect_context::<Driver>();
    let store = expect_context::<Store>();
    // The non-secret fields are saved, so nothing typed is lost on a reload.
    let saved_fields = store.load_fields(FORM_KEY);
    let mut saved = Saved {
        region: saved_fields.text("region"),
        custom_base: saved_fields.text("custom_base"),
        merchant: saved_fields.text("merchant"),
        export_type: saved_fields.text("export_type"),
        proxy: saved_fields.flag("proxy"),
    };
    // What the host page set for this mount wins over what was saved.
    let embed = expect_context::<Mounted>().embed;
    let host_region = embed.clover_region.is_some();
    if let Some(r) = embed.clover_region {
        saved.region = r;
    }
    if let Some(m) = embed.merchant_id {
        saved.merchant = m;
    }
    let region = RwSignal::new(if saved.region.is_empty() {
        "us".to_string()
    } else {
        saved.region
    });
    let custom_base = RwSignal::new(saved.custom_base);
    let merchant = RwSignal::new(saved.merchant);
    let token = RwSignal::new(String::new());
    let export_type = RwSignal::new(if saved.export_type.is_empty() {
        "ORDERS".to_string()
    } else {
        saved.export_type
    });
    // The range lives with the mount's view (links, shortcuts, Back and Forward).
    let range = expect_context::<View>().exports_range;
    let submitted = RwSignal::new(false);
    // "Credentials held by the proxy": no token in the page at all. The host page's
    // choice wins over the saved one.
    let proxy = RwSignal::new(match embed.auth {
        Some(mode) => mode == AuthMode::Proxy,
        None => saved.proxy,
    });
    // Credentials are kept per region (or custom base) and merchant.
    let region_key = move || {
        let r = region.get();
        if r == "custom" {
            custom_base.get().trim().trim_end_matches('/').to_string()
        } else {
            r
        }
    };
    let credential_key = move || clover_key(&region_key(), merchant.get().trim());
    // Back from Clover's sign-in: its merchant and region fill the form.
    Effect::new(move |_| {
        if let Some((m, r)) = runner.auth.signed_in.get() {
            merchant.set(m);
            region.set(r);
        }
    });
    let oauth_signed_in = move || {
        runner
            .auth
            .is_signed_in(&region_key(), merchant.get().trim())
    };

    let demo_region = (!host_region).then_some("sandbox");
    prefill_from_demo(runner.config, merchant, token, region, demo_region, |d| {
        (&d.clover_merchant, &d.clover_token)
    });
    fill_from_vault(runner.vault, credential_key, token);
    Effect::new(move |_| {
        let fields = Fields::default()
            .with("region", region.get())
            .with("custom_base", custom_base.get())
            .with("merchant", merchant.get())
            .with("export_type", export_type.get())
            .with("proxy", proxy.get());
        store.save_fields(FORM_KEY, range.saved().into_fields(fields));
    });

    let picked = Memo::new(move |_| range.resolve(runner.now.get() / 60_000 * 60_000 + 59_999));
    let merchant_error = Signal::derive(move || {
        let m = merchant.get();
        let m = m.trim();
        if m.is_empty() {
            Some(
                "Enter the merchant ID (13 letters and digits, from your Clover dashboard)."
                    .to_string(),
            )
        } else if !m.chars().all(|c| c.is_ascii_alphanumeric()) {
            Some("A merchant ID has only letters and digits.".to_string())
        } else {
            None
        }
    });
    let token_error = Signal::derive(move || {
        (!proxy.get() && !oauth_signed_in() && token.get().trim().is_empty())
            .then(|| "Enter the API token.".to_string())
    });
    let base_error = Signal::derive(move || {
        (region.get() == "custom" && usable_base(&custom_base.get()).is_none()).then(|| {
            "Enter the base URL, starting with https:// (or a path such as /api/clover)."
                .to_string()
        })
    });
    let shown = move |e: Signal<Option<String>>| {
        Signal::derive(move || if submitted.get() { e.get() } else { None })
    };

    let plan_text = move || match picked.get() {
        Ok(p) => {
            let n = exports_needed(p.resolved.span);
            let days = p.range.days();
            let partial = if p.resolved.partial {
                ", up to now"
            } else {
                ""
            };
            format!(
                "{} to {} ({} day{}{partial}, {}): {} export{}{}",
                ymd(p.range.from),
                ymd(p.range.to),
                days,
                if days == 1 { "" } else { "s" },
                p.zone_name,
                n,
                if n == 1 { "" } else { "s" },
                if n > 1 {
                    " of up to 30 days, run one after another."
                } else {
                    "."
                }
            )
        }
        Err(e) => e,
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        let Ok(p) = range.resolve(crate::zone::now_ms()) else {
            return;
        };
        if merchant_error.get_untracked().is_some()
            || token_error.get_untracked().is_some()
            || base_error.get_untracked().is_some()
        {
            return;
        }
        let m = merchant.get_untracked().trim().to_string();
        let export_type = if export_type.get_untracked() == "PAYMENTS" {
            ExportType::Payments
        } else {
            ExportType::Orders
        };
        let region_key = region.get_untracked();
        let mut request = match Region::from_id(&region_key) {
            Some(r) => NewRequest::for_region(m.clone(), r, export_type, p.resolved.span),
            None => NewRequest {
                merchant: m.clone(),
                region: custom_base
                    .get_untracked()
                    .trim()
                    .trim_end_matches('/')
                    .to_string(),
                export_type,
                span: p.resolved.span,
                hours: None,
                label: None,
                auth: Default::default(),
            },
        };
        request = request.with_label(RangeLabel {
            range: p.range,
            zone: p.zone_name.clone(),
            partial: p.resolved.partial,
        });
        let key = clover_key(&request.region, &m);
        if proxy.get_untracked() {
            request = request.with_auth(CredentialSource::Proxy);
        } else if !runner.auth.is_signed_in(&request.region, &m) {
            runner.vault.set_pasted(key, &token.get_untracked());
        }
        if let (Some(http), true) = (driver.http(), region_key == "custom") {
            crate::config::allow_typed_base(&http, &request.region);
        }
        let result = runner.command(|q, now| {
            let added = q.add_request(request, now);
            q.credentials_updated(&m, now);
            Some(added)
        });
        match result {
            Some(Ok(_)) => {
                submitted.set(false);
                runner
                    .announce
                    .set("Export request added. Progress is shown below.".to_string());
            }
            Some(Err(e)) => runner
                .announce
                .set(format!("The request could not be added: {e}.")),
            None => {}
        }
    };

    view! {
        <form class="mc-card mc-form" on:submit=on_submit novalidate=true aria-labelledby="mc-export-form-title">
            <h3 id="mc-export-form-title">"New export"</h3>
            <div class="mc-grid">
                <div class="mc-field">
                    <label for="mc-export-region">"Region"</label>
                    <select id="mc-export-region" prop:value=move || region.get()
                        on:change=move |ev| region.set(event_target_value(&ev))>
                        {Region::ALL.iter().map(|r| view! { <option value=r.id()>{r.label()}</option> }).collect_view()}
                        <option value="custom">"Custom base URL"</option>
                    </select>
                </div>
                <Show when=move || region.get() == "custom">
                    <div class="mc-field">
                        <label for="mc-export-base">"Base URL"</label>
                        <input id="mc-export-base" type="url" placeholder="https://api.example.com/clover"
                            prop:value=move || custom_base.get() on:input=move |ev| custom_base.set(event_target_value(&ev))
                            aria-invalid=move || shown(base_error).get().is_some().to_string() aria-describedby="mc-export-base-error" />
                        <p class="mc-error" id="mc-export-base-error">{move || shown(base_error).get()}</p>
                    </div>
                </Show>
                <div class="mc-field">
                    <label for="mc-export-merchant">"Merchant ID"</label>
                    <input id="mc-export-merchant" type="text" autocomplete="off" spellcheck="false"
                        prop:value=move || merchant.get() on:input=move |ev| merchant.set(event_target_value(&ev))
                        aria-invalid=move || shown(merchant_error).get().is_some().to_string() aria-describedby="mc-export-merchant-error" />
                    <p class="mc-error" id="mc-export-merchant-error">{move || shown(merchant_error).get()}</p>
                </div>
                <SignInWithClover region merchant />
                <label class="mc-check">
                    <input type="checkbox" prop:checked=move || proxy.get()
                        on:change=move |ev| proxy.set(event_target_checked(&ev)) />
                    " Credentials held by the proxy"
                </label>
                <Show when=move || !proxy.get() && !oauth_signed_in()>
                    <SecretInput id="mc-export-token" label="API token" value=token error=shown(token_error) />
                </Show>
                <fieldset class="mc-field mc-radios">
                    <legend>"Data"</legend>
                    <label><input type="radio" name="mc-export-type" value="ORDERS"
                        prop:checked=move || export_type.get() == "ORDERS" on:change=move |_| export_type.set("ORDERS".into()) />" Orders"</label>
                    <label><input type="radio" name="mc-export-type" value="PAYMENTS"
                        prop:checked=move || export_type.get() == "PAYMENTS" on:change=move |_| export_type.set("PAYMENTS".into()) />" Payments"</label>
                </fieldset>
                <RangePicker state=range id_prefix="mc-export" />
            </div>
            <p class="mc-plan" role="status" aria-live="polite">{plan_text}</p>
            // Nothing to remember when the proxy holds the credentials.
            <Show when=move || !proxy.get()>
                <div class="mc-row">
                    <label class="mc-check">
                        <input type="checkbox" prop:checked=move || runner.vault.is_remembered()
                            on:change=move |ev| runner.vault.set_remembered(event_target_checked(&ev)) />
                        " Remember credentials on this device"
                    </label>
                    <Show when=move || runner.vault.is_remembered()>
                        <button type="button" class="mc-secondary" on:click=move |_| { runner.vault.forget_all(); token.set(String::new()); }>
                            "Forget saved credentials"
                        </button>
                    </Show>
                </div>
                <p class="mc-hint">"The token stays in this tab's memory unless you tick \"remember\"."</p>
            </Show>
            <button type="submit" class="mc-primary" disabled=move || picked.get().is_err() || !runner.leader.leading.get()>"Request export"</button>
        </form>
    }
}
