//! WhatsApp in the core, on both databases: inviting by phone (guardians only, the number checked,
//! the invite's message queued with it and sealed at rest), joining by replying JOIN, linking a
//! phone with a 6-digit code (five tries, ten minutes), and the outbox the bridge sends from
//! (each message queued once, one recipient's in order, leases that two senders never share).
#![allow(clippy::unwrap_used)]

mod support;

use chrono::Duration;
use entity::outbox;
use mednanny_core::auth::Actor;
use mednanny_core::domain::{Channel, IdentityKind, Phone};
use mednanny_core::engine::{Engine, Inbound};
use mednanny_core::outbox::{queue, Content, NewMessage, Outbox};
use mednanny_core::services::phones::LinkOutcome;
use mednanny_core::services::{Problem, ServiceError};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QueryOrder};
use support::{backends, turn, TestApp};

const ROSA: &str = "+14155550101";

async fn queued(app: &TestApp) -> Vec<outbox::Model> {
    outbox::Entity::find()
        .all(app.services.db().conn())
        .await
        .unwrap()
}

fn from_whatsapp(phone: &str, text: &str) -> Inbound {
    Inbound {
        channel: Channel::Whatsapp,
        identity: IdentityKind::Whatsapp,
        external_id: phone.into(),
        display_name: Some("Rosa's phone".into()),
        text: text.into(),
        delivery_key: None,
        form: None,
        voice: false,
        locale: None,
        photo: None,
        timezone: None,
    }
}

async fn said_on_whatsapp(engine: &Engine, phone: &str, text: &str) -> String {
    engine
        .handle(&from_whatsapp(phone, text))
        .await
        .replies
        .iter()
        .map(|r| r.text.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn a_guardian_invites_by_phone_and_the_nanny_joins_by_replying_join() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        mednanny_core::demo::ensure(&app.services).await.unwrap();
        let engine = Engine::with_database_store(app.services.clone());

        // The nanny may not invite; a number that is not one is refused. Nothing is queued.
        let refused = turn(&engine, "maya", "invite caregiver Rosa +1 415 555 0101").await;
        assert!(refused.contains("don't have access"), "{refused}");
        let bad = turn(&engine, "ana", "invite caregiver Rosa +1 555 123").await;
        assert!(bad.contains("is not a phone number"), "{bad}");
        assert!(queued(&app).await.is_empty());

        let sent = turn(&engine, "ana", "invite caregiver Rosa (415) 555-0101").await;
        assert!(
            sent.contains("Invite sent to Rosa on WhatsApp (+14155550101)"),
            "{sent}"
        );
        let rows = queued(&app).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].recipient, ROSA);
        assert_eq!(rows[0].status, "queued");
        // Sealed at rest: the words are not in the table.
        assert!(!rows[0].content.contains("JOIN"), "{}", rows[0].content);
        assert_eq!(app.audited("invite.create_by_phone").await, 1);

        // Someone else's number says JOIN: nothing to join, and nothing about the family.
        let stranger = said_on_whatsapp(&engine, "+14155550199", "JOIN").await;
        assert!(stranger.contains("not linked to a family"), "{stranger}");
        assert!(!stranger.contains("Garcia"), "{stranger}");

        // Rosa's phone says JOIN: she is a caregiver, named as the guardian wrote.
        let joined = said_on_whatsapp(&engine, ROSA, "join").await;
        assert!(joined.contains("Garcia"), "{joined}");
        assert!(joined.contains("caregiver"), "{joined}");
        let person = app
            .services
            .resolve_identity(IdentityKind::Whatsapp, ROSA)
            .await
            .unwrap()
            .expect("the phone is Rosa's now");
        assert_eq!(app.services.person_name(person).await.unwrap(), "Rosa");
        // The invite works once.
        let again = said_on_whatsapp(&engine, ROSA, "join").await;
        assert!(!again.contains("Welcome"), "{again}");
    }
}

