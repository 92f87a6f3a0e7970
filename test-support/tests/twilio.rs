//! The fake Twilio driven with plain HTTP requests shaped like a Twilio client's (Basic
//! auth, form bodies), and its webhook side checked by small axum receivers that verify
//! `X-Twilio-Signature` as a real receiver would.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use reqwest::header::RETRY_AFTER;
use serde_json::{json, Value};
use test_support::{
    inbound_whatsapp, post_signed, twilio_signature, FakeTwilio, Scripted, SentMessage,
    TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
};
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(5);
const TO: &str = "whatsapp:+15551230001";
const FROM: &str = "whatsapp:+15559990000";

struct Answer {
    status: u16,
    retry_after: Option<String>,
    json: Value,
}

fn messages_url(fake: &FakeTwilio, account_sid: &str) -> String {
    format!(
        "{}/2010-04-01/Accounts/{account_sid}/Messages.json",
        fake.api_url()
    )
}

/// POSTs a create-message form the way Twilio's clients do; `auth` is (user, password).
async fn post_message(
    fake: &FakeTwilio,
    auth: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> Answer {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut request = reqwest::Client::new()
        .post(messages_url(fake, TWILIO_ACCOUNT_SID))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some((user, password)) = auth {
        request = request.basic_auth(user, Some(password));
    }
    let response = request.send().await.expect("POST Messages.json");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .map(|v| v.to_str().expect("ascii Retry-After").to_string());
    let text = response.text().await.expect("answer body");
    let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    Answer {
        status,
        retry_after,
        json,
    }
}

const CREDENTIALS: Option<(&str, &str)> = Some((TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN));

async fn send_text(fake: &FakeTwilio, body: &str) -> Answer {
    post_message(
        fake,
        CREDENTIALS,
        &[("To", TO), ("From", FROM), ("Body", body)],
    )
    .await
}

fn twilio_error(status: u16, code: u32, message: &str) -> Value {
    json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status,
    })
}

#[tokio::test]
async fn a_message_is_accepted_with_basic_auth_and_recorded() {
    let fake = FakeTwilio::start().await;
    assert!(fake.api_url().starts_with("http://127.0.0.1:"));
    assert!(!fake.api_url().ends_with('/'));

    let answer = send_text(&fake, "Time for your 8:00 pills").await;
    assert_eq!(answer.status, 201, "{}", answer.json);
    let res = &answer.json;
    let sid = res["sid"].as_str().expect("sid");
    assert_eq!(sid.len(), 34);
    assert!(sid.starts_with("SM") && sid[2..].chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(res["account_sid"], TWILIO_ACCOUNT_SID);
    assert_eq!(res["to"], TO);
    assert_eq!(res["from"], FROM);
    assert_eq!(res["body"], "Time for your 8:00 pills");
    assert_eq!(res["status"], "queued");
    assert_eq!(res["num_segments"], "1");
    assert_eq!(res["direction"], "outbound-api");
    assert_eq!(res["api_version"], "2010-04-01");
    assert_eq!(res["error_code"], Value::Null);
    assert_eq!(res["error_message"], Value::Null);
    assert_eq!(
        res["uri"],
        format!("/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/Messages/{sid}.json")
    );
    let date = res["date_created"].as_str().expect("date_created");
    assert!(date.ends_with(" +0000") && date.len() == 31, "{date}");

    // A second message gets another sid.
    let second = send_text(&fake, "again").await;
    assert_ne!(second.json["sid"], res["sid"]);

    let sent = fake.sent();
    assert_eq!(
        sent[0],
        SentMessage {
            sid: sid.to_string(),
            to: TO.to_string(),
            from: FROM.to_string(),
            body: Some("Time for your 8:00 pills".to_string()),
            content_sid: None,
            content_variables: None,
            status_callback: None,
            received_at: sent[0].received_at,
        }
    );
    assert_eq!(sent.len(), 2);
    assert_eq!(fake.attempts(), 2);
    assert_eq!(fake.sent_to(TO).len(), 2);
    assert!(fake.sent_to("whatsapp:+15550000000").is_empty());

    fake.clear();
    assert!(fake.sent().is_empty());
    assert_eq!(fake.attempts(), 0);
}

#[tokio::test]
async fn wrong_or_missing_credentials_are_401_and_nothing_is_recorded() {
    let fake = FakeTwilio::start().await;
    let form = [("To", TO), ("From", FROM), ("Body", "hi")];
    let unauthorized = twilio_error(401, 20003, "Authenticate");

    let wrong_token = post_message(&fake, Some((TWILIO_ACCOUNT_SID, "nope")), &form).await;
    assert_eq!(wrong_token.status, 401);
    assert_eq!(wrong_token.json, unauthorized);
    let wrong_user = post_message(&fake, Some(("ACother", TWILIO_AUTH_TOKEN)), &form).await;
    assert_eq!(wrong_user.status, 401);
    let missing = post_message(&fake, None, &form).await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.json, unauthorized);

    assert!(fake.sent().is_empty());
    assert_eq!(fake.attempts(), 3);
}

