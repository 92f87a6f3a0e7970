//! The slack-morphism client as the bot would build it, pointed at a [`FakeSlack`].

use std::sync::Arc;

use slack_morphism::prelude::*;
use test_support::{FakeSlack, APP_TOKEN, BOT_TOKEN};

/// `SlackHyperClient` (the HTTPS connector type the bot uses), allowed to speak plain HTTP
/// because the fake has no TLS, with its API base set to the fake.
pub fn client(fake: &FakeSlack) -> Arc<SlackHyperClient> {
    client_with_base(&fake.api_url())
}

pub fn client_with_base(api_url: &str) -> Arc<SlackHyperClient> {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
        .expect("native root certificates")
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    let connector = SlackClientHyperConnector::from(https).with_slack_api_url(api_url);
    Arc::new(SlackClient::new(connector))
}

pub fn bot_token() -> SlackApiToken {
    SlackApiToken::new(BOT_TOKEN.into())
}

pub fn app_token() -> SlackApiToken {
    SlackApiToken::new(APP_TOKEN.into())
}
