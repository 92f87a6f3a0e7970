//! slack-morphism's real Socket Mode listener against the fake: hello, envelopes of the
//! three kinds, acks (with and without payload), redelivery, `disconnect`, dropped
//! sockets and keep-alive pings.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{app_token, bot_token, client};
use slack_morphism::prelude::*;
use test_support::{app_home_opened, button_click, message_im, slash_command, FakeSlack};

const WAIT: Duration = Duration::from_secs(10);

/// The push-event handler a bot would have: answer a DM in its channel.
async fn on_push(
    event: SlackPushEventCallback,
    client: Arc<SlackHyperClient>,
    _state: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let token = bot_token();
    let session = client.open_session(&token);
    match event.event {
        SlackEventCallbackBody::Message(message) => {
            let channel = message.origin.channel.ok_or("message without channel")?;
            let text = message.content.and_then(|c| c.text).unwrap_or_default();
            session
                .chat_post_message(&SlackApiChatPostMessageRequest::new(
                    channel,
                    SlackMessageContent::new().with_text(format!("echo: {text}")),
                ))
                .await?;
        }
        SlackEventCallbackBody::AppHomeOpened(home) => {
            let view = SlackView::Home(SlackHomeView::new(vec![]));
            session
                .views_publish(&SlackApiViewsPublishRequest::new(home.user, view))
                .await?;
        }
        other => return Err(format!("unexpected event {other:?}").into()),
    }
    Ok(())
}

async fn on_command(
    event: SlackCommandEvent,
    _client: Arc<SlackHyperClient>,
    _state: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    let text = event.text.unwrap_or_default();
    Ok(SlackCommandEventResponse::new(
        SlackMessageContent::new().with_text(format!("you said {text}")),
    )
    .with_response_type(SlackMessageResponseType::Ephemeral))
}

/// Answers a button click through its response URL, as a bot updating the clicked message.
async fn on_interaction(
    event: SlackInteractionEvent,
    client: Arc<SlackHyperClient>,
    _state: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let SlackInteractionEvent::BlockActions(click) = event else {
        return Err("unexpected interaction".into());
    };
    let value = click
        .actions
        .and_then(|a| a.into_iter().next())
        .and_then(|a| a.value)
        .unwrap_or_default();
    let url = click.response_url.ok_or("no response_url")?;
    client
        .respond_to_event(
            &url,
            &SlackApiPostWebhookMessageRequest::new(
                SlackMessageContent::new().with_text(format!("clicked {value}")),
            )
            .with_replace_original(true),
        )
        .await?;
    Ok(())
}

struct Bot {
    listener: SlackClientSocketModeListener<SlackClientHyperHttpsConnector>,
    /// Hellos the listener parsed (counted through the listener's user state, because
    /// callbacks are plain `fn` pointers and cannot capture).
    hellos: Arc<AtomicUsize>,
}

impl Bot {
    async fn start(fake: &FakeSlack, connections: u32, ping_interval_secs: u64) -> Bot {
        let callbacks = SlackSocketModeListenerCallbacks::new()
            .with_push_events(on_push)
            .with_command_events(on_command)
            .with_interaction_events(on_interaction)
            // A non-capturing closure: `SlackSocketModeHelloEvent` cannot be named outside
            // slack-morphism 2.31.1, but a closure coerced to the `fn` type infers it.
            .with_hello_events(|hello, _client, state| async move {
                let hellos = state
                    .read()
                    .await
                    .get_user_state::<Arc<AtomicUsize>>()
                    .cloned();
                if let Some(hellos) = hellos {
                    assert!(hello.num_connections >= 1);
                    hellos.fetch_add(1, Ordering::SeqCst);
                }
            });
        let hellos = Arc::new(AtomicUsize::new(0));
        let environment = Arc::new(
            SlackClientEventsListenerEnvironment::new(client(fake)).with_user_state(hellos.clone()),
        );
        let config = SlackClientSocketModeConfig::new()
            .with_max_connections_count(connections)
            // The default staggers connections 5 s apart; 0 starts them together.
            .with_initial_backoff_in_seconds(0)
            // Must stay >= 1: slack-morphism builds a tokio interval from it.
            .with_reconnect_timeout_in_seconds(1)
            .with_ping_interval_in_seconds(ping_interval_secs)
            .with_ping_failure_threshold_times(2);
        let listener = SlackClientSocketModeListener::new(&config, environment, callbacks);
        listener.listen_for(&app_token()).await.expect("listen_for");
        listener.start().await;
        Bot { listener, hellos }
    }

    async fn stop(self) {
        self.listener.shutdown().await;
    }
}

#[tokio::test]
async fn connects_gets_hello_and_acks_an_events_api_envelope() {
    let fake = FakeSlack::start().await;
    let bot = Bot::start(&fake, 2, 15).await;
    assert!(fake.wait_for_connections(2, WAIT).await, "two sockets");
    assert_eq!(fake.connections_opened(), 2);
    // The hello callback runs just after the fake sends hello; give it a moment.
    let deadline = tokio::time::Instant::now() + WAIT;
    while bot.hellos.load(Ordering::SeqCst) < 2 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(bot.hellos.load(Ordering::SeqCst), 2, "both hellos parsed");
    assert_eq!(fake.connection_urls_issued(), 2);
    assert!(fake
        .calls_to("apps.connections.open")
        .iter()
        .all(|c| c.token.as_deref() == Some(test_support::APP_TOKEN)));

    let payload = message_im(
        fake.team_id(),
        "U1",
        "DU1",
        "hello",
        "Ev1",
        "1700000000.000100",
    );
    let id = fake.send_envelope("events_api", payload, 0).await;
    let ack = fake.wait_for_ack(&id, WAIT).await.expect("ack");
    assert_eq!(ack.payload, None, "events are acked bare");

    // The handler ran before the ack (slack-morphism acks after the callback returns).
    let reply = fake
        .wait_for_call(WAIT, |c| c.method == "chat.postMessage")
        .await
        .expect("the handler's reply");
    assert_eq!(reply.param_str("text"), Some("echo: hello"));
    assert_eq!(reply.param_str("channel"), Some("DU1"));
    assert!(reply.at <= ack.at);
    bot.stop().await;
}

