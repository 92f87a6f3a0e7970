//! Operator commands. They act as the operator (trusted, audited as `operator`) through the same
//! services every channel uses, so the same validation applies.

use std::io::{IsTerminal, Write};

use anyhow::{anyhow, bail, Context, Result};
use chrono::{Duration, NaiveTime};
use mednanny_core::audit;
use mednanny_core::auth::Actor;
use mednanny_core::domain::{
    emergency_numbers, ingredient_for_name, parse_strength, zone_named, Country, DoseAmount, Place,
    Role,
};
use mednanny_core::hours::{decimal_hours, YearMonth};
use mednanny_core::messages::Locale;
use mednanny_core::services::care::{NewMedication, Schedule};
use mednanny_core::services::{FamilyInfo, Services};
use mednanny_core::settings::Settings;

use crate::app::App;
use crate::cli::{
    AllergyCommand, AuditCommand, ChildCommand, Command, EraseArgs, ExportFormat, FamilyCommand,
    MedAddArgs, MedCommand, MemberCommand, RoleArg,
};

fn role(arg: RoleArg) -> Role {
    match arg {
        RoleArg::Guardian => Role::Guardian,
        RoleArg::Caregiver => Role::Caregiver,
        RoleArg::Viewer => Role::Viewer,
    }
}

async fn family(services: &Services, id_or_name: &str) -> Result<FamilyInfo> {
    services.find_family(id_or_name).await.with_context(|| {
        format!(
            "family {id_or_name:?} (use its id or exact name; `mednanny family list` shows them)"
        )
    })
}

async fn child_id(services: &Services, family: &FamilyInfo, name: &str) -> Result<i64> {
    let children = services.children(&Actor::operator(), family.id).await?;
    children
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name.trim()))
        .map(|c| c.id)
        .ok_or_else(|| {
            let known: Vec<&str> = children.iter().map(|c| c.name.as_str()).collect();
            anyhow!(
                "the {} family has no child called {name:?} (children: {})",
                family.name,
                known.join(", ")
            )
        })
}

pub async fn run(app: &App, settings: &Settings, command: Command) -> Result<()> {
    let services = &app.services;
    let op = Actor::operator();
    match command {
        Command::Family(FamilyCommand::Create {
            name,
            timezone,
            country,
        }) => {
            let timezone = timezone.unwrap_or_else(|| settings.family.default_timezone.clone());
            let country = country.unwrap_or_else(|| settings.family.default_country.clone());
            let id = services
                .create_family(&op, &name, &timezone, &country)
                .await?;
            println!("Created the {name} family (id {id}, {timezone}, {country}).");
            println!("Next: mednanny invite --family {id} --role guardian");
        }
        Command::Family(FamilyCommand::Set {
            family: which,
            timezone,
            country,
        }) => {
            let info = family(services, &which).await?;
            if timezone.is_none() && country.is_none() {
                bail!("say what changes: --country GB, --timezone Europe/London, or both");
            }
            let country = match country {
                Some(code) => Some(Country::parse(&code).ok_or_else(|| {
                    anyhow!("{code:?} is not an ISO 3166 country code (e.g. GB, MX, US)")
                })?),
                None => None,
            };
            // A country alone moves the family to that country's main zone unless its zone is
            // already there.
            let timezone = match (&timezone, &country) {
                (Some(zone), _) => zone_named(zone).ok_or_else(|| {
                    anyhow!("{zone:?} is not a time zone of the tz database (e.g. Europe/London)")
                })?,
                (None, Some(country)) => match Place::of_zone(info.timezone) {
                    Some(now) if &now.country == country => info.timezone,
                    _ => country
                        .main_zone()
                        .ok_or_else(|| anyhow!("no time zone is known for {}", country.code()))?,
                },
                (None, None) => info.timezone,
            };
            let place = services
                .set_family_place(&op, info.id, country.as_ref(), timezone)
                .await?;
            let numbers = emergency_numbers(place.country.code());
            println!(
                "The {} family now lives in {} ({}); emergency number {}{}.",
                info.name,
                place.country.name(Locale::En),
                place.timezone.name(),
                numbers.emergency,
                if numbers.guessed {
                    " (a guess: the country has no numbers on file)"
                } else {
                    ""
                }
            );
        }
        Command::Family(FamilyCommand::List) => {
            for info in services.list_families().await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    info.id, info.name, info.timezone, info.country
                );
            }
        }
        Command::Invite(args) => {
            let family = family(services, &args.family).await?;
            let invite = services
                .create_invite(&op, family.id, role(args.role))
                .await?;
            println!(
                "Invite code for the {} family ({}): {}",
                family.name,
                invite.role.as_str(),
                invite.code
            );
            println!(
                "It works once and expires {} UTC. The new member sends: join {}",
                invite.expires_at.format("%Y-%m-%d %H:%M"),
                invite.code
            );
        }
        Command::Member(MemberCommand::List { family: f }) => {
            let family = family(services, &f).await?;
            for m in services.members(&op, family.id).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    m.member_id,
                    m.name,
                    m.role.as_str(),
                    m.status.as_str()
                );
            }
        }
        Command::Member(MemberCommand::Revoke { member }) => {
            services.revoke_member(&op, member).await?;
            println!("Member {member} revoked.");
        }
        Command::Member(MemberCommand::Assign {
            family: f,
            member,
            child,
        }) => {
            let family = family(services, &f).await?;
            let child_id = child_id(services, &family, &child).await?;
            services.assign_caregiver(&op, member, child_id).await?;
            println!("Member {member} now cares for {child}.");
        }
        Command::Child(ChildCommand::Add {
            family: f,
            name,
            born,
        }) => {
            let family = family(services, &f).await?;
            let id = services.add_child(&op, family.id, &name, born).await?;
            println!("Added {name} to the {} family (id {id}).", family.name);
        }
        Command::Med(MedCommand::Add(args)) => add_medication(services, args).await?,
        Command::Allergy(AllergyCommand::Add {
            family: f,
            child,
            allergen,
            severity,
            reaction,
        }) => {
            let family = family(services, &f).await?;
            let child_id = child_id(services, &family, &child).await?;
            services
                .add_allergy(&op, child_id, &allergen, &severity, reaction.as_deref())
                .await?;
            println!("Added {allergen} allergy ({severity}) for {child}.");
        }
        Command::Export(args) => {
            let family = family(services, &args.family).await?;
            let document = match args.format {
                ExportFormat::Json => services.export_json(&op, family.id).await?,
                ExportFormat::Fhir => services.export_fhir(&op, family.id).await?,
            };
            println!("{}", serde_json::to_string_pretty(&document)?);
        }
        Command::Hours(args) => {
            let family = family(services, &args.family).await?;
            let month = match &args.month {
                Some(text) => YearMonth::parse(text).map_err(|e| anyhow!("--month: {e}"))?,
                None => YearMonth::of(services.now().with_timezone(&family.timezone).date_naive()),
            };
            let payroll = services.payroll_month(&op, family.id, month).await?;
            if args.csv {
                print!("{}", payroll.csv());
            } else {
                println!("Hours in {month} for the {} family:", family.name);
                if payroll.hours.is_empty() {
                    println!("No hours were clocked.");
                }
                for nanny in &payroll.hours {
                    println!(
                        "{}: {} h, of which {} h overtime",
                        payroll.name_of(nanny.member_id),
                        decimal_hours(nanny.month.worked),
                        decimal_hours(nanny.month.overtime)
                    );
                }
                if payroll.open_shifts > 0 {
                    println!(
                        "{} shift(s) not clocked out count no hours yet.",
                        payroll.open_shifts
                    );
                }
            }
        }
        Command::Erase(args) => erase(services, args).await?,
        Command::Audit(AuditCommand::Verify) => {
            let report = audit::verify(services.db().conn()).await?;
            match report.first_break {
                None => println!(
                    "Audit trail intact: {} events in {} chains.",
                    report.events, report.chains
                ),
                Some((chain, seq, problem)) => {
                    bail!("audit trail broken in chain {chain} at event #{seq}: {problem}")
                }
            }
        }
        Command::Chat(_) | Command::Migrate | Command::Serve => unreachable!("handled by run"),
    }
    Ok(())
}

