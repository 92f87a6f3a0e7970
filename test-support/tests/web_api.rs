//! The real slack-morphism client against the fake's Web API: every answer must
//! deserialize into slack-morphism's response type, and every call must be recorded.

mod common;

use std::time::{Duration, Instant};

use common::{app_token, bot_token, client, client_with_base};
use serde_json::json;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use test_support::{FakeSlack, BOT_TOKEN, TEAM_ID};

const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn auth_test_answers_the_bot_identity() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    let token = bot_token();
    let res = client
        .open_session(&token)
        .auth_test()
        .await
        .expect("auth.test");
    assert_eq!(res.team_id.0, TEAM_ID);
    assert_eq!(res.user_id.0, "U0BOT");
    assert_eq!(res.bot_id.map(|b| b.0).as_deref(), Some("B0BOT"));

    let calls = fake.calls_to("auth.test");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].token.as_deref(), Some(BOT_TOKEN));
    assert_eq!(calls[0].error, None);
}

#[tokio::test]
async fn chat_post_message_is_recorded_with_its_json_body_and_gets_increasing_ts() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);

    let mut last = String::new();
    for i in 0..3 {
        let req = SlackApiChatPostMessageRequest::new(
            "DU1".into(),
            SlackMessageContent::new().with_text(format!("hello {i}")),
        );
        let res = session.chat_post_message(&req).await.expect("postMessage");
        assert_eq!(res.channel.0, "DU1");
        assert_eq!(res.message.origin.ts, res.ts);
        assert!(res.ts.0 > last, "{} after {last}", res.ts.0);
        last = res.ts.0;
    }

    let calls = fake.calls_to("chat.postMessage");
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[2].param_str("channel"), Some("DU1"));
    assert_eq!(calls[2].param_str("text"), Some("hello 2"));
}

#[tokio::test]
async fn post_ephemeral_update_delete_and_conversations_open_deserialize() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);

    session
        .chat_post_ephemeral(&SlackApiChatPostEphemeralRequest::new(
            "C1".into(),
            "U1".into(),
            SlackMessageContent::new().with_text("only you".into()),
        ))
        .await
        .expect("postEphemeral");

    let updated = session
        .chat_update(&SlackApiChatUpdateRequest::new(
            "DU1".into(),
            SlackMessageContent::new().with_text("edited".into()),
            "1700000000.000100".into(),
        ))
        .await
        .expect("chat.update");
    assert_eq!(updated.ts.0, "1700000000.000100");

    session
        .chat_delete(&SlackApiChatDeleteRequest::new(
            "DU1".into(),
            "1700000000.000100".into(),
        ))
        .await
        .expect("chat.delete");

    let open = session
        .conversations_open(&SlackApiConversationsOpenRequest::new().with_users(vec!["U1".into()]))
        .await
        .expect("conversations.open");
    assert_eq!(open.channel.id.0, "DU1");

    let full = session
        .conversations_open_full(
            &SlackApiConversationsOpenRequest::new().with_users(vec!["U2".into()]),
        )
        .await
        .expect("conversations.open with return_im");
    assert_eq!(full.channel.id.0, "DU2");
    assert_eq!(full.channel.flags.is_im, Some(true));
}

#[tokio::test]
async fn views_publish_returns_a_stateful_view() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    let token = bot_token();
    let view = SlackView::Home(SlackHomeView::new(vec![SlackBlock::Section(
        SlackSectionBlock::new().with_text(SlackBlockText::Plain("Today".into())),
    )]));
    let res = client
        .open_session(&token)
        .views_publish(&SlackApiViewsPublishRequest::new("U1".into(), view))
        .await
        .expect("views.publish");
    assert_eq!(res.view.state_params.team_id.0, TEAM_ID);
    assert!(matches!(res.view.view, SlackView::Home(ref home) if home.blocks.len() == 1));

    let call = fake
        .wait_for_call(WAIT, |c| c.method == "views.publish")
        .await
        .expect("recorded");
    assert_eq!(call.param_str("user_id"), Some("U1"));
    assert_eq!(call.params["view"]["type"], "home");
}

