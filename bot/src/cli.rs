//! The command line: `mednanny chat`, `mednanny migrate` and the admin commands.

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "mednanny",
    version,
    about = "MedNanny: the family's assistant for children's medicines and health, and the nanny who helps.",
    long_about = "MedNanny keeps the children's medical record and makes sure nobody double-doses a child.\n\
                  Configuration: config/default.toml, config/$MEDNANNY_ENV.toml, then MEDNANNY__SECTION__KEY \
                  environment variables (see README.md).",
    after_help = "Try it in a minute: mednanny chat --demo"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Talk to MedNannyAI in the terminal (one message per line when input is not a terminal).
    Chat(ChatArgs),
    /// Answer the family on Slack and/or WhatsApp, with reminders, until SIGTERM or Ctrl-C.
    ///
    /// Slack (Socket Mode) when MEDNANNY__SLACK__APP_TOKEN and MEDNANNY__SLACK__BOT_TOKEN are set;
    /// WhatsApp when MEDNANNY__INTERNAL__SECRET (16+ characters) is set, shared with the
    /// twilio-bridge that runs beside it on the same database. One of the two is enough; with
    /// neither, it stops and says so. See README.md, "Slack" and "WhatsApp".
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage families.
    #[command(subcommand)]
    Family(FamilyCommand),
    /// Make a one-time invite code for a family.
    Invite(InviteArgs),
    /// Manage members.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Manage children.
    #[command(subcommand)]
    Child(ChildCommand),
    /// Manage a child's medications.
    #[command(subcommand)]
    Med(MedCommand),
    /// Manage a child's allergies.
    #[command(subcommand)]
    Allergy(AllergyCommand),
    /// Print everything a family has, to stdout.
    Export(ExportArgs),
    /// A month's hours per nanny, with overtime past 40 h a week: totals, or the payroll CSV.
    Hours(HoursArgs),
    /// Erase a member or a whole family (GDPR); audit events keep only pseudonymous ids.
    Erase(EraseArgs),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Args)]
pub struct ChatArgs {
    /// Create (once) and use the Garcia demo family; you are Ana unless --as says otherwise.
    #[arg(long)]
    pub demo: bool,
    /// Who you are: a console name (demo: Ana, Luis or Maya).
    #[arg(long = "as", value_name = "NAME")]
    pub as_name: Option<String>,
    /// Work in this family (id or name) when you belong to several.
    #[arg(long, value_name = "F")]
    pub family: Option<String>,
    /// The demo only: run at this instant, with the clock standing still there, e.g.
    /// 2026-12-03T13:10:00-05:00 (how README's transcripts are replayed).
    #[arg(long, value_name = "RFC3339", requires = "demo")]
    pub now: Option<chrono::DateTime<chrono::FixedOffset>>,
}

#[derive(Debug, Subcommand)]
pub enum FamilyCommand {
    /// Create a family.
    Create {
        #[arg(long)]
        name: String,
        /// IANA time zone, e.g. America/New_York (default from settings).
        #[arg(long)]
        timezone: Option<String>,
        /// ISO 3166 two-letter country code for emergency numbers, e.g. US (default from settings).
        #[arg(long)]
        country: Option<String>,
    },
    /// List families.
    List,
    /// Change where a family lives: its country (emergency numbers) and time zone (every time
    /// it is told). Audited.
    Set {
        /// Family id or name.
        #[arg(long)]
        family: String,
        /// IANA time zone, e.g. Europe/London.
        #[arg(long)]
        timezone: Option<String>,
        /// ISO 3166 two-letter country code, e.g. GB.
        #[arg(long)]
        country: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Guardian,
    Caregiver,
    Viewer,
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    /// Family id or name.
    #[arg(long)]
    pub family: String,
    #[arg(long, value_enum)]
    pub role: RoleArg,
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// List a family's members.
    List {
        #[arg(long)]
        family: String,
    },
    /// Revoke a membership: the member can no longer see or do anything in the family.
    Revoke {
        #[arg(long)]
        member: i64,
    },
    /// Make a caregiver responsible for a child.
    Assign {
        #[arg(long)]
        family: String,
        #[arg(long)]
        member: i64,
        /// Child name.
        #[arg(long)]
        child: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ChildCommand {
    /// Add a child.
    Add {
        #[arg(long)]
        family: String,
        #[arg(long)]
        name: String,
        /// Birth date, YYYY-MM-DD.
        #[arg(long)]
        born: chrono::NaiveDate,
    },
}

#[derive(Debug, Subcommand)]
pub enum MedCommand {
    /// Add a medication with its dose rules.
    Add(MedAddArgs),
}

#[derive(Debug, Args)]
pub struct MedAddArgs {
    #[arg(long)]
    pub family: String,
    /// Child name.
    #[arg(long)]
    pub child: String,
    /// Product name, e.g. "Children's Tylenol".
    #[arg(long)]
    pub name: String,
    /// Active ingredient, e.g. acetaminophen (brand names are understood).
    #[arg(long)]
    pub ingredient: String,
    /// Strength, e.g. "160 mg/5 ml" or "200 mg/tablet".
    #[arg(long)]
    pub strength: String,
    /// Usual dose, e.g. "5 ml".
    #[arg(long)]
    pub dose: String,
    /// Minimum hours between doses.
    #[arg(long, value_name = "HOURS")]
    pub every: f64,
    /// Most doses in 24 hours.
    #[arg(long)]
    pub max_doses: Option<u32>,
    /// Most mg of the ingredient in 24 hours.
    #[arg(long)]
    pub max_mg: Option<f64>,
    /// Fixed times, e.g. 08:00,14:00,20:00 (default: as needed).
    #[arg(long, value_delimiter = ',')]
    pub at: Vec<String>,
    /// Form, e.g. "oral suspension".
    #[arg(long, default_value = "oral suspension")]
    pub form: String,
}

#[derive(Debug, Subcommand)]
pub enum AllergyCommand {
    /// Add an allergy.
    Add {
        #[arg(long)]
        family: String,
        #[arg(long)]
        child: String,
        #[arg(long)]
        allergen: String,
        /// mild, moderate, severe or unknown.
        #[arg(long, default_value = "unknown")]
        severity: String,
        #[arg(long)]
        reaction: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Json,
    Fhir,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long)]
    pub family: String,
    #[arg(long, value_enum, default_value = "json")]
    pub format: ExportFormat,
}

#[derive(Debug, Args)]
pub struct HoursArgs {
    #[arg(long)]
    pub family: String,
    /// The month, as YYYY-MM (2026-11); this month in the family's time zone when left out.
    #[arg(long)]
    pub month: Option<String>,
    /// Print the payroll CSV (a row per shift, per week and for the month) instead of totals.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct EraseTarget {
    /// Erase one member (id from `mednanny member list`).
    #[arg(long)]
    pub member: Option<i64>,
    /// Erase a whole family (id or name).
    #[arg(long)]
    pub family: Option<String>,
}

#[derive(Debug, Args)]
pub struct EraseArgs {
    #[command(flatten)]
    pub target: EraseTarget,
    /// Do not ask for confirmation (needed when input is not a terminal).
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute every hash chain and report the first broken link.
    Verify,
}
