//! The tools the model may call, and how a call becomes a [`Command`].
//!
//! A tool call is read exactly like a person's message is: into a `Command` that the conversation
//! machine then handles, with the same dose-safety check, the same questions when something is
//! missing, the same confirmations and the same services (authorization and audit inside). The model
//! never writes on its own authority and never answers a record question from its own words: what
//! the person reads about a dose comes from the record. Tools are offered by role; the policy is
//! here, in code, so nothing a message says ("I am the guardian") changes what is offered.
//!
//! Pure: no I/O. Arguments are checked like user input; what is wrong goes back to the model as a
//! tool error it can correct.

use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde_json::{json, Map, Value};

use super::aliases::Aliases;
use crate::domain::{DoseAmount, DoseUnit, Role};
use crate::engine::command::{Command, RecordKind, SaidTime};
use crate::engine::forms::FormKind;

/// A tool the model may be offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    ListChildren,
    ListMedications,
    DoseStatus,
    ListAllergies,
    UpcomingAppointments,
    LogDose,
    RecordTemperature,
    AddCareNote,
    StartShift,
    EndShift,
    ProposeMedication,
    ProposeAppointment,
}

impl Tool {
    pub const ALL: [Tool; 12] = [
        Tool::ListChildren,
        Tool::ListMedications,
        Tool::DoseStatus,
        Tool::ListAllergies,
        Tool::UpcomingAppointments,
        Tool::LogDose,
        Tool::RecordTemperature,
        Tool::AddCareNote,
        Tool::StartShift,
        Tool::EndShift,
        Tool::ProposeMedication,
        Tool::ProposeAppointment,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Tool::ListChildren => "list_children",
            Tool::ListMedications => "list_medications",
            Tool::DoseStatus => "dose_status",
            Tool::ListAllergies => "list_allergies",
            Tool::UpcomingAppointments => "upcoming_appointments",
            Tool::LogDose => "log_dose",
            Tool::RecordTemperature => "record_temperature",
            Tool::AddCareNote => "add_care_note",
            Tool::StartShift => "start_shift",
            Tool::EndShift => "end_shift",
            Tool::ProposeMedication => "propose_medication",
            Tool::ProposeAppointment => "propose_appointment",
        }
    }

    fn from_name(name: &str) -> Option<Tool> {
        Tool::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Whether someone with this role is offered the tool. Admin actions (members, export,
    /// erase) are never tools.
    pub fn granted(self, role: Role) -> bool {
        use Tool::*;
        match self {
            ListChildren | ListMedications | DoseStatus | ListAllergies | UpcomingAppointments => {
                true
            }
            LogDose | RecordTemperature | AddCareNote | ProposeMedication => {
                matches!(role, Role::Guardian | Role::Caregiver)
            }
            // Shifts are the nanny's; appointments are booked by guardians.
            StartShift | EndShift => role == Role::Caregiver,
            ProposeAppointment => role == Role::Guardian,
        }
    }

    fn description(self) -> &'static str {
        // Short: the tools are sent with every request, and every token is the family's money.
        match self {
            Tool::ListChildren => "Children this person sees.",
            Tool::ListMedications => "A child's medicines on record.",
            Tool::DoseStatus => "Last doses and when the next is allowed.",
            Tool::ListAllergies => "A child's allergies.",
            Tool::UpcomingAppointments => "Upcoming appointments.",
            Tool::LogDose => "Record a dose given, as said; never work one out.",
            Tool::RecordTemperature => "Record a temperature.",
            Tool::AddCareNote => "Add a care note.",
            Tool::StartShift => "The nanny starts a shift.",
            Tool::EndShift => "The nanny ends a shift (with what she says for the guardians).",
            Tool::ProposeMedication => "Propose a new medicine; the person confirms.",
            Tool::ProposeAppointment => "Propose an appointment; the person confirms.",
        }
    }

    fn parameters(self) -> Value {
        // Children are named by the aliases the system prompt lists; times are said in it too.
        let text = json!({"type": "string"});
        let time = json!({"type": "string", "description": "HH:MM or 'N minutes ago'"});
        let (properties, required): (Value, &[&str]) = match self {
            Tool::ListChildren | Tool::StartShift => {
                return json!({"type": "object", "properties": {}})
            }
            // The nanny's own words for the guardians' handoff report, and when she left if she
            // said ("left at 17:30"); neither is required.
            Tool::EndShift => (json!({ "left_at": time, "handoff_note": text }), &[]),
            Tool::ListMedications | Tool::ListAllergies | Tool::UpcomingAppointments => {
                (json!({ "child": text }), &[])
            }
            Tool::DoseStatus => (json!({ "child": text, "medication": text }), &[]),
            Tool::LogDose => (
                json!({
                    "child": text,
                    "medication": text,
                    "amount": {"type": "number"},
                    "unit": {"enum": ["ml", "mg", "tablet", "drop"]},
                    "given_at": time,
                }),
                &["child", "medication", "amount", "unit"],
            ),
            Tool::RecordTemperature => (
                json!({
                    "child": text,
                    "value": {"type": "number"},
                    "scale": {"enum": ["C", "F"]},
                    "taken_at": time,
                }),
                &["child", "value", "scale"],
            ),
            Tool::AddCareNote => (json!({ "child": text, "text": text }), &["child", "text"]),
            Tool::ProposeMedication => (
                json!({ "child": text, "name": text, "details": text }),
                &["child", "name"],
            ),
            Tool::ProposeAppointment => (
                json!({ "child": text, "details": text }),
                &["child", "details"],
            ),
        };
        if required.is_empty() {
            return json!({"type": "object", "properties": properties});
        }
        json!({"type": "object", "properties": properties, "required": required})
    }

    /// The tool as the OpenAI `tools` array lists it.
    pub fn schema(self) -> Value {
        json!({
            "type": "function",
            "function": {
                "name": self.name(),
                "description": self.description(),
                "parameters": self.parameters(),
            }
        })
    }
}