async fn add_medication(services: &Services, args: MedAddArgs) -> Result<()> {
    let family = family(services, &args.family).await?;
    let child_id = child_id(services, &family, &args.child).await?;
    let ingredient = ingredient_for_name(&args.ingredient)
        .map(str::to_string)
        .unwrap_or_else(|| args.ingredient.trim().to_lowercase());
    let mut strength =
        parse_strength(&ingredient, &args.strength).map_err(|e| anyhow!("--strength: {e}"))?;
    strength.max_mg_per_day = args.max_mg;
    let dose = DoseAmount::parse(&args.dose).map_err(|e| anyhow!("--dose: {e}"))?;
    if !(0.5..=168.0).contains(&args.every) {
        bail!("--every: give the minimum hours between doses, from 0.5 to 168");
    }
    let schedule = if args.at.is_empty() {
        Schedule::AsNeeded
    } else {
        let times = args
            .at
            .iter()
            .map(|t| {
                NaiveTime::parse_from_str(t.trim(), "%H:%M")
                    .map_err(|_| anyhow!("--at: {t:?} is not HH:MM"))
            })
            .collect::<Result<Vec<_>>>()?;
        Schedule::FixedTimes { times }
    };
    let id = services
        .add_medication(
            &Actor::operator(),
            NewMedication {
                child_id,
                name: args.name.clone(),
                form: args.form,
                route: "oral".into(),
                ingredients: vec![strength],
                dose,
                schedule,
                min_interval: Duration::minutes((args.every * 60.0).round() as i64),
                max_doses_per_day: args.max_doses,
                starts_on: None,
                ends_on: None,
            },
        )
        .await?;
    println!("Added {} for {} (id {id}).", args.name, args.child);
    Ok(())
}

async fn erase(services: &Services, args: EraseArgs) -> Result<()> {
    let op = Actor::operator();
    let (what, confirm_word) = match (&args.target.member, &args.target.family) {
        (Some(member), _) => (format!("member {member}"), member.to_string()),
        (None, Some(f)) => {
            let family = family(services, f).await?;
            (
                format!(
                    "the {} family (id {}) and everything it holds",
                    family.name, family.id
                ),
                family.name,
            )
        }
        (None, None) => bail!("say what to erase: --member M or --family F"),
    };
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            bail!("erasing cannot be undone: pass --yes to confirm when input is not a terminal");
        }
        print!("This permanently erases {what}. Type {confirm_word:?} to confirm: ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if answer.trim() != confirm_word {
            println!("Not confirmed; nothing was erased.");
            return Ok(());
        }
    }
    let report = match (args.target.member, args.target.family) {
        (Some(member), _) => services.erase_member(&op, member).await?,
        (None, Some(f)) => {
            let family = family(services, &f).await?;
            services.erase_family(&op, family.id).await?
        }
        (None, None) => unreachable!("checked above"),
    };
    println!("Erased {what}: {report:?}");
    Ok(())
}