#[tokio::test]
async fn another_account_in_the_path_is_404_and_bad_fields_are_400() {
    let fake = FakeTwilio::start().await;
    let other = "AC00000000000000000000000000000000";
    let response = reqwest::Client::new()
        .post(messages_url(&fake, other))
        .basic_auth(TWILIO_ACCOUNT_SID, Some(TWILIO_AUTH_TOKEN))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("To=%2B15551230001&From=%2B15559990000&Body=hi")
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 404);
    let json: Value = serde_json::from_str(&response.text().await.expect("body")).expect("JSON");
    assert_eq!(json["code"], 20404);
    assert_eq!(json["status"], 404);

    let no_to = post_message(&fake, CREDENTIALS, &[("From", FROM), ("Body", "hi")]).await;
    assert_eq!(no_to.status, 400);
    assert_eq!(no_to.json["code"], 21604);
    let no_body = post_message(&fake, CREDENTIALS, &[("To", TO), ("From", FROM)]).await;
    assert_eq!(no_body.status, 400);
    assert_eq!(no_body.json["code"], 21602);
    let bad_vars = [
        ("To", TO),
        ("From", FROM),
        ("ContentSid", "HX0123"),
        ("ContentVariables", "{1: Mom}"),
    ];
    let bad_vars = post_message(&fake, CREDENTIALS, &bad_vars).await;
    assert_eq!(bad_vars.status, 400);
    assert_eq!(bad_vars.json["code"], 21656);

    assert!(fake.sent().is_empty());
    assert_eq!(fake.attempts(), 4);
}

#[tokio::test]
async fn scripted_failures_come_back_in_order_before_a_normal_acceptance() {
    let fake = FakeTwilio::start().await;
    let invalid_to = "The 'To' number is not a valid phone number.";
    fake.script([
        Scripted::TooManyRequests {
            retry_after_secs: Some(7),
        },
        Scripted::ServerError(503),
    ]);
    fake.script([Scripted::Error {
        status: 400,
        code: 21211,
        message: invalid_to.to_string(),
    }]);

    let first = send_text(&fake, "1").await;
    assert_eq!(first.status, 429);
    assert_eq!(first.retry_after.as_deref(), Some("7"));
    assert_eq!(first.json["code"], 20429);
    assert_eq!(first.json["status"], 429);

    let second = send_text(&fake, "2").await;
    assert_eq!(second.status, 503);
    assert_eq!(second.retry_after, None);
    assert_eq!(second.json["code"], 20500);
    assert_eq!(second.json["status"], 503);

    let third = send_text(&fake, "3").await;
    assert_eq!(third.status, 400);
    assert_eq!(third.json, twilio_error(400, 21211, invalid_to));

    let fourth = send_text(&fake, "4").await;
    assert_eq!(fourth.status, 201);

    assert_eq!(fake.attempts(), 4);
    let sent = fake.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body.as_deref(), Some("4"));

    // Without Retry-After, none is sent.
    fake.script([Scripted::TooManyRequests {
        retry_after_secs: None,
    }]);
    let limited = send_text(&fake, "5").await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.retry_after, None);
}

