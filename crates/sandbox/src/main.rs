//! `merchant-console-sandbox`: command line and start-up.

use clap::Parser;
use merchant_console_sandbox::{build_apps, config, Config};
use std::path::PathBuf;
use std::process::ExitCode;

/// Local simulator of the Clover Merchant Data Export API and the LaterPay
/// purchase-history API, serving the Merchant Console app from --dist.
///
/// Values come from built-in defaults, then --config, then these flags.
#[derive(Parser, Debug)]
#[command(name = "merchant-console-sandbox", version, about, long_about)]
struct Cli {
    /// Port to listen on; 0 picks a free one [default: 8787]
    #[arg(long)]
    port: Option<u16>,
    /// Address to listen on [default: 127.0.0.1]
    #[arg(long)]
    host: Option<String>,
    /// Seed of all generated data [default: 42]
    #[arg(long)]
    seed: Option<u64>,
    /// Simulated ms per real ms (0 freezes the clock) [default: 1.0]
    #[arg(long)]
    time_scale: Option<f64>,
    /// Mean Clover orders per day (weekly rhythm ±30%) [default: 400]
    #[arg(long)]
    orders_per_day: Option<u32>,
    /// Mean Clover payments per day [default: one per order]
    #[arg(long)]
    payments_per_day: Option<u32>,
    /// Mean LaterPay purchases per day [default: 150]
    #[arg(long)]
    purchases_per_day: Option<u32>,
    /// Simulated ms an export stays PENDING [default: 1000]
    #[arg(long)]
    pending_ms: Option<u64>,
    /// Simulated ms an export stays IN_PROGRESS [default: 4000]
    #[arg(long)]
    processing_ms: Option<u64>,
    /// Exports PENDING or IN_PROGRESS at once per merchant [default: 1]
    #[arg(long)]
    max_active_exports: Option<u32>,
    /// Clover requests per second per token before 429 [default: 16]
    #[arg(long)]
    rate_limit_per_s: Option<u32>,
    /// Lifetime of OAuth access tokens in seconds [default: 3600]
    #[arg(long)]
    oauth_token_ttl_s: Option<u64>,
    /// Folder with the built app (index.html) [default: dist]
    #[arg(long)]
    dist: Option<PathBuf>,
    /// Folder with the example host pages, served under /examples/ [default: examples]
    #[arg(long)]
    examples: Option<PathBuf>,
    /// Send a strict Content-Security-Policy header with the app's files and examples
    #[arg(long)]
    csp: bool,
    /// Also serve export files on this port, a second origin that never sends CORS
    /// headers; 0 picks a free one
    #[arg(long, value_name = "PORT")]
    files_port: Option<u16>,
    /// Where export file URLs point: same (the API's host), files-port (the second
    /// origin), or an origin that fronts it, e.g. https://127.0.0.1:8821 [default: same]
    #[arg(long, value_name = "HOST")]
    file_host: Option<String>,
    /// Allow this browser origin cross-origin (repeatable; adds to the config file's)
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origin: Vec<String>,
    /// JSON config file: credentials, service hours, CORS origins, any option above
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// No per-request log lines on stderr
    #[arg(long)]
    quiet: bool,
    /// Data set: "demo", or "hostile" (demo data with hostile records mixed in: formula
    /// strings, javascript: URLs, huge/zero/negative prices, 10 kB titles, RTL, emoji and
    /// control characters, missing fields, wrong types) [default: demo]
    #[arg(long, value_name = "MODE")]
    data: Option<String>,
}

fn configure(cli: Cli) -> Result<Config, String> {
    let mut c = Config::default();
    if let Some(path) = &cli.config {
        c.apply_file(config::load_file(path)?)?;
    }
    macro_rules! flag {
        ($($f:ident),*) => { $( if let Some(v) = cli.$f { c.$f = v; } )* };
    }
    flag!(
        port,
        host,
        seed,
        time_scale,
        orders_per_day,
        purchases_per_day,
        pending_ms,
        processing_ms,
        max_active_exports,
        rate_limit_per_s,
        dist,
        examples,
        oauth_token_ttl_s
    );
    c.csp |= cli.csp;
    if cli.files_port.is_some() {
        c.files_port = cli.files_port;
    }
    if let Some(h) = &cli.file_host {
        c.file_host = merchant_console_sandbox::files::FileHost::parse(h)?;
    }
    if c.file_host == merchant_console_sandbox::files::FileHost::FilesPort && c.files_port.is_none()
    {
        return Err("--file-host files-port needs --files-port".into());
    }
    if let Some(d) = &cli.data {
        c.data = merchant_console_sandbox::hostile::DataMode::parse(d)
            .ok_or_else(|| format!("--data must be demo or hostile, not {d:?}"))?;
    }
    if cli.payments_per_day.is_some() {
        c.payments_per_day = cli.payments_per_day;
    }
    c.cors_origins.extend(cli.cors_origin);
    c.log_requests = !cli.quiet;
    if !c.time_scale.is_finite() || c.time_scale < 0.0 {
        return Err("--time-scale must be a finite number >= 0".into());
    }
    if c.rate_limit_per_s == 0 {
        return Err("--rate-limit-per-s must be at least 1".into());
    }
    Ok(c)
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match configure(Cli::parse()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind((config.host.as_str(), config.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "error: cannot listen on {}:{}: {e}",
                config.host, config.port
            );
            return ExitCode::FAILURE;
        }
    };
    let port = listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or(config.port);
    let host = if config.host.contains(':') {
        format!("[{}]", config.host)
    } else {
        config.host.clone()
    };
    // The second origin for export files, when asked for.
    let files_listener = match config.files_port {
        None => None,
        Some(p) => match tokio::net::TcpListener::bind((config.host.as_str(), p)).await {
            Ok(l) => Some(l),
            Err(e) => {
                eprintln!("error: cannot listen on {}:{p} for files: {e}", config.host);
                return ExitCode::FAILURE;
            }
        },
    };
    let files_origin = files_listener
        .as_ref()
        .and_then(|l| l.local_addr().ok())
        .map(|a| format!("http://{host}:{}", a.port()));
    if !config.dist.join("index.html").is_file() {
        eprintln!(
            "note: {} has no index.html (dist/ not built yet: run trunk build)",
            config.dist.display()
        );
    }
    let apps = build_apps(config, files_origin.clone());
    let files_server = files_listener.map(|l| {
        tokio::spawn(async move {
            axum::serve(l, apps.files)
                .with_graceful_shutdown(shutdown())
                .await
        })
    });
    if let Some(origin) = &files_origin {
        println!("sandbox files on {origin}");
    }
    // The run scripts wait for exactly this line (it comes last: everything is up).
    println!("sandbox listening on http://{host}:{port}");
    let served = axum::serve(listener, apps.main)
        .with_graceful_shutdown(shutdown())
        .await;
    if let Some(files) = files_server {
        files.abort();
    }
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Ctrl+C or SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