#[tokio::test]
async fn users_info_reports_set_users_and_defaults() {
    let fake = FakeSlack::start().await;
    fake.set_user("U1", "Ada Lovelace", "T0OTHER");
    fake.set_user_tz("U1", "Europe/London", "Greenwich Mean Time", 0);
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);

    let ada = session
        .users_info(&SlackApiUsersInfoRequest::new("U1".into()))
        .await
        .expect("users.info")
        .user;
    assert_eq!(ada.real_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(ada.team_id.map(|t| t.0).as_deref(), Some("T0OTHER"));
    assert_eq!(ada.tz.as_deref(), Some("Europe/London"));
    assert_eq!(
        ada.profile.and_then(|p| p.display_name).as_deref(),
        Some("Ada Lovelace")
    );

    let other = session
        .users_info(&SlackApiUsersInfoRequest::new("U9".into()))
        .await
        .expect("users.info")
        .user;
    assert_eq!(other.real_name.as_deref(), Some("User U9"));
    assert_eq!(other.team_id.map(|t| t.0).as_deref(), Some(TEAM_ID));

    // users.info is a GET: its parameters come from the query string.
    let calls = fake.calls_to("users.info");
    assert_eq!(calls[0].param_str("user"), Some("U1"));
}

#[tokio::test]
async fn apps_connections_open_needs_the_app_token() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);

    let app = app_token();
    let res = client
        .open_session(&app)
        .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
        .await
        .expect("apps.connections.open");
    assert!(res.url.0.as_str().starts_with("ws://127.0.0.1:"));
    assert_eq!(res.url.0.path(), "/link");

    let bot = bot_token();
    match client
        .open_session(&bot)
        .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
        .await
    {
        Err(SlackClientError::ApiError(e)) => assert_eq!(e.code, "invalid_auth"),
        other => panic!("expected invalid_auth, got {other:?}"),
    }
    assert_eq!(fake.connection_urls_issued(), 1);
}

#[tokio::test]
async fn a_wrong_token_is_invalid_auth() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    let wrong = SlackApiToken::new("xoxb-wrong".into());
    match client.open_session(&wrong).auth_test().await {
        Err(SlackClientError::ApiError(e)) => assert_eq!(e.code, "invalid_auth"),
        other => panic!("expected invalid_auth, got {other:?}"),
    }
    assert_eq!(fake.calls()[0].error.as_deref(), Some("invalid_auth"));
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after_then_recover() {
    let fake = FakeSlack::start().await;
    fake.rate_limit("chat.postMessage", 2, 7);
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);
    let req = SlackApiChatPostMessageRequest::new(
        "C1".into(),
        SlackMessageContent::new().with_text("hi".into()),
    );

    for _ in 0..2 {
        match session.chat_post_message(&req).await {
            Err(SlackClientError::RateLimitError(e)) => {
                assert_eq!(e.retry_after, Some(Duration::from_secs(7)));
                assert_eq!(e.code.as_deref(), Some("ratelimited"));
            }
            other => panic!("expected a rate limit error, got {other:?}"),
        }
    }
    session
        .chat_post_message(&req)
        .await
        .expect("third call passes");

    let errors: Vec<_> = fake
        .calls_to("chat.postMessage")
        .into_iter()
        .map(|c| c.error)
        .collect();
    assert_eq!(
        errors,
        vec![
            Some("ratelimited".to_string()),
            Some("ratelimited".into()),
            None
        ]
    );
}

#[tokio::test]
async fn fail_next_answers_the_chosen_error_once() {
    let fake = FakeSlack::start().await;
    fake.fail_next("chat.postMessage", "channel_not_found", 1);
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);
    let req = SlackApiChatPostMessageRequest::new(
        "C1".into(),
        SlackMessageContent::new().with_text("hi".into()),
    );
    match session.chat_post_message(&req).await {
        Err(SlackClientError::ApiError(e)) => assert_eq!(e.code, "channel_not_found"),
        other => panic!("expected channel_not_found, got {other:?}"),
    }
    session
        .chat_post_message(&req)
        .await
        .expect("next call passes");
}

#[tokio::test]
async fn response_url_posts_are_recorded() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    let url: SlackResponseUrl = SlackResponseUrl(
        fake.response_url("r1")
            .parse()
            .expect("a response URL parses"),
    );
    client
        .respond_to_event(
            &url,
            &SlackApiPostWebhookMessageRequest::new(
                SlackMessageContent::new().with_text("done".into()),
            )
            .with_replace_original(true),
        )
        .await
        .expect("respond_to_event");

    let call = fake
        .wait_for_call(WAIT, |c| c.method == "response_url")
        .await
        .expect("recorded");
    assert_eq!(call.param_str("response_url_id"), Some("r1"));
    assert_eq!(call.param_str("text"), Some("done"));
    assert_eq!(call.params["replace_original"], true);
}