#[tokio::test]
async fn a_phone_is_linked_with_its_code_within_five_tries_and_ten_minutes() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let demo = mednanny_core::demo::ensure(&app.services).await.unwrap();
        let luis = Actor::person(demo.luis, Channel::Console);
        let phone = Phone::from_e164("+14155550103");

        // Five wrong codes spend it; the right one is then refused too.
        app.services
            .start_phone_link(&luis, "+1 415 555 0103", "US")
            .await
            .unwrap();
        for left in (1..=4).rev() {
            let wrong = app
                .services
                .confirm_phone_link(Some(&phone), None, "000000")
                .await;
            assert!(
                matches!(wrong, Err(ServiceError::Invalid(Problem::LinkCodeWrong { left: l })) if l == left),
                "{wrong:?}"
            );
        }
        let spent = app
            .services
            .confirm_phone_link(Some(&phone), None, "000000")
            .await;
        assert!(
            matches!(spent, Err(ServiceError::Invalid(Problem::LinkCodeSpent))),
            "{spent:?}"
        );

        // A new code; ten minutes later it has expired.
        app.services
            .start_phone_link(&luis, "+1 415 555 0103", "US")
            .await
            .unwrap();
        app.clock.advance(Duration::minutes(11));
        let late = app
            .services
            .confirm_phone_link(Some(&phone), None, "123456")
            .await
            .unwrap();
        assert_eq!(late, LinkOutcome::NoneWaiting);

        // In time, the code sent (read back from the outbox, as the phone would) links it.
        app.services
            .start_phone_link(&luis, "+1 415 555 0103", "US")
            .await
            .unwrap();
        let outbox = Outbox::new(
            app.services.db().clone(),
            app.keys.clone(),
            app.services.clock(),
        );
        // One phone's messages come one at a time, in order: the last is the newest code.
        let mut codes = Vec::new();
        loop {
            let claimed = outbox.claim(10, Duration::seconds(30)).await.unwrap();
            if claimed.is_empty() {
                break;
            }
            for message in claimed {
                if let Content::Template { fallback, .. } = &message.content {
                    codes.extend(
                        fallback
                            .split(|c: char| !c.is_ascii_digit())
                            .find(|w| w.len() == 6)
                            .map(str::to_string),
                    );
                }
                outbox.sent(message.id, "SM").await.unwrap();
            }
        }
        assert_eq!(codes.len(), 3, "one message per code asked for");
        let code = codes.pop().expect("a code was sent");
        let linked = app
            .services
            .confirm_phone_link(Some(&phone), None, &code)
            .await
            .unwrap();
        assert_eq!(
            linked,
            LinkOutcome::Linked {
                person_id: demo.luis,
                phone: phone.clone()
            }
        );
        // The number is Luis's; nobody else can link it.
        let ana = Actor::person(demo.ana, Channel::Console);
        let taken = app
            .services
            .start_phone_link(&ana, "+14155550103", "US")
            .await;
        assert!(
            matches!(taken, Err(ServiceError::Invalid(Problem::IdentityTaken))),
            "{taken:?}"
        );
    }
}

#[tokio::test]
async fn the_outbox_queues_once_sends_one_recipients_messages_in_order_and_leases_them() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let services = &app.services;
        let message = |to: &str, n: usize| NewMessage {
            recipient: to.into(),
            person_id: None,
            content: Content::Text {
                body: format!("reply {n}"),
            },
            dedupe_key: format!("whatsapp:SM{to}:{n}"),
        };
        let batch = [
            message("+14155550001", 0),
            message("+14155550001", 1),
            message("+14155550002", 0),
        ];
        assert_eq!(
            queue(
                services.db().conn(),
                services.keys(),
                services.now(),
                &batch
            )
            .await
            .unwrap(),
            3
        );
        // The same turn processed again (a crash before it was finished) queues nothing more.
        assert_eq!(
            queue(
                services.db().conn(),
                services.keys(),
                services.now(),
                &batch
            )
            .await
            .unwrap(),
            0
        );

        let first = Outbox::new(services.db().clone(), app.keys.clone(), services.clock());
        let second = Outbox::new(services.db().clone(), app.keys.clone(), services.clock());
        // Each recipient's oldest only; the other sender finds nothing left to take.
        let claimed = first.claim(10, Duration::seconds(30)).await.unwrap();
        let bodies: Vec<_> = claimed.iter().map(|m| (&m.recipient, &m.content)).collect();
        assert_eq!(claimed.len(), 2, "{bodies:?}");
        assert!(claimed.iter().all(|m| m.content
            == Content::Text {
                body: "reply 0".into()
            }));
        assert!(second
            .claim(10, Duration::seconds(30))
            .await
            .unwrap()
            .is_empty());

        // One is sent; the other's sender dies. The next of the first recipient goes; the dead
        // sender's message is taken again once its lease runs out.
        let one = claimed
            .iter()
            .find(|m| m.recipient == "+14155550001")
            .unwrap();
        first.sent(one.id, "SM1").await.unwrap();
        let next = second.claim(10, Duration::seconds(30)).await.unwrap();
        assert_eq!(next.len(), 1);
        assert_eq!(
            next[0].content,
            Content::Text {
                body: "reply 1".into()
            }
        );
        app.clock.advance(Duration::seconds(31));
        let retaken = second.claim(10, Duration::seconds(30)).await.unwrap();
        assert!(retaken.iter().any(|m| m.recipient == "+14155550002"));

        // A failure that passes is retried later, and a status callback moves a sent one on.
        let change = first
            .delivery_status("SM1", "delivered", None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(change.status, "delivered");
        let stale = first
            .delivery_status("SM1", "sent", None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stale.status, "delivered", "a status never goes back");
        assert!(first
            .delivery_status("SM-unknown", "read", None)
            .await
            .unwrap()
            .is_none());
        let count = outbox::Entity::find()
            .count(services.db().conn())
            .await
            .unwrap();
        assert_eq!(count, 3);
        // Sealed at rest.
        let raw = services
            .db()
            .conn()
            .query_all_raw(sea_orm::Statement::from_string(
                services.db().backend(),
                "SELECT content FROM outbox",
            ))
            .await
            .unwrap();
        for row in raw {
            let content: String = row.try_get("", "content").unwrap();
            assert!(!content.contains("reply"), "{content}");
        }
    }
}

