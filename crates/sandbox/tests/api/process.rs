//! The real binary: --help, port 0, the start-up line, log lines without secrets,
//! the config file.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

const EXE: &str = env!("CARGO_BIN_EXE_merchant-console-sandbox");

/// Starts the binary and returns it with its port (from the start-up line).
fn spawn(args: &[&str]) -> (Child, u16) {
    let mut child = Command::new(EXE)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .strip_prefix("sandbox listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected start-up line {line:?}"))
        .parse()
        .unwrap();
    assert_ne!(port, 0);
    (child, port)
}

/// A raw HTTP/1.1 GET; returns the whole response text.
fn get(port: u16, path: &str, auth: Option<&str>) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let auth = auth
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn stop(mut child: Child) -> String {
    child.kill().unwrap();
    child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    err
}

#[test]
fn help_lists_the_options() {
    let out = Command::new(EXE).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--port",
        "--host",
        "--seed",
        "--time-scale",
        "--orders-per-day",
        "--payments-per-day",
        "--purchases-per-day",
        "--pending-ms",
        "--processing-ms",
        "--max-active-exports",
        "--dist",
        "--config",
        "--cors-origin",
        "--files-port",
        "--file-host",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
}

#[test]
fn port_zero_logs_requests_without_credentials() {
    let (child, port) = spawn(&["--port", "0", "--dist", "/nonexistent-dist"]);
    assert!(get(port, "/health", None).contains(r#"{"status":"ok"}"#));
    let poll = get(
        port,
        "/clover/sandbox/v3/merchants/DEMOMERCHANT1/exports/NOSUCHEXPORT1",
        Some("Bearer sandbox-token-1"),
    );
    assert!(poll.starts_with("HTTP/1.1 404"));
    // Basic demo-merchant:demo-api-key
    let lp = get(
        port,
        "/laterpay/eu/merchant/purchase-history?from_date=2024-01-01&to_date=2024-01-01",
        Some("Basic ZGVtby1tZXJjaGFudDpkZW1vLWFwaS1rZXk="),
    );
    assert!(lp.starts_with("HTTP/1.1 200"));
    let log = stop(child);
    assert!(log.contains("GET /health 200"), "{log}");
    assert!(
        log.contains("GET /clover/sandbox/v3/merchants/DEMOMERCHANT1/exports/NOSUCHEXPORT1 404"),
        "{log}"
    );
    assert!(
        log.contains("GET /laterpay/eu/merchant/purchase-history 200"),
        "{log}"
    );
    for secret in [
        "sandbox-token-1",
        "ZGVtby1tZXJjaGFudDpkZW1vLWFwaS1rZXk",
        "demo-api-key",
        "Authorization",
        "from_date",
    ] {
        assert!(!log.contains(secret), "log shows {secret}: {log}");
    }
}

#[test]
fn config_file_then_flags() {
    let path = std::env::temp_dir().join(format!("mc-sandbox-config-{}.json", std::process::id()));
    std::fs::write(
        &path,
        r#"{"port": 1, "clover": {"merchants": [{"id": "CFGMERCHANT01", "token": "cfg-token"}]},
            "laterpay": {"merchants": [{"id": "lp-cfg", "key": "lp-key"}]}}"#,
    )
    .unwrap();
    // --port 0 overrides the file's port 1.
    let (child, port) = spawn(&["--config", path.to_str().unwrap(), "--port", "0", "--quiet"]);
    let cfg = get(port, "/config.json", None);
    assert!(
        cfg.contains(r#""clover_merchant":"CFGMERCHANT01""#),
        "{cfg}"
    );
    assert!(cfg.contains(r#""laterpay_key":"lp-key""#), "{cfg}");
    let log = stop(child);
    assert!(!log.contains("GET /config.json"), "--quiet: {log}");

    std::fs::write(&path, r#"{"prot": 1}"#).unwrap();
    let out = Command::new(EXE)
        .args(["--config", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("prot"));
    std::fs::remove_file(&path).ok();
}

#[test]
fn files_port_opens_a_second_origin_for_files() {
    let mut child = Command::new(EXE)
        .args([
            "--port",
            "0",
            "--files-port",
            "0",
            "--file-host",
            "files-port",
            "--quiet",
            "--dist",
            "/nonexistent-dist",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let files_line = lines.next().unwrap().unwrap();
    let files_port: u16 = files_line
        .strip_prefix("sandbox files on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected line {files_line:?}"))
        .parse()
        .unwrap();
    let main_line = lines.next().unwrap().unwrap();
    let port: u16 = main_line
        .strip_prefix("sandbox listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected line {main_line:?}"))
        .parse()
        .unwrap();
    assert_ne!(files_port, port);
    assert!(get(files_port, "/health", None).contains(r#"{"status":"ok"}"#));
    let settings = get(port, "/__sandbox/files", None);
    assert!(
        settings.contains(&format!(
            r#""files_origin":"http://127.0.0.1:{files_port}""#
        )),
        "{settings}"
    );
    assert!(settings.contains(r#""host":"files-port""#), "{settings}");
    stop(child);

    // files-port without a second listener is refused at start-up.
    let out = Command::new(EXE)
        .args(["--file-host", "files-port"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--files-port"));
}