#[tokio::test]
async fn a_template_message_is_recorded_with_its_content_variables() {
    let fake = FakeTwilio::start().await;
    let vars = r#"{"1":"Mom","2":"8:00"}"#;
    let answer = post_message(
        &fake,
        CREDENTIALS,
        &[
            ("To", TO),
            ("From", FROM),
            ("ContentSid", "HXb5b62575e6e4ff6129ad7c8efe1f983e"),
            ("ContentVariables", vars),
        ],
    )
    .await;
    assert_eq!(answer.status, 201, "{}", answer.json);

    let sent = fake.wait_for_sent(1, WAIT).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body, None);
    assert_eq!(
        sent[0].content_sid.as_deref(),
        Some("HXb5b62575e6e4ff6129ad7c8efe1f983e")
    );
    assert_eq!(sent[0].content_variables.as_deref(), Some(vars));
}

#[tokio::test]
async fn wait_for_sent_wakes_on_acceptance_and_gives_up_at_timeout() {
    let fake = FakeTwilio::start().await;
    let sender = fake.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        send_text(&sender, "a").await;
        send_text(&sender, "b").await;
    });
    let sent = fake.wait_for_sent(2, WAIT).await;
    assert_eq!(sent.len(), 2);

    let started = Instant::now();
    let sent = fake.wait_for_sent(3, Duration::from_millis(100)).await;
    assert_eq!(sent.len(), 2);
    assert!(started.elapsed() >= Duration::from_millis(100));
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let fake = FakeTwilio::start().await;
    fake.set_latency(Duration::from_millis(150));
    let started = Instant::now();
    assert_eq!(send_text(&fake, "slow").await.status, 201);
    assert!(started.elapsed() >= Duration::from_millis(150));
    fake.set_latency(Duration::ZERO);
}

/// What a webhook receiver saw: the signature header and the form.
struct Received {
    signature: Option<String>,
    params: Vec<(String, String)>,
}

