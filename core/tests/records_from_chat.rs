//! The rest of the record kept from chat, on both databases, through the engine as every channel
//! drives it: vaccinations, appointments, the family's doctors and conditions (guardian-only or
//! shared), listed by whoever cares for the child, added and removed by guardians, each bad answer
//! refused with the reason and nothing written.
//!
//! ```text
//! ana>  add vaccination MMR for Leo on 5 Jan 2026, dose 1   -> Leo: MMR vaccination on ... Save it?
//! ana>  yes                                                 -> Saved for Leo: the MMR vaccination ...
//! ana>  add appointment for Emma with Dr Patel on 12 March at 10:30 about her checkup / yes
//! ana>  add paediatrician Dr Patel 555 010 2030 / yes
//! maya> doctors                                             -> Dr Patel, paediatrician — 555 010 2030
//! ana>  cancel Emma's appointment / yes                     -> Removed the appointment with Dr Patel ...
//! ```
#![allow(clippy::unwrap_used)]

mod support;

use entity::{appointment, condition, provider, vaccination};
use mednanny_core::engine::Engine;
use sea_orm::{EntityTrait, PaginatorTrait};
use support::{backends, turn, TestApp};

async fn rows<E: EntityTrait>(app: &TestApp) -> u64
where
    E::Model: Sync,
{
    E::find().count(app.services.db().conn()).await.unwrap()
}

#[tokio::test]
async fn a_guardian_keeps_vaccinations_appointments_and_doctors_and_the_nanny_reads_them() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        mednanny_core::demo::ensure(&app.services).await.unwrap();
        let engine = Engine::with_database_store(app.services.clone());
        let say = |who: &'static str, text: &'static str| turn(&engine, who, text);

        // A vaccination in one message: the summary, then saved on "yes".
        let summary = say("ana", "add vaccination MMR for Leo on 5 Jan 2026, dose 1").await;
        assert!(
            summary.contains("Leo: MMR vaccination on 5 January 2026, dose 1."),
            "{summary}"
        );
        let saved = say("ana", "yes").await;
        assert!(
            saved.contains("Saved for Leo: the MMR vaccination"),
            "{saved}"
        );
        assert_eq!(rows::<vaccination::Entity>(&app).await, 1);
        assert_eq!(app.audited("vaccination.add").await, 1);

        // Asked one question at a time; a future date is re-asked with the reason.
        let asked = say("ana", "add vaccination for Leo").await;
        assert!(asked.contains("Which vaccine"), "{asked}");
        let asked = say("ana", "DTaP").await;
        assert!(asked.contains("When was it given?"), "{asked}");
        let future = say("ana", "10 March 2026").await;
        assert!(future.contains("in the future"), "{future}");
        // A date before Leo was born (14 months ago) is refused by the services, nothing written.
        say("ana", "1 December 2024").await;
        let summary = say("ana", "2").await;
        assert!(summary.contains("Save it?"), "{summary}");
        let refused = say("ana", "yes").await;
        assert!(refused.contains("before Leo was born"), "{refused}");
        assert!(refused.contains("Nothing was recorded"), "{refused}");
        assert_eq!(rows::<vaccination::Entity>(&app).await, 1);

        // The nanny reads the list but may not add to it.
        let list = say("maya", "Leo's vaccinations").await;
        assert!(list.contains("MMR (dose 1), 5 Jan 2026"), "{list}");
        let refused = say("maya", "add vaccination").await;
        assert!(refused.contains("Only a guardian"), "{refused}");

        // An appointment: who with, when, why, all in one sentence; the doctor is kept too.
        let summary = say(
            "ana",
            "add appointment for Emma with Dr Patel on 12 March at 10:30 about her checkup",
        )
        .await;
        assert!(
            summary.contains(
                "Emma: appointment on Thursday 12 March 2026 at 10:30 with Dr Patel (her checkup)."
            ),
            "{summary}"
        );
        say("ana", "yes").await;
        assert_eq!(rows::<appointment::Entity>(&app).await, 1);
        assert_eq!(rows::<provider::Entity>(&app).await, 1);
        // A day that has passed is re-asked.
        say("ana", "add appointment for Emma").await;
        let past = say("ana", "1 March 2026").await;
        assert!(past.contains("That day has passed"), "{past}");
        assert!(say("ana", "cancel").await.contains("nothing was saved"));

        // The paediatrician's phone completes the doctor the appointment named (one provider).
        let summary = say("ana", "add paediatrician Dr Patel 555 010 2030").await;
        assert!(
            summary.contains("Add Dr Patel, paediatrician, phone 555 010 2030."),
            "{summary}"
        );
        say("ana", "yes").await;
        assert_eq!(rows::<provider::Entity>(&app).await, 1);
        let doctors = say("maya", "doctors").await;
        assert!(
            doctors.contains("Dr Patel, paediatrician — 555 010 2030"),
            "{doctors}"
        );
        let upcoming = say("maya", "Emma's appointments").await;
        assert!(
            upcoming.contains("with Dr Patel: her checkup"),
            "{upcoming}"
        );

        // A phone that is not one is re-asked; "skip" keeps none.
        say("ana", "add doctor").await;
        let asked = say("ana", "Dr Lee").await;
        assert!(asked.contains("phone number"), "{asked}");
        let bad = say("ana", "call the front desk").await;
        assert!(bad.contains("doesn't look like a phone number"), "{bad}");
        say("ana", "skip").await;
        say("ana", "yes").await;
        assert_eq!(rows::<provider::Entity>(&app).await, 2);

        // Cancelling the appointment asks first, then removes it (audited); the doctor stays.
        let asked = say("ana", "cancel Emma's appointment").await;
        assert!(
            asked.contains("Remove the appointment with Dr Patel"),
            "{asked}"
        );
        assert!(say("ana", "no").await.contains("nothing was changed"));
        assert_eq!(rows::<appointment::Entity>(&app).await, 1);
        say("ana", "cancel Emma's appointment").await;
        let removed = say("ana", "yes").await;
        assert!(removed.contains("Removed the appointment"), "{removed}");
        assert_eq!(rows::<appointment::Entity>(&app).await, 0);
        assert_eq!(app.audited("appointment.remove").await, 1);
        let none = say("maya", "Emma's appointments").await;
        assert!(none.contains("no upcoming appointments"), "{none}");
        // Nothing by that name: said so, nothing changed.
        let unknown = say("ana", "remove Dr Who").await;
        assert!(unknown.contains("I can't find \"Dr Who\""), "{unknown}");
        assert_eq!(rows::<provider::Entity>(&app).await, 2);
    }
}