#[tokio::test]
async fn a_base_url_with_a_trailing_slash_works_too() {
    let fake = FakeSlack::start().await;
    let client = client_with_base(&format!("{}/", fake.api_url()));
    let token = bot_token();
    client
        .open_session(&token)
        .auth_test()
        .await
        .expect("auth.test via /api//auth.test");
    assert_eq!(fake.calls_to("auth.test").len(), 1);
}

#[tokio::test]
async fn forms_queries_and_unknown_methods_over_plain_http() {
    let fake = FakeSlack::start().await;
    let http = reqwest::Client::new();

    let res: serde_json::Value = http
        .post(format!("{}/chat.postMessage", fake.api_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={BOT_TOKEN}&channel=C1&text=hi%20there"))
        .send()
        .await
        .expect("form POST")
        .json()
        .await
        .expect("JSON answer");
    assert_eq!(res["ok"], true);

    let res: serde_json::Value = http
        .get(format!("{}/users.info?user=U5", fake.api_url()))
        .bearer_auth(BOT_TOKEN)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON answer");
    assert_eq!(res["user"]["id"], "U5");

    let res: serde_json::Value = http
        .post(format!("{}/no.such.method", fake.api_url()))
        .bearer_auth(BOT_TOKEN)
        .send()
        .await
        .expect("POST")
        .json()
        .await
        .expect("JSON answer");
    assert_eq!(res, json!({ "ok": false, "error": "unknown_method" }));

    let form = &fake.calls_to("chat.postMessage")[0];
    assert_eq!(form.token.as_deref(), Some(BOT_TOKEN));
    assert_eq!(form.param_str("text"), Some("hi there"));
}

#[tokio::test]
async fn wait_for_calls_wakes_on_new_calls_and_times_out_with_what_it_has() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);

    let waiter = {
        let fake = fake.clone();
        tokio::spawn(async move {
            fake.wait_for_calls(WAIT, 3, |c| c.method == "auth.test")
                .await
                .len()
        })
    };
    let token = bot_token();
    for _ in 0..3 {
        client
            .open_session(&token)
            .auth_test()
            .await
            .expect("auth.test");
    }
    assert_eq!(waiter.await.expect("waiter"), 3);

    let started = Instant::now();
    let found = fake
        .wait_for_calls(Duration::from_millis(200), 5, |c| c.method == "auth.test")
        .await;
    assert_eq!(found.len(), 3);
    assert!(started.elapsed() >= Duration::from_millis(200));
}

/// A smoke test of the load the benchmark puts on the fake: many concurrent calls, all
/// answered and recorded. Prints the rate (debug build, so only indicative).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sustains_thousands_of_concurrent_calls() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    const TASKS: usize = 32;
    const PER_TASK: usize = 100;

    let started = Instant::now();
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let token = bot_token();
            let session = client.open_session(&token);
            for i in 0..PER_TASK {
                let req = SlackApiChatPostMessageRequest::new(
                    format!("DU{t}").into(),
                    SlackMessageContent::new().with_text(format!("m{i}")),
                );
                session.chat_post_message(&req).await.expect("postMessage");
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let elapsed = started.elapsed();
    let total = TASKS * PER_TASK;
    assert_eq!(fake.call_count(), total);
    println!(
        "{total} calls in {elapsed:?}: {:.0}/s",
        total as f64 / elapsed.as_secs_f64()
    );
}

#[tokio::test]
async fn dropping_the_last_handle_stops_the_server() {
    let fake = FakeSlack::start().await;
    let url = format!("{}/auth.test", fake.api_url());
    let http = reqwest::Client::new();
    http.get(&url)
        .bearer_auth(BOT_TOKEN)
        .send()
        .await
        .expect("served while running");

    let clone = fake.clone();
    drop(fake);
    assert_eq!(clone.call_count(), 1, "a clone keeps it running");
    drop(clone);

    let deadline = Instant::now() + WAIT;
    loop {
        // A fresh client, so no pooled keep-alive connection is reused.
        let refused = reqwest::Client::new()
            .get(&url)
            .bearer_auth(BOT_TOKEN)
            .send()
            .await
            .is_err();
        if refused {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still serving after the last handle dropped"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
