//! Export files on a second origin without CORS, and the portal's files proxy.

use crate::common::*;
use serde_json::json;

/// A finished 2-day export in the sandbox region; returns its poll answer.
async fn finished_export(sb: &Sandbox) -> serde_json::Value {
    sb.freeze(noon()).await;
    let e = sb
        .create_ok("ORDERS", noon() - 2 * 24 * HOUR, noon() - 1)
        .await;
    sb.advance(10_000).await;
    let id = e["id"].as_str().unwrap().to_string();
    let done = sb.poll_ok(&id).await;
    assert_eq!(done["status"], "DONE");
    done
}

fn urls(export: &serde_json::Value) -> Vec<String> {
    export["exportUrls"]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["url"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn file_urls_move_to_the_second_origin_which_never_sends_cors_headers() {
    let mut config = config();
    // Even with a CORS origin configured for the API, the file origin sends none.
    config.cors_origins = vec!["http://page.example".into()];
    let (sb, files) = start_with_files(config).await;
    let same = urls(&finished_export(&sb).await);
    assert!(same
        .iter()
        .all(|u| u.starts_with(&format!("{}/clover/files/", sb.base))));

    let r = sb
        .post_json("/__sandbox/files", json!({"host": "files-port"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["files_origin"], files.as_str());
    let id = sb.get("/__sandbox/exports").await.json()["exports"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let moved = urls(&sb.poll_ok(&id).await);
    assert_eq!(moved.len(), same.len());
    for (m, s) in moved.iter().zip(&same) {
        // Same token, other origin.
        assert_eq!(m.strip_prefix(&files), s.strip_prefix(&sb.base));
        let r = sb
            .send(sb.http.get(m).header("Origin", "http://page.example"))
            .await;
        assert_eq!(r.status, 200);
        assert!(r.headers.get("access-control-allow-origin").is_none());
        assert!(!r.json()["elements"].as_array().unwrap().is_empty());
        // The API origin does send them, so the difference is the file host's.
        let api = sb
            .send(sb.http.get(s).header("Origin", "http://page.example"))
            .await;
        assert_eq!(
            api.headers.get("access-control-allow-origin").unwrap(),
            "http://page.example"
        );
        assert_eq!(api.text, r.text);
    }
    // The second origin serves files only.
    let r = sb.get(&format!("{files}/__sandbox/exports")).await;
    assert_eq!(r.status, 404);
    // A reset goes back to the start-up setting.
    sb.post_json("/__sandbox/reset", json!({})).await;
    assert_eq!(sb.get("/__sandbox/files").await.json()["host"], "same");
}

#[tokio::test]
async fn the_files_proxy_forwards_only_this_sandboxs_own_file_urls() {
    let (sb, files) = start_with_files(config()).await;
    sb.post_json("/__sandbox/files", json!({"host": "files-port"}))
        .await;
    let export = finished_export(&sb).await;
    let url = &urls(&export)[0];
    let direct = sb.get(url).await;
    assert_eq!(direct.status, 200);
    let via = sb
        .get(&format!("/portal-api/clover-files?url={}", encode(url)))
        .await;
    assert_eq!(via.status, 200, "{}", via.text);
    assert_eq!(via.text, direct.text);
    // The main origin's form of the same file is also its own.
    let main_form = url.replace(&files, &sb.base);
    let r = sb
        .get(&format!(
            "/portal-api/clover-files?url={}",
            encode(&main_form)
        ))
        .await;
    assert_eq!(r.status, 200);

    let token = url.rsplit('/').next().unwrap();
    for refused in [
        format!("https://evil.example/clover/files/{token}"),
        format!("http://evil.example/clover/files/{token}"),
        format!(
            "http://user@{}/clover/files/{token}",
            files.trim_start_matches("http://")
        ),
        format!("{files}/__sandbox/exports"),
        format!("{}/__sandbox/reset", sb.base),
        format!("{files}/clover/files/../../__sandbox/exports"),
        "javascript:alert(1)".to_string(),
        "file:///etc/passwd".to_string(),
    ] {
        let r = sb
            .get(&format!(
                "/portal-api/clover-files?url={}",
                encode(&refused)
            ))
            .await;
        assert_eq!(r.status, 403, "{refused}: {}", r.text);
        assert!(r.message().contains("only this sandbox's export file URLs"));
    }
    let r = sb.get("/portal-api/clover-files").await;
    assert_eq!(r.status, 400);
    // An unknown token of an own origin is the file route's own 404.
    let r = sb
        .get(&format!(
            "/portal-api/clover-files?url={}",
            encode(&format!("{files}/clover/files/0123abcd"))
        ))
        .await;
    assert_eq!(r.status, 404);
    let stats = sb.get("/__sandbox/stats").await.json();
    assert_eq!(stats["by_route"]["files-proxy"]["by_status"]["200"], 2);
}

#[tokio::test]
async fn a_fronting_origin_is_used_for_urls_and_accepted_by_the_proxy() {
    let (sb, _files) = start_with_files(config()).await;
    let r = sb
        .post_json(
            "/__sandbox/files",
            json!({"host": "https://127.0.0.1:9443/", "proxy_in_config": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["host"], "https://127.0.0.1:9443");
    let export = finished_export(&sb).await;
    let url = &urls(&export)[0];
    assert!(
        url.starts_with("https://127.0.0.1:9443/clover/files/"),
        "{url}"
    );
    let r = sb
        .get(&format!("/portal-api/clover-files?url={}", encode(url)))
        .await;
    assert_eq!(r.status, 200);
    // config.json names the proxy only when asked to.
    assert_eq!(
        sb.get("/config.json").await.json()["clover_files"],
        "/portal-api/clover-files"
    );
    sb.post_json("/__sandbox/reset", json!({})).await;
    assert!(sb
        .get("/config.json")
        .await
        .json()
        .get("clover_files")
        .is_none());
}

#[tokio::test]
async fn bad_file_settings_are_refused() {
    let sb = start_default().await;
    for (body, words) in [
        (json!({"host": "files-port"}), "--files-port"),
        (json!({"host": "https://h.example/path"}), "origin"),
        (json!({"host": 3}), "string"),
        (json!({"proxy_in_config": "yes"}), "true or false"),
        (json!({"hosts": "same"}), "unknown field"),
    ] {
        let r = sb.post_json("/__sandbox/files", body.clone()).await;
        assert_eq!(r.status, 400, "{body}");
        assert!(r.message().contains(words), "{body}: {}", r.text);
    }
}