#[tokio::test]
async fn slash_command_ack_carries_the_reply_and_interactions_are_acked() {
    let fake = FakeSlack::start().await;
    let bot = Bot::start(&fake, 1, 15).await;
    assert!(fake.wait_for_connections(1, WAIT).await);

    let id = fake
        .send_envelope(
            "slash_commands",
            slash_command(
                fake.team_id(),
                "U1",
                "DU1",
                "status",
                &fake.response_url("c1"),
            ),
            0,
        )
        .await;
    let ack = fake.wait_for_ack(&id, WAIT).await.expect("ack");
    let payload = ack.payload.expect("slash command acks carry the reply");
    assert_eq!(payload["text"], "you said status");
    assert_eq!(payload["response_type"], "ephemeral");

    let id = fake
        .send_envelope(
            "interactive",
            button_click(
                fake.team_id(),
                "U1",
                "DU1",
                "dose_confirm",
                "dose:1",
                &fake.response_url("b1"),
                "1700000000.000100",
            ),
            0,
        )
        .await;
    let ack = fake.wait_for_ack(&id, WAIT).await.expect("ack");
    assert_eq!(ack.payload, None);
    let answer = fake
        .wait_for_call(WAIT, |c| c.method == "response_url")
        .await
        .expect("the click handler answered through the response URL");
    assert_eq!(answer.param_str("response_url_id"), Some("b1"));
    assert_eq!(answer.param_str("text"), Some("clicked dose:1"));

    let id = fake
        .send_envelope(
            "events_api",
            app_home_opened(fake.team_id(), "U1", "Ev2"),
            0,
        )
        .await;
    assert!(fake.wait_for_ack(&id, WAIT).await.is_some());
    let publish = fake
        .wait_for_call(WAIT, |c| c.method == "views.publish")
        .await
        .expect("the App Home handler published a view");
    assert_eq!(publish.param_str("user_id"), Some("U1"));
    bot.stop().await;
}

#[tokio::test]
async fn a_redelivered_envelope_is_acked_again() {
    let fake = FakeSlack::start().await;
    let bot = Bot::start(&fake, 1, 15).await;
    assert!(fake.wait_for_connections(1, WAIT).await);

    let payload = message_im(fake.team_id(), "U1", "DU1", "x", "Ev3", "1700000000.000100");
    fake.send_envelope_with_id("env-same", "events_api", payload.clone(), 0)
        .await;
    let first = fake.wait_for_ack("env-same", WAIT).await.expect("ack 1");
    fake.send_envelope_with_id("env-same", "events_api", payload, 1)
        .await;
    let second = fake.wait_for_ack("env-same", WAIT).await.expect("ack 2");
    assert!(second.at > first.at, "the second wait sees the second ack");
    assert_eq!(fake.acks().len(), 2);
    bot.stop().await;
}

#[tokio::test]
async fn disconnect_makes_the_client_reconnect() {
    let fake = FakeSlack::start().await;
    let bot = Bot::start(&fake, 2, 15).await;
    assert!(fake.wait_for_connections(2, WAIT).await);

    fake.disconnect_all("refresh_requested", Duration::from_millis(500))
        .await;
    assert_eq!(fake.connection_count(), 0);
    assert!(fake.wait_for_connections(2, WAIT).await, "reconnected");
    assert_eq!(fake.connections_opened(), 4);

    let payload = message_im(
        fake.team_id(),
        "U1",
        "DU1",
        "after",
        "Ev4",
        "1700000000.000200",
    );
    let id = fake.send_envelope("events_api", payload, 0).await;
    assert!(fake.wait_for_ack(&id, WAIT).await.is_some());
    bot.stop().await;
}

#[tokio::test]
async fn a_dropped_socket_makes_the_client_reconnect() {
    let fake = FakeSlack::start().await;
    let bot = Bot::start(&fake, 1, 15).await;
    assert!(fake.wait_for_connections(1, WAIT).await);

    fake.drop_all().await;
    assert!(fake.wait_for_connections(1, WAIT).await, "reconnected");
    assert_eq!(fake.connections_opened(), 2);

    let payload = message_im(
        fake.team_id(),
        "U1",
        "DU1",
        "again",
        "Ev5",
        "1700000000.000300",
    );
    let id = fake.send_envelope("events_api", payload, 0).await;
    assert!(fake.wait_for_ack(&id, WAIT).await.is_some());
    bot.stop().await;
}

#[tokio::test]
async fn pings_are_answered_so_the_client_keeps_its_socket() {
    let fake = FakeSlack::start().await;
    // Ping every second; the client gives up after 2 s without a pong.
    let bot = Bot::start(&fake, 1, 1).await;
    assert!(fake.wait_for_connections(1, WAIT).await);
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(fake.connections_opened(), 1, "no reconnection");
    assert_eq!(fake.connection_count(), 1);
    bot.stop().await;
}