#[tokio::test]
async fn a_guardian_only_condition_is_hidden_from_the_nanny_and_an_allergy_is_removed() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        mednanny_core::demo::ensure(&app.services).await.unwrap();
        let engine = Engine::with_database_store(app.services.clone());
        let say = |who: &'static str, text: &'static str| turn(&engine, who, text);

        let asked = say("ana", "add condition for Leo: eczema").await;
        assert!(asked.contains("Who should see it"), "{asked}");
        let summary = say("ana", "guardians only").await;
        assert!(
            summary.contains("Leo: eczema (guardians only)."),
            "{summary}"
        );
        let saved = say("ana", "yes").await;
        assert!(saved.contains("Only guardians see it"), "{saved}");
        say("ana", "add condition asthma for Emma, shared").await;
        say("ana", "yes").await;
        assert_eq!(rows::<condition::Entity>(&app).await, 2);

        // The nanny sees the shared condition, not the private one; the guardian sees both.
        let nanny = say("maya", "conditions").await;
        assert!(nanny.contains("asthma"), "{nanny}");
        assert!(!nanny.contains("eczema"), "{nanny}");
        let guardian = say("ana", "conditions").await;
        assert!(guardian.contains("eczema — guardians only"), "{guardian}");

        // Removing an allergy names it back and asks first; the nanny may not.
        let refused = say("maya", "remove Leo's peanut allergy").await;
        assert!(refused.contains("Only a guardian"), "{refused}");
        let asked = say("ana", "remove Leo's peanut allergy").await;
        assert!(
            asked.contains("Remove the peanuts allergy (severe) from Leo's record?"),
            "{asked}"
        );
        let removed = say("ana", "yes").await;
        assert!(removed.contains("Removed the peanuts allergy"), "{removed}");
        assert!(say("maya", "Leo's allergies")
            .await
            .contains("no allergies on file"));
        assert_eq!(app.audited("allergy.remove").await, 1);
    }
}

#[tokio::test]
async fn an_appointment_an_allergy_and_a_doctor_are_changed_in_place() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        mednanny_core::demo::ensure(&app.services).await.unwrap();
        let engine = Engine::with_database_store(app.services.clone());
        let say = |who: &'static str, text: &'static str| turn(&engine, who, text);

        say(
            "ana",
            "add appointment for Emma with Dr Patel on 12 March at 10:30 about her checkup",
        )
        .await;
        say("ana", "yes").await;

        // Moved: the summary shows the new time; saved on yes, the same appointment (audited).
        let summary = say("ana", "change Emma's appointment to 3pm").await;
        assert!(
            summary.contains("Changed, on file once you say yes"),
            "{summary}"
        );
        assert!(summary.contains("at 15:00 with Dr Patel"), "{summary}");
        let changed = say("ana", "yes").await;
        assert!(changed.contains("Changed on Emma's record"), "{changed}");
        assert_eq!(rows::<appointment::Entity>(&app).await, 1);
        assert_eq!(app.audited("appointment.change").await, 1);
        let list = say("maya", "Emma's appointments").await;
        assert!(list.contains("15:00 with Dr Patel"), "{list}");

        // An allergy's severity; a doctor's phone (a bad one re-asked with the reason).
        say("ana", "change Leo's peanut allergy to mild").await;
        say("ana", "yes").await;
        let allergies = say("maya", "Leo's allergies").await;
        assert!(allergies.contains("peanuts (mild)"), "{allergies}");
        let bad = say("ana", "change Dr Patel's phone to call me").await;
        assert!(!bad.contains("Changed on"), "{bad}");
        say("ana", "cancel").await;
        say("ana", "change Dr Patel's phone to 555 010 2030").await;
        say("ana", "yes").await;
        let doctors = say("maya", "doctors").await;
        assert!(doctors.contains("Dr Patel — 555 010 2030"), "{doctors}");
        assert_eq!(rows::<provider::Entity>(&app).await, 1);

        // The nanny may not change the record's entries.
        let refused = say("maya", "change Emma's appointment to 4pm").await;
        assert!(refused.contains("Only a guardian"), "{refused}");
        let list = say("maya", "Emma's appointments").await;
        assert!(list.contains("15:00"), "{list}");
    }
}