/// The tools offered to someone with this role.
pub fn offered(role: Role) -> Vec<Tool> {
    Tool::ALL.into_iter().filter(|t| t.granted(role)).collect()
}

/// What the turn knows when reading a call: whose aliases, who is asking, the family's clock.
pub struct CallContext<'a> {
    pub aliases: &'a Aliases,
    pub role: Role,
    pub now: DateTime<Utc>,
    pub timezone: chrono_tz::Tz,
}

/// A tool call that cannot be done as asked: said back to the model, which may correct it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolError {
    #[error("unknown tool {0:?}")]
    Unknown(String),
    #[error("arguments are not a JSON object")]
    NotJson,
    #[error("missing argument {0:?}")]
    Missing(&'static str),
    #[error("argument {name:?}: {problem}")]
    Bad { name: &'static str, problem: String },
}

/// Reads one call into the command it stands for.
pub fn read_call(name: &str, arguments: &str, ctx: &CallContext<'_>) -> Result<Command, ToolError> {
    let tool = Tool::from_name(name)
        .filter(|t| t.granted(ctx.role))
        // A tool not offered to this person is as unknown as one that does not exist.
        .ok_or_else(|| ToolError::Unknown(name.to_string()))?;
    let args: Map<String, Value> = match arguments.trim() {
        "" => Map::new(),
        text => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            _ => return Err(ToolError::NotJson),
        },
    };
    let args = Args { map: &args, ctx };
    Ok(match tool {
        Tool::ListChildren => Command::Children,
        Tool::ListMedications => Command::Medications {
            child: args.child_opt()?,
        },
        Tool::ListAllergies => Command::Allergies {
            child: args.child_opt()?,
        },
        Tool::UpcomingAppointments => Command::Records {
            kind: RecordKind::Appointments,
            child: args.child_opt()?,
        },
        Tool::DoseStatus => match args.text_opt("medication")? {
            Some(medication) => Command::WhenNext {
                child: args.child_opt()?,
                medication,
            },
            None => Command::LastDoses {
                child: args.child_opt()?,
            },
        },
        Tool::LogDose => {
            let child = Some(args.child()?);
            let medication = args.text("medication")?;
            let unit = args.text("unit")?;
            let unit = DoseUnit::parse(&unit).ok_or(ToolError::Bad {
                name: "unit",
                problem: "use ml, mg, tablet or drop".into(),
            })?;
            let amount =
                DoseAmount::new(args.number("amount")?, unit).map_err(|e| ToolError::Bad {
                    name: "amount",
                    problem: e.to_string(),
                })?;
            Command::GiveDose {
                child,
                amount: Ok(amount),
                medication,
                at: args.time("given_at")?,
            }
        }
        Tool::RecordTemperature => {
            let child = Some(args.child()?);
            let value = args.number("value")?;
            let scale = args.text("scale")?.to_ascii_uppercase();
            if scale != "C" && scale != "F" {
                return Err(ToolError::Bad {
                    name: "scale",
                    problem: "use C or F".into(),
                });
            }
            Command::Temperature {
                child,
                value: format!("{value}{scale}"),
                at: args.time("taken_at")?,
            }
        }
        Tool::AddCareNote => Command::Note {
            child: Some(args.child()?),
            text: ctx.aliases.reveal(&args.text("text")?),
        },
        Tool::StartShift => Command::ShiftIn,
        Tool::EndShift => Command::ShiftOut {
            at: args.time("left_at")?,
            words: args
                .text_opt("handoff_note")?
                .map(|words| ctx.aliases.reveal(&words)),
        },
        Tool::ProposeMedication => {
            let child = args.child()?;
            let name = args.text("name")?;
            let details = args.text_opt("details")?.unwrap_or_default();
            Command::StartForm {
                kind: FormKind::Medication,
                text: format!("for {child} {name} {details}").trim().to_string(),
            }
        }
        Tool::ProposeAppointment => {
            let child = args.child()?;
            let details = ctx.aliases.reveal(&args.text("details")?);
            Command::StartForm {
                kind: FormKind::Appointment,
                text: format!("for {child} {details}"),
            }
        }
    })
}

