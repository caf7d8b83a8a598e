//! Text made safe for HTML. The dashboard writes API strings (titles, URLs, error
//! messages from a server) into markup; every one of them goes through [`escape`].

/// Escapes `& < > " '`, so the text is safe both as element content and inside a quoted
/// attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_and_attribute_breakouts_are_neutralised() {
        for (raw, want) in [
            (
                "<script>alert(1)</script>",
                "&lt;script&gt;alert(1)&lt;/script&gt;",
            ),
            (r#"" onmouseover="x"#, "&quot; onmouseover=&quot;x"),
            ("' onfocus='x", "&#39; onfocus=&#39;x"),
            ("a & b", "a &amp; b"),
            ("&amp;", "&amp;amp;"),
            (
                "<img src=x onerror=alert(1)>",
                "&lt;img src=x onerror=alert(1)&gt;",
            ),
            ("", ""),
            (
                "€ 27.660,20 — ü ✓ \u{202E}rtl",
                "€ 27.660,20 — ü ✓ \u{202E}rtl",
            ),
        ] {
            assert_eq!(escape(raw), want, "{raw}");
        }
        // Nothing that could open a tag or end an attribute survives.
        let nasty: String = (0u8..128).map(char::from).collect();
        let out = escape(&nasty);
        assert!(!out.contains(['<', '>', '"', '\'']));
    }
}