/// One person's backlog at the head of the queue (an alert storm, a number Twilio keeps refusing
/// for now) holds up only their own messages: the next recipient's are still claimed, in order,
/// and the backlog goes on one message at a time. Ten messages are found in the head read a page
/// at a time; 100 are more than a claim of two reads there, and the whole queue is asked.
#[tokio::test]
async fn a_long_backlog_for_one_number_does_not_hold_up_anyone_else() {
    for (backend, backlog) in backends().into_iter().flat_map(|b| [(b, 10), (b, 100)]) {
        let app = TestApp::new(backend).await;
        let services = &app.services;
        let message = |to: &str, n: usize| NewMessage {
            recipient: to.into(),
            person_id: None,
            content: Content::Text {
                body: format!("reply {n}"),
            },
            dedupe_key: format!("whatsapp:backlog:{to}:{n}"),
        };
        // The backlog for the first number, then two for the second.
        let mut batch: Vec<NewMessage> = (0..backlog).map(|n| message("+14155550001", n)).collect();
        batch.extend((0..2).map(|n| message("+14155550002", n)));
        queue(
            services.db().conn(),
            services.keys(),
            services.now(),
            &batch,
        )
        .await
        .unwrap();
        let outbox = Outbox::new(services.db().clone(), app.keys.clone(), services.clock());
        let first = outbox.claim(2, Duration::seconds(30)).await.unwrap();
        let got: Vec<(&str, &Content)> = first
            .iter()
            .map(|m| (m.recipient.as_str(), &m.content))
            .collect();
        let text = |body: &str| Content::Text { body: body.into() };
        assert_eq!(
            got,
            vec![
                ("+14155550001", &text("reply 0")),
                ("+14155550002", &text("reply 0")),
            ],
            "each number's oldest, though the second's sits behind the first's backlog of {backlog}"
        );
        // Both in flight: nothing more is anyone's turn.
        assert!(outbox
            .claim(2, Duration::seconds(30))
            .await
            .unwrap()
            .is_empty());
        for sent in &first {
            outbox.sent(sent.id, "SM").await.unwrap();
        }
        let second = outbox.claim(2, Duration::seconds(30)).await.unwrap();
        let got: Vec<(&str, &Content)> = second
            .iter()
            .map(|m| (m.recipient.as_str(), &m.content))
            .collect();
        assert_eq!(
            got,
            vec![
                ("+14155550001", &text("reply 1")),
                ("+14155550002", &text("reply 1")),
            ]
        );
    }
}

/// A status callback that beats its message's record (the bridge records a batch's sends together,
/// after the last one is answered) is kept, and applied when the send is recorded: a 63016 then
/// still reaches the sender, which tells the member. A lesser status after it changes nothing.
#[tokio::test]
async fn a_status_that_comes_before_the_send_is_recorded_is_applied_with_it() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let services = &app.services;
        let message = |to: &str| NewMessage {
            recipient: to.into(),
            person_id: None,
            content: Content::Text {
                body: "reply".into(),
            },
            dedupe_key: format!("whatsapp:early:{to}"),
        };
        queue(
            services.db().conn(),
            services.keys(),
            services.now(),
            &[message("+14155550001"), message("+14155550002")],
        )
        .await
        .unwrap();
        let outbox = Outbox::new(services.db().clone(), app.keys.clone(), services.clock());
        let claimed = outbox.claim(2, Duration::seconds(30)).await.unwrap();
        assert_eq!(claimed.len(), 2);
        for (sid, status, code) in [
            ("SM-A", "delivered", None),
            ("SM-B", "undelivered", Some(63016)),
            ("SM-A", "sent", None),
        ] {
            let change = outbox.delivery_status(sid, status, code).await.unwrap();
            assert!(change.is_none(), "no message has {sid} yet");
        }
        let changes = outbox
            .sent_many(&[
                (claimed[0].id, "SM-A".to_string()),
                (claimed[1].id, "SM-B".to_string()),
            ])
            .await
            .unwrap();
        let undeliverable: Vec<i64> = changes
            .iter()
            .filter(|c| c.status == "undeliverable")
            .map(|c| c.id)
            .collect();
        assert_eq!(undeliverable, vec![claimed[1].id]);
        let statuses: Vec<(i64, String)> = outbox::Entity::find()
            .order_by_asc(outbox::Column::Id)
            .all(services.db().conn())
            .await
            .unwrap()
            .into_iter()
            .map(|row| (row.id, row.status))
            .collect();
        assert_eq!(
            statuses,
            vec![
                (claimed[0].id, "delivered".to_string()),
                (claimed[1].id, "undeliverable".to_string()),
            ]
        );
        // Applied, and kept no longer.
        let kept = entity::outbox_early_status::Entity::find()
            .count(services.db().conn())
            .await
            .unwrap();
        assert_eq!(kept, 0);
    }
}