struct Args<'a> {
    map: &'a Map<String, Value>,
    ctx: &'a CallContext<'a>,
}

impl Args<'_> {
    fn text_opt(&self, name: &'static str) -> Result<Option<String>, ToolError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) if s.chars().count() > 500 => Err(ToolError::Bad {
                name,
                problem: "too long".into(),
            }),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(_) => Err(ToolError::Bad {
                name,
                problem: "must be a string".into(),
            }),
        }
    }

    fn text(&self, name: &'static str) -> Result<String, ToolError> {
        self.text_opt(name)?.ok_or(ToolError::Missing(name))
    }

    fn number(&self, name: &'static str) -> Result<f64, ToolError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Err(ToolError::Missing(name)),
            Some(Value::Number(n)) => n.as_f64().ok_or(ToolError::Bad {
                name,
                problem: "not a number".into(),
            }),
            // Models sometimes quote numbers; "2,5" is a number where the comma is the decimal mark.
            Some(Value::String(s)) => {
                s.trim()
                    .replace(',', ".")
                    .parse::<f64>()
                    .map_err(|_| ToolError::Bad {
                        name,
                        problem: format!("{s:?} is not a number"),
                    })
            }
            Some(_) => Err(ToolError::Bad {
                name,
                problem: "must be a number".into(),
            }),
        }
    }

    /// The child's real name, from the alias the model was given.
    fn child_opt(&self) -> Result<Option<String>, ToolError> {
        let Some(alias) = self.text_opt("child")? else {
            return Ok(None);
        };
        match self.ctx.aliases.real_name(&alias) {
            Some(name) if self.ctx.aliases.child_alias(name).is_some() => {
                Ok(Some(name.to_string()))
            }
            _ => Err(ToolError::Bad {
                name: "child",
                problem: format!(
                    "no child {alias:?}; use one of: {}",
                    self.ctx.aliases.child_aliases().join(", ")
                ),
            }),
        }
    }

    fn child(&self) -> Result<String, ToolError> {
        self.child_opt()?.ok_or(ToolError::Missing("child"))
    }

    /// "14:30", "2:30 pm", "2026-12-04T14:30", "30 minutes ago", "1 hour ago"; a time later than
    /// now is refused (a dose is recorded when it was given, never ahead).
    fn time(&self, name: &'static str) -> Result<Option<SaidTime>, ToolError> {
        let Some(text) = self.text_opt(name)? else {
            return Ok(None);
        };
        let bad = |problem: &str| ToolError::Bad {
            name,
            problem: problem.to_string(),
        };
        let lower = text.to_lowercase();
        if matches!(lower.as_str(), "now" | "just now" | "ahora") {
            return Ok(None);
        }
        if let Some(ago) = lower.strip_suffix(" ago") {
            let mut words = ago.split_whitespace();
            let n: f64 = words
                .next()
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| bad("write e.g. '30 minutes ago'"))?;
            let minutes = match words.next().unwrap_or("") {
                "minute" | "minutes" | "min" | "mins" => n,
                "hour" | "hours" | "h" => n * 60.0,
                _ => return Err(bad("write e.g. '30 minutes ago' or '2 hours ago'")),
            };
            if !(0.0..=24.0 * 60.0).contains(&minutes) {
                return Err(bad("more than a day ago: ask the person for the time"));
            }
            return Ok(Some(SaidTime::Ago(chrono::Duration::minutes(
                minutes as i64,
            ))));
        }
        if let Ok(local) = NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S"))
            .or_else(|_| NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M"))
        {
            let at = self
                .ctx
                .timezone
                .from_local_datetime(&local)
                .earliest()
                .ok_or_else(|| bad("not a time that exists in the family's time zone"))?
                .with_timezone(&Utc);
            if at > self.ctx.now {
                return Err(bad("in the future; only record what was given"));
            }
            let minutes = (self.ctx.now - at).num_minutes();
            return Ok(Some(SaidTime::Ago(chrono::Duration::minutes(minutes))));
        }
        let time = NaiveTime::parse_from_str(&text, "%H:%M")
            .ok()
            .or_else(|| crate::engine::command::parse_time(&text))
            .ok_or_else(|| bad("write HH:MM (24 h) or e.g. '30 minutes ago'"))?;
        Ok(Some(SaidTime::At(time)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(aliases: &Aliases, role: Role) -> CallContext<'_> {
        CallContext {
            aliases,
            role,
            now: Utc
                .with_ymd_and_hms(2026, 12, 4, 15, 0, 0)
                .single()
                .expect("a valid time"),
            timezone: chrono_tz::America::New_York,
        }
    }

    fn aliases() -> Aliases {
        Aliases::new(&["Emma".into(), "Leo".into()], &["Maya".into()])
    }

    #[test]
    fn tools_are_offered_by_role() {
        let names = |role| -> Vec<&str> { offered(role).iter().map(|t| t.name()).collect() };
        assert!(names(Role::Caregiver).contains(&"start_shift"));
        assert!(!names(Role::Caregiver).contains(&"propose_appointment"));
        assert!(names(Role::Guardian).contains(&"propose_appointment"));
        assert!(!names(Role::Guardian).contains(&"start_shift"));
        assert_eq!(
            names(Role::Viewer),
            [
                "list_children",
                "list_medications",
                "dose_status",
                "list_allergies",
                "upcoming_appointments"
            ]
        );
        for tool in Tool::ALL {
            let schema = tool.schema();
            assert_eq!(schema["function"]["name"], tool.name());
            assert_eq!(schema["function"]["parameters"]["type"], "object");
        }
    }

    #[test]
    fn calls_become_the_commands_a_person_could_type() {
        let a = aliases();
        let c = ctx(&a, Role::Caregiver);
        let five_ml = DoseAmount::new(5.0, DoseUnit::Ml).expect("valid in the test");
        let cases: Vec<(&str, &str, Command)> = vec![
            (
                "log_dose",
                r#"{"child":"Child A","medication":"Tylenol","amount":5,"unit":"ml","given_at":"14:00"}"#,
                Command::GiveDose {
                    child: Some("Emma".into()),
                    amount: Ok(five_ml),
                    medication: "Tylenol".into(),
                    at: Some(SaidTime::At(
                        NaiveTime::from_hms_opt(14, 0, 0).expect("valid in the test"),
                    )),
                },
            ),
            (
                "log_dose",
                r#"{"child":"child a","medication":"Motrin","amount":"5","unit":"mL","given_at":"30 minutes ago"}"#,
                Command::GiveDose {
                    child: Some("Emma".into()),
                    amount: Ok(five_ml),
                    medication: "Motrin".into(),
                    at: Some(SaidTime::Ago(chrono::Duration::minutes(30))),
                },
            ),
            (
                "dose_status",
                r#"{"child":"Child B","medication":"Advil"}"#,
                Command::WhenNext {
                    child: Some("Leo".into()),
                    medication: "Advil".into(),
                },
            ),
            ("dose_status", "{}", Command::LastDoses { child: None }),
            (
                "record_temperature",
                r#"{"child":"Child B","value":38.5,"scale":"c"}"#,
                Command::Temperature {
                    child: Some("Leo".into()),
                    value: "38.5C".into(),
                    at: None,
                },
            ),
            (
                "add_care_note",
                r#"{"child":"Child B","text":"Child B ate well, Member A says"}"#,
                Command::Note {
                    child: Some("Leo".into()),
                    text: "Leo ate well, Maya says".into(),
                },
            ),
            ("start_shift", "", Command::ShiftIn),
            (
                "end_shift",
                r#"{"handoff_note":"Child A napped well"}"#,
                Command::ShiftOut {
                    at: None,
                    words: Some("Emma napped well".into()),
                },
            ),
            ("list_children", "{}", Command::Children),
        ];
        for (name, args, expected) in cases {
            assert_eq!(read_call(name, args, &c), Ok(expected), "{name} {args}");
        }
    }

    #[test]
    fn bad_calls_are_told_back_and_change_nothing() {
        let a = aliases();
        let nanny = ctx(&a, Role::Caregiver);
        let viewer = ctx(&a, Role::Viewer);
        let cases: Vec<(&CallContext, &str, &str, ToolError)> = vec![
            (
                &nanny,
                "export_family",
                "{}",
                ToolError::Unknown("export_family".into()),
            ),
            (
                &nanny,
                "propose_appointment",
                "{}",
                ToolError::Unknown("propose_appointment".into()),
            ),
            (
                &viewer,
                "log_dose",
                "{}",
                ToolError::Unknown("log_dose".into()),
            ),
            (&nanny, "log_dose", "{child: A", ToolError::NotJson),
            (&nanny, "log_dose", "[1]", ToolError::NotJson),
            (
                &nanny,
                "log_dose",
                r#"{"child":"Child A","medication":"Tylenol","unit":"ml"}"#,
                ToolError::Missing("amount"),
            ),
            (
                &nanny,
                "log_dose",
                r#"{"child":"Emma","medication":"Tylenol","amount":5,"unit":"ml"}"#,
                ToolError::Bad {
                    name: "child",
                    problem: "no child \"Emma\"; use one of: Child A, Child B".into(),
                },
            ),
            (
                &nanny,
                "log_dose",
                r#"{"child":"Member A","medication":"Tylenol","amount":5,"unit":"ml"}"#,
                ToolError::Bad {
                    name: "child",
                    problem: "no child \"Member A\"; use one of: Child A, Child B".into(),
                },
            ),
            (
                &nanny,
                "log_dose",
                r#"{"child":"Child A","medication":"Tylenol","amount":500,"unit":"ml"}"#,
                ToolError::Bad {
                    name: "amount",
                    problem: "500 ml is not a plausible dose for a child".into(),
                },
            ),
            (
                &nanny,
                "log_dose",
                r#"{"child":"Child A","medication":"Tylenol","amount":5,"unit":"teaspoon"}"#,
                ToolError::Bad {
                    name: "unit",
                    problem: "use ml, mg, tablet or drop".into(),
                },
            ),
            (
                &nanny,
                "log_dose",
                r#"{"child":"Child A","medication":"Tylenol","amount":5,"unit":"ml","given_at":"2026-12-04T11:00"}"#,
                ToolError::Bad {
                    name: "given_at",
                    problem: "in the future; only record what was given".into(),
                },
            ),
            (
                &nanny,
                "record_temperature",
                r#"{"child":"Child A","value":38,"scale":"K"}"#,
                ToolError::Bad {
                    name: "scale",
                    problem: "use C or F".into(),
                },
            ),
        ];
        for (c, name, args, expected) in cases {
            assert_eq!(read_call(name, args, c), Err(expected), "{name} {args}");
        }
    }

    #[test]
    fn a_full_local_time_in_the_past_is_minutes_ago() {
        let a = aliases();
        let c = ctx(&a, Role::Guardian);
        // 15:00 UTC is 10:00 in New York.
        let call = r#"{"child":"Child A","medication":"Tylenol","amount":5,"unit":"ml","given_at":"2026-12-04T09:15"}"#;
        match read_call("log_dose", call, &c) {
            Ok(Command::GiveDose { at, .. }) => {
                assert_eq!(at, Some(SaidTime::Ago(chrono::Duration::minutes(45))))
            }
            other => panic!("{other:?}"),
        }
    }
}
