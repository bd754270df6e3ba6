//! `WWW-Authenticate` challenges (RFC 9110 §11.6.1): split and parsed into
//! `{scheme, <param>: <value>…}`, bounded in count and size.

use reqwest::header::{HeaderMap, WWW_AUTHENTICATE};
use std::iter::Peekable;
use std::str::CharIndices;

use serde_json::{Map, Value};

/// Most challenges read from `WWW-Authenticate`, and most bytes of each header value.
pub(crate) const MAX_CHALLENGES: usize = 10;

pub(crate) const MAX_CHALLENGE_BYTES: usize = 8 * 1024;

/// Every challenge in the response's `WWW-Authenticate` headers, parsed.
pub(crate) fn challenges(headers: &HeaderMap) -> Vec<Map<String, Value>> {
    let mut out = Vec::new();
    for value in headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .take(MAX_CHALLENGES)
    {
        let bytes = value.as_bytes();
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_CHALLENGE_BYTES)]);
        for challenge in split_challenges(&text) {
            if out.len() >= MAX_CHALLENGES {
                return out;
            }
            if let Value::Object(map) = parse_challenge(&challenge) {
                out.push(map);
            }
        }
    }
    out
}

/// Splits one `WWW-Authenticate` value into its challenges (RFC 9110 §11.6.1 allows several,
/// comma separated, in one value). Commas inside quoted strings do not split.
pub(crate) fn split_challenges(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut escaped) = (false, false);
    for c in text.chars() {
        if escaped {
            current.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => {
                current.push(c);
                escaped = true;
            }
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => items.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    items.push(current);
    let mut challenges: Vec<String> = Vec::new();
    for item in items {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        match challenges.last_mut() {
            Some(last) if !starts_challenge(item) => {
                last.push_str(", ");
                last.push_str(item);
            }
            _ => challenges.push(item.to_owned()),
        }
    }
    challenges
}

/// Whether a comma-separated item starts a challenge (`scheme` alone or `scheme` followed by
/// parameters) rather than continuing one with a `name=value` parameter.
fn starts_challenge(item: &str) -> bool {
    let end = item
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(item.len());
    end > 0 && !item[end..].trim_start().starts_with('=')
}

/// Parses one `WWW-Authenticate` value into `{scheme, <param>: <value>…}` (RFC 9110 §11.6.1).
/// Bounded: at most 20 parameters, values cut to 300 characters.
pub(crate) fn parse_challenge(header: &str) -> Value {
    let header = header.trim();
    let (scheme, rest) = match header.find(char::is_whitespace) {
        Some(i) => (&header[..i], header[i..].trim_start()),
        None => (header, ""),
    };
    let mut out = Map::new();
    out.insert(
        "scheme".into(),
        Value::String(crate::text::truncate(scheme, 40)),
    );
    let mut chars = rest.char_indices().peekable();
    let bytes = rest;
    let mut params = 0;
    while params < 20 {
        skip_separators(&mut chars);
        let Some(&(start, _)) = chars.peek() else {
            break;
        };
        let Some(eq) = find_equals(&mut chars) else {
            // token68 or a bare token: keep it as-is.
            let end = position(&mut chars, bytes);
            out.insert(
                "token".into(),
                Value::String(crate::text::truncate(bytes[start..end].trim(), 300)),
            );
            continue;
        };
        let name = bytes[start..eq].trim().to_ascii_lowercase();
        let value = if matches!(chars.peek(), Some((_, '"'))) {
            chars.next();
            quoted_string(&mut chars)
        } else {
            token(&mut chars, bytes)
        };
        if !name.is_empty() {
            out.insert(
                crate::text::truncate(&name, 60),
                Value::String(crate::text::truncate(&value, 300)),
            );
        }
        params += 1;
    }
    Value::Object(out)
}

/// The characters of a challenge's parameters, with their byte offsets.
type Chars<'a> = Peekable<CharIndices<'a>>;

/// The byte offset of the next character, or the end of `text`.
fn position(chars: &mut Chars<'_>, text: &str) -> usize {
    chars.peek().map_or(text.len(), |&(i, _)| i)
}

/// Skips commas and white space between parameters.
fn skip_separators(chars: &mut Chars<'_>) {
    while let Some((_, c)) = chars.peek() {
        if *c == ',' || c.is_whitespace() {
            chars.next();
        } else {
            break;
        }
    }
}

/// Reads up to and past the `=` of a parameter and returns its offset; `None` (stopping
/// before a comma or at the end) when the item has no `=`.
fn find_equals(chars: &mut Chars<'_>) -> Option<usize> {
    while let Some(&(i, c)) = chars.peek() {
        if c == '=' {
            chars.next();
            return Some(i);
        }
        if c == ',' {
            break;
        }
        chars.next();
    }
    None
}

/// The rest of a quoted string (after its opening quote), unescaped.
fn quoted_string(chars: &mut Chars<'_>) -> String {
    let mut v = String::new();
    while let Some((_, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, n)) = chars.next() {
                    v.push(n);
                }
            }
            '"' => break,
            c => v.push(c),
        }
    }
    v
}

/// A bare value: everything up to the next comma, trimmed.
fn token(chars: &mut Chars<'_>, text: &str) -> String {
    let vstart = position(chars, text);
    while let Some(&(_, c)) = chars.peek() {
        if c == ',' {
            break;
        }
        chars.next();
    }
    let vend = position(chars, text);
    text[vstart..vend].trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn challenges_parse() {
        let c = parse_challenge(
            r#"Bearer realm="mcp", error="invalid_token", resource_metadata="http://h/.well-known/oauth-protected-resource", scope=read"#,
        );
        assert_eq!(c["scheme"], "Bearer");
        assert_eq!(c["realm"], "mcp");
        assert_eq!(c["error"], "invalid_token");
        assert_eq!(
            c["resource_metadata"],
            "http://h/.well-known/oauth-protected-resource"
        );
        assert_eq!(c["scope"], "read");
        assert_eq!(parse_challenge("Basic")["scheme"], "Basic");
        let escaped = parse_challenge(r#"Bearer realm="a \"b\"""#);
        assert_eq!(escaped["realm"], "a \"b\"");
        let unterminated = parse_challenge(r#"Bearer realm="open"#);
        assert_eq!(unterminated["realm"], "open");
    }

    #[test]
    fn challenges_split_on_commas_outside_quotes() {
        assert_eq!(
            split_challenges(
                r#"Basic realm="a, b", Bearer resource_metadata="https://h/x", scope="a b", Negotiate"#
            ),
            [
                r#"Basic realm="a, b""#,
                r#"Bearer resource_metadata="https://h/x", scope="a b""#,
                "Negotiate",
            ]
        );
        assert_eq!(
            split_challenges(r#"Bearer realm = "x" , error="e\",f""#),
            [r#"Bearer realm = "x", error="e\",f""#]
        );
        assert_eq!(
            split_challenges("Basic abc==, Bearer"),
            ["Basic abc==", "Bearer"]
        );
        assert!(split_challenges(" , ").is_empty());
        let mut headers = HeaderMap::new();
        headers.append(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"x\""),
        );
        headers.append(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("DPoP algs=\"ES256\", Bearer scope=\"s\""),
        );
        let parsed = challenges(&headers);
        let schemes: Vec<&str> = parsed
            .iter()
            .map(|c| c["scheme"].as_str().unwrap())
            .collect();
        assert_eq!(schemes, ["Basic", "DPoP", "Bearer"]);
        assert_eq!(parsed[2]["scope"], "s");
    }
}
