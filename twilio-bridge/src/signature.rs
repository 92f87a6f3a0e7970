//! Twilio's request signature (`X-Twilio-Signature`): HMAC-SHA1, keyed with the account's auth
//! token, over the public URL Twilio called followed by every form parameter, sorted by name (and,
//! for a repeated name, by value, each distinct value once), each written as name then value;
//! base64. Compared in constant
//! time against every configured token, so a token can be rotated without refusing Twilio's
//! requests meanwhile.
//!
//! The URL is the one configured as public (`MEDNANNY__TWILIO__PUBLIC_URL` plus the path), never
//! one rebuilt from the request's `Host` header: the bridge runs behind a proxy, and a header is
//! the sender's to choose.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// The signature Twilio sends for this URL and these form parameters, with this auth token.
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    // As Twilio's own helper libraries do: a parameter sent twice with the same value counts once.
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut signed = String::from(url);
    for (name, value) in sorted {
        signed.push_str(name);
        signed.push_str(value);
    }
    // HMAC takes a key of any length: this cannot fail.
    let mut mac = match Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(signed.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `given` is Twilio's signature for the request under one of the `auth_tokens`.
pub fn is_valid(
    auth_tokens: &[String],
    url: &str,
    params: &[(String, String)],
    given: &str,
) -> bool {
    let given = given.trim().as_bytes();
    if given.is_empty() {
        return false;
    }
    // Every token is tried (no early return), so the time taken says nothing about which matched.
    auth_tokens
        .iter()
        .filter(|token| !token.is_empty())
        .fold(false, |valid, token| {
            let expected = signature(token, url, params);
            valid | bool::from(expected.as_bytes().ct_eq(given))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twilio's own example (its helper libraries test against it): token "12345".
    const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
    const DOCUMENTED: &str = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

    fn params() -> Vec<(String, String)> {
        // Deliberately not in order: the signature sorts them.
        [
            ("Digits", "1234"),
            ("To", "+18005551212"),
            ("From", "+14158675309"),
            ("Caller", "+14158675309"),
            ("CallSid", "CA1234567890ABCDE"),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn twilios_documented_example_is_reproduced_and_accepted() {
        assert_eq!(signature("12345", URL, &params()), DOCUMENTED);
        assert!(is_valid(&["12345".into()], URL, &params(), DOCUMENTED));
    }

    #[test]
    fn a_repeated_parameter_is_signed_once_per_distinct_value_in_order() {
        let repeated: Vec<(String, String)> = [
            ("Sid", "CA123"),
            ("SidAccount", "AC123"),
            ("Digits", "5678"),
            ("Digits", "1234"),
            ("Digits", "1234"),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            signature("12345", URL, &repeated),
            "IK+Dwps556ElfBT0I3Rgjkr1wJU="
        );
    }

    #[test]
    fn anything_changed_is_refused() {
        let tokens = vec!["12345".to_string()];
        let mut tampered = params();
        tampered[0].1 = "9999".into();
        assert!(!is_valid(&tokens, URL, &tampered, DOCUMENTED));
        assert!(!is_valid(
            &tokens,
            &format!("{URL}&extra=1"),
            &params(),
            DOCUMENTED
        ));
        assert!(!is_valid(&["54321".into()], URL, &params(), DOCUMENTED));
        assert!(!is_valid(&tokens, URL, &params(), ""));
        assert!(!is_valid(
            &tokens,
            URL,
            &params(),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8"
        ));
        assert!(!is_valid(&[], URL, &params(), DOCUMENTED));
    }

    #[test]
    fn during_a_rotation_either_token_is_accepted() {
        let tokens = vec!["new-token".to_string(), "12345".to_string()];
        assert!(is_valid(&tokens, URL, &params(), DOCUMENTED));
        let next = signature("new-token", URL, &params());
        assert!(is_valid(&tokens, URL, &params(), &next));
    }
}