/// A small receiver at `http://127.0.0.1:PORT/hook`, answering 204 and passing on what it got.
async fn start_receiver() -> (String, mpsc::UnboundedReceiver<Received>) {
    async fn hook(
        State(tx): State<mpsc::UnboundedSender<Received>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> StatusCode {
        let signature = headers
            .get("x-twilio-signature")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let params = form_urlencoded::parse(&body).into_owned().collect();
        let _ = tx.send(Received { signature, params });
        StatusCode::NO_CONTENT
    }
    let (tx, rx) = mpsc::unbounded_channel();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind receiver");
    let addr = listener.local_addr().expect("receiver address");
    let app = Router::new().route("/hook", post(hook)).with_state(tx);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hook"), rx)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn a_status_callback_reaches_the_receiver_signed_over_the_recorded_url() {
    let fake = FakeTwilio::start().await;
    let (hook, mut received) = start_receiver().await;
    // A query string must be part of what is signed.
    let callback = format!("{hook}?reminder=42&kind=dose");
    let answer = post_message(
        &fake,
        CREDENTIALS,
        &[
            ("To", TO),
            ("From", FROM),
            ("Body", "pills"),
            ("StatusCallback", &callback),
        ],
    )
    .await;
    let sid = answer.json["sid"].as_str().expect("sid").to_string();
    assert_eq!(
        fake.sent()[0].status_callback.as_deref(),
        Some(callback.as_str())
    );

    assert_eq!(fake.send_status(&sid, "delivered", None).await, 204);
    let got = received.recv().await.expect("a callback");
    let signature = got.signature.expect("X-Twilio-Signature");
    assert_eq!(
        signature,
        twilio_signature(TWILIO_AUTH_TOKEN, &callback, &got.params)
    );
    assert_ne!(
        signature,
        twilio_signature(TWILIO_AUTH_TOKEN, &hook, &got.params)
    );
    for (name, value) in [
        ("MessageSid", sid.as_str()),
        ("SmsSid", sid.as_str()),
        ("MessageStatus", "delivered"),
        ("SmsStatus", "delivered"),
        ("AccountSid", TWILIO_ACCOUNT_SID),
        ("From", FROM),
        ("To", TO),
        ("ApiVersion", "2010-04-01"),
    ] {
        assert_eq!(param(&got.params, name), Some(value), "{name}");
    }
    assert_eq!(param(&got.params, "ErrorCode"), None);

    assert_eq!(
        fake.send_status(&sid, "undelivered", Some(63016)).await,
        204
    );
    let got = received.recv().await.expect("a second callback");
    assert_eq!(param(&got.params, "MessageStatus"), Some("undelivered"));
    assert_eq!(param(&got.params, "ErrorCode"), Some("63016"));
    assert_eq!(
        got.signature.expect("signature"),
        twilio_signature(TWILIO_AUTH_TOKEN, &callback, &got.params)
    );
}

#[tokio::test]
async fn an_inbound_whatsapp_message_is_posted_signed() {
    let (hook, mut received) = start_receiver().await;
    let params = inbound_whatsapp("SM0123", "+15551230001", "+15559990000", "taken ✓ & done");
    assert_eq!(param(&params, "From"), Some("whatsapp:+15551230001"));
    assert_eq!(param(&params, "To"), Some("whatsapp:+15559990000"));
    assert_eq!(param(&params, "WaId"), Some("15551230001"));
    assert_eq!(param(&params, "MessageType"), Some("text"));
    assert_eq!(param(&params, "NumMedia"), Some("0"));

    let (status, _) = post_signed(&hook, &params, TWILIO_AUTH_TOKEN).await;
    assert_eq!(status, 204);
    let got = received.recv().await.expect("the webhook");
    // The receiver decodes exactly what was built, and the signature verifies over it.
    let mut sent_sorted = params.clone();
    sent_sorted.sort();
    let mut got_sorted = got.params.clone();
    got_sorted.sort();
    assert_eq!(got_sorted, sent_sorted);
    assert_eq!(
        got.signature.as_deref(),
        Some(twilio_signature(TWILIO_AUTH_TOKEN, &hook, &got.params).as_str())
    );
    assert_eq!(param(&got.params, "Body"), Some("taken ✓ & done"));
}

fn owned(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Twilio's published vector (the one its own libraries test against, e.g. twilio-php's
/// `RequestValidatorTest`): Caller and From are `+14158675309`.
#[test]
fn signature_reproduces_twilios_documented_example() {
    let params = owned(&[
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+14158675309"),
        ("Digits", "1234"),
        ("From", "+14158675309"),
        ("To", "+18005551212"),
    ]);
    let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
    assert_eq!(
        twilio_signature("12345", url, &params),
        "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    );
    // Parameter order does not matter; the URL does.
    let mut reversed = params.clone();
    reversed.reverse();
    assert_eq!(
        twilio_signature("12345", url, &reversed),
        "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    );
    assert_ne!(
        twilio_signature("12345", "https://mycompany.com/myapp.php", &params),
        "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    );
}

/// The same example with other numbers (`+12349013030`), checked against an independent
/// HMAC-SHA1 (Python's `hmac`), so a second vector pins the algorithm.
#[test]
fn signature_matches_an_independently_computed_vector() {
    let params = owned(&[
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
        ("To", "+18005551212"),
    ]);
    assert_eq!(
        twilio_signature(
            "12345",
            "https://mycompany.com/myapp.php?foo=1&bar=2",
            &params
        ),
        "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    );
}
