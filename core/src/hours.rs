//! Hours worked, for payroll: pure arithmetic over clocked shifts, no I/O (the service in
//! `services::hours` loads the shifts and authorizes the read).
//!
//! # How hours are counted
//! - A shift is cut at every local midnight of the family's time zone into day pieces; every piece
//!   belongs to one day, so to exactly one week and one month. Durations are real elapsed time
//!   (a night over a daylight-saving change counts the hours actually worked: 7 h or 9 h, not 8).
//! - **A shift over midnight** counts on both days: 22:00–06:00 gives 2 h to the first day and 6 h
//!   to the second.
//! - **A shift crossing months** counts in each month for the hours worked in it: 30 November
//!   22:00 – 1 December 06:00 gives 2 h to November's payroll and 6 h to December's.
//! - **Overtime** is every hour past 40 in a week (starting on the family's chosen day, Monday unless
//!   set), counted in the order the hours were worked: the piece that crosses the 40th hour is split.
//!   A week that straddles two months is counted whole for overtime, and each of its hours is paid in
//!   the month it was worked: a 45-hour week from Monday 26 October to Sunday 1 November whose last
//!   5 hours fell in November gives those 5 overtime hours to November.
//! - A shift still open (not clocked out) counts nothing until it is closed; a flagged shift (its
//!   clock-out forgotten) counts as clocked and carries its flag to the CSV.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// Hours past which a week's hours are overtime.
pub const OVERTIME_AFTER: Duration = Duration::hours(40);

/// A calendar month ("2026-11"), parsed at the edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct YearMonth {
    pub year: i32,
    pub month: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a month: use YYYY-MM, like 2026-11")]
pub struct BadMonth(pub String);

impl YearMonth {
    pub fn parse(text: &str) -> Result<Self, BadMonth> {
        let bad = || BadMonth(text.to_string());
        let (year, month) = text.trim().split_once('-').ok_or_else(bad)?;
        let year: i32 = year.parse().map_err(|_| bad())?;
        let month: u32 = month.parse().map_err(|_| bad())?;
        let this = Self { year, month };
        NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(bad)?;
        Ok(this)
    }

    /// The month a day is in.
    pub fn of(day: NaiveDate) -> Self {
        Self {
            year: day.year(),
            month: day.month(),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The first day of the next month.
    pub fn next_first_day(self) -> NaiveDate {
        let (year, month) = if self.month == 12 {
            (self.year + 1, 1)
        } else {
            (self.year, self.month + 1)
        };
        NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MAX)
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        Self::of(day) == self
    }
}

impl std::fmt::Display for YearMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A shift with both ends, as the record has it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkedShift {
    pub shift_id: i64,
    pub member_id: i64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The clock-out was forgotten and the shift flagged.
    pub flagged: bool,
}

/// Time worked, and how much of it is overtime.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub worked: Duration,
    pub overtime: Duration,
}

impl Totals {
    pub fn regular(&self) -> Duration {
        self.worked - self.overtime
    }
    fn add(&mut self, piece: &Piece) {
        self.worked += piece.end - piece.start;
        self.overtime += piece.overtime;
    }
}

/// The part of one shift inside the month.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftHours {
    pub shift: WorkedShift,
    pub in_month: Totals,
}

/// One payroll week that has hours in the month.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekHours {
    pub starts_on: NaiveDate,
    /// The whole week, also its days outside the month: overtime is decided on this.
    pub whole_week: Totals,
    /// The week's days inside the month: what this month's payroll pays.
    pub in_month: Totals,
}

impl WeekHours {
    pub fn ends_on(&self) -> NaiveDate {
        self.starts_on + Duration::days(6)
    }
    pub fn overtime(&self) -> bool {
        self.whole_week.overtime > Duration::zero()
    }
}

/// One nanny's month.
#[derive(Debug, Clone, PartialEq)]
pub struct NannyMonth {
    pub member_id: i64,
    pub shifts: Vec<ShiftHours>,
    pub weeks: Vec<WeekHours>,
    pub month: Totals,
}

/// A piece of a shift within one local day, with the part of it past the week's 40th hour.
#[derive(Debug, Clone)]
struct Piece {
    shift_id: i64,
    day: NaiveDate,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    overtime: Duration,
}

/// The instant a local day starts (the first instant that exists, should midnight be skipped or
/// repeated by a daylight-saving change).
pub fn day_start(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    for hour in 0..3 {
        if let Some(at) = tz
            .from_local_datetime(&(midnight + Duration::hours(hour)))
            .earliest()
        {
            return at.with_timezone(&Utc);
        }
    }
    Utc.from_utc_datetime(&midnight)
}

/// The first day of the payroll week a day is in.
pub fn week_start(day: NaiveDate, starts_on: Weekday) -> NaiveDate {
    let back = (7 + day.weekday().num_days_from_monday() - starts_on.num_days_from_monday()) % 7;
    day - Duration::days(i64::from(back))
}

/// The instants to load shifts for a month: from the start of the payroll week the month's first
/// day is in, to the end of the week its last day is in (so the weeks' overtime is whole).
pub fn span_to_load(
    month: YearMonth,
    tz: Tz,
    starts_on: Weekday,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let from = week_start(month.first_day(), starts_on);
    let last = month.next_first_day() - Duration::days(1);
    let to = week_start(last, starts_on) + Duration::days(7);
    (day_start(tz, from), day_start(tz, to))
}

/// Cuts a shift at local midnights.
fn pieces(shift: &WorkedShift, tz: Tz) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut start = shift.start;
    while start < shift.end {
        let day = start.with_timezone(&tz).date_naive();
        let next_midnight = day_start(tz, day + Duration::days(1));
        let end = next_midnight.min(shift.end);
        out.push(Piece {
            shift_id: shift.shift_id,
            day,
            start,
            end,
            overtime: Duration::zero(),
        });
        start = end;
    }
    out
}

/// Every nanny's hours in `month`, from the shifts of the weeks touching it (see [`span_to_load`];
/// shifts outside those weeks change nothing). Nannies by member id; shifts and weeks in order.
pub fn month_hours(
    shifts: &[WorkedShift],
    month: YearMonth,
    tz: Tz,
    week_starts_on: Weekday,
) -> Vec<NannyMonth> {
    let mut by_member: BTreeMap<i64, Vec<&WorkedShift>> = BTreeMap::new();
    for shift in shifts.iter().filter(|s| s.end > s.start) {
        by_member.entry(shift.member_id).or_default().push(shift);
    }
    by_member
        .into_iter()
        .filter_map(|(member_id, mut shifts)| {
            shifts.sort_by_key(|s| (s.start, s.shift_id));
            let nanny = nanny_month(member_id, &shifts, month, tz, week_starts_on);
            (!nanny.shifts.is_empty()).then_some(nanny)
        })
        .collect()
}

fn nanny_month(
    member_id: i64,
    shifts: &[&WorkedShift],
    month: YearMonth,
    tz: Tz,
    week_starts_on: Weekday,
) -> NannyMonth {
    // Pieces by week, in the order they were worked; then the overtime of each week.
    let mut weeks: BTreeMap<NaiveDate, Vec<Piece>> = BTreeMap::new();
    for shift in shifts {
        for piece in pieces(shift, tz) {
            weeks
                .entry(week_start(piece.day, week_starts_on))
                .or_default()
                .push(piece);
        }
    }
    let mut week_rows = Vec::new();
    let mut month_total = Totals::default();
    let mut per_shift: BTreeMap<i64, Totals> = BTreeMap::new();
    for (starts_on, mut pieces) in weeks {
        pieces.sort_by_key(|p| p.start);
        let mut so_far = Duration::zero();
        let mut whole_week = Totals::default();
        let mut in_month = Totals::default();
        for piece in &mut pieces {
            let length = piece.end - piece.start;
            let regular_left = (OVERTIME_AFTER - so_far).max(Duration::zero());
            piece.overtime = (length - regular_left).max(Duration::zero());
            so_far += length;
            whole_week.add(piece);
            if month.contains(piece.day) {
                in_month.add(piece);
                month_total.add(piece);
                per_shift.entry(piece.shift_id).or_default().add(piece);
            }
        }
        if in_month.worked > Duration::zero() {
            week_rows.push(WeekHours {
                starts_on,
                whole_week,
                in_month,
            });
        }
    }
    NannyMonth {
        member_id,
        shifts: shifts
            .iter()
            .filter_map(|s| {
                per_shift.get(&s.shift_id).map(|t| ShiftHours {
                    shift: (*s).clone(),
                    in_month: *t,
                })
            })
            .collect(),
        weeks: week_rows,
        month: month_total,
    }
}

/// An amount in cents as payroll writes money: "22.50" (no currency sign; the CSV's columns and
/// the chat say what it is).
pub fn money_text(cents: i64) -> String {
    format!("{}.{:02}", cents.div_euclid(100), cents.rem_euclid(100))
}

/// A duration as payroll writes hours: decimal, two places, rounded to the nearest hundredth
/// ("7.50", "0.33").
pub fn decimal_hours(d: Duration) -> String {
    let hundredths = (d.num_seconds() * 100 + 1800).div_euclid(3600);
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Pay for the time, in cents: regular hours at the hourly rate and overtime at the overtime
/// rate (rounded to the cent once, at the end). `None` when a rate the hours need is not on file:
/// payroll gets a blank, never a made-up rate.
pub fn pay_cents(totals: Totals, hourly: Option<i64>, overtime: Option<i64>) -> Option<i64> {
    let regular = totals.regular().num_seconds();
    let extra = totals.overtime.num_seconds();
    let hourly = hourly?;
    let overtime = if extra > 0 { overtime? } else { 0 };
    Some((regular * hourly + extra * overtime + 1800).div_euclid(3600))
}

/// Who a nanny is, for the CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct PayrollNanny {
    pub member_id: i64,
    pub name: String,
    pub hourly_rate_cents: Option<i64>,
    pub overtime_rate_cents: Option<i64>,
}

/// The payroll CSV of a month: a row per shift (its part in the month), per week (its days in the
/// month; `note` says "overtime" when the whole week went past 40 h) and per month, each nanny in
/// turn. Local times in the family's time zone; hours decimal; pay in the family's currency units
/// when the rates are on file.
pub fn payroll_csv(
    nannies: &[PayrollNanny],
    hours: &[NannyMonth],
    month: YearMonth,
    tz: Tz,
) -> String {
    let mut out = String::from(
        "nanny,row,from,to,hours,regular_hours,overtime_hours,hourly_rate,overtime_rate,pay,note\n",
    );
    let money = |cents: Option<i64>| cents.map(money_text).unwrap_or_default();
    for nanny_hours in hours {
        let Some(nanny) = nannies
            .iter()
            .find(|n| n.member_id == nanny_hours.member_id)
        else {
            continue;
        };
        let name = csv_field(&nanny.name);
        let rates = format!(
            "{},{}",
            money(nanny.hourly_rate_cents),
            money(nanny.overtime_rate_cents)
        );
        let row =
            |out: &mut String, kind: &str, from: String, to: String, t: Totals, note: &str| {
                let pay = pay_cents(t, nanny.hourly_rate_cents, nanny.overtime_rate_cents);
                out.push_str(&format!(
                    "{name},{kind},{from},{to},{},{},{},{rates},{},{note}\n",
                    decimal_hours(t.worked),
                    decimal_hours(t.regular()),
                    decimal_hours(t.overtime),
                    money(pay),
                ));
            };
        let local = |at: DateTime<Utc>| at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
        for shift in &nanny_hours.shifts {
            let note = if shift.shift.flagged {
                "clock-out forgotten"
            } else {
                ""
            };
            row(
                &mut out,
                "shift",
                local(shift.shift.start),
                local(shift.shift.end),
                shift.in_month,
                note,
            );
        }
        for week in &nanny_hours.weeks {
            let from = week.starts_on.max(month.first_day());
            let to = week
                .ends_on()
                .min(month.next_first_day() - Duration::days(1));
            let note = if week.overtime() { "overtime" } else { "" };
            row(
                &mut out,
                "week",
                from.to_string(),
                to.to_string(),
                week.in_month,
                note,
            );
        }
        row(
            &mut out,
            "month",
            month.first_day().to_string(),
            (month.next_first_day() - Duration::days(1)).to_string(),
            nanny_hours.month,
            "",
        );
    }
    out
}

/// A CSV field, quoted when it must be; a leading `=`, `+`, `-` or `@` is neutralised so a name
/// cannot run as a spreadsheet formula.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NY: Tz = chrono_tz::America::New_York;

    /// A shift from local `start` to local `end` ("2026-11-02 08:00"), in New York.
    fn shift(id: i64, start: &str, end: &str) -> WorkedShift {
        let at = |s: &str| {
            NY.from_local_datetime(
                &chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time"),
            )
            .earliest()
            .expect("exists")
            .with_timezone(&Utc)
        };
        WorkedShift {
            shift_id: id,
            member_id: 7,
            start: at(start),
            end: at(end),
            flagged: false,
        }
    }

    fn hours(totals: Totals) -> (String, String) {
        (decimal_hours(totals.worked), decimal_hours(totals.overtime))
    }

    fn nov() -> YearMonth {
        YearMonth::parse("2026-11").expect("month")
    }

    #[test]
    fn months_parse_at_the_edge() {
        assert_eq!(
            YearMonth::parse("2026-11"),
            Ok(YearMonth {
                year: 2026,
                month: 11
            })
        );
        for bad in ["2026-13", "2026", "Nov 2026", "2026-00", ""] {
            assert!(YearMonth::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(nov().to_string(), "2026-11");
        assert_eq!(
            nov().next_first_day(),
            NaiveDate::from_ymd_opt(2026, 12, 1).expect("day")
        );
    }

    #[test]
    fn weeks_start_on_the_familys_day() {
        let day = |d: u32, m: u32| NaiveDate::from_ymd_opt(2026, m, d).expect("day");
        let thursday = day(5, 11);
        let cases = [
            (Weekday::Mon, day(2, 11)),
            (Weekday::Sun, day(1, 11)),
            (Weekday::Thu, day(5, 11)),
            (Weekday::Fri, day(30, 10)),
        ];
        for (starts_on, expected) in cases {
            assert_eq!(week_start(thursday, starts_on), expected, "{starts_on:?}");
        }
    }

    /// Hand-computed: each case's shifts, and the month's (worked, overtime) hours, then each
    /// week's (starts on, in-month worked, in-month overtime).
    #[test]
    fn month_totals_match_hand_computed_hours() {
        struct Case {
            what: &'static str,
            shifts: Vec<WorkedShift>,
            starts_on: Weekday,
            month: (&'static str, &'static str),
            weeks: Vec<(&'static str, &'static str, &'static str)>,
        }
        let weekdays = |first: u32, id: i64, hours: &str| -> Vec<WorkedShift> {
            (0..5)
                .map(|i| {
                    let day = format!("2026-11-{:02}", first + i);
                    shift(
                        id + i64::from(i),
                        &format!("{day} 08:00"),
                        &format!("{day} {hours}"),
                    )
                })
                .collect()
        };
        let cases = vec![
            Case {
                what: "a 9-hour day, five days: 45 h, the last 5 overtime",
                shifts: weekdays(2, 1, "17:00"),
                starts_on: Weekday::Mon,
                month: ("45.00", "5.00"),
                weeks: vec![("2026-11-02", "45.00", "5.00")],
            },
            Case {
                what: "exactly 40 hours: no overtime",
                shifts: weekdays(2, 1, "16:00"),
                starts_on: Weekday::Mon,
                month: ("40.00", "0.00"),
                weeks: vec![("2026-11-02", "40.00", "0.00")],
            },
            Case {
                what: "a night over midnight counts on both days, in one week",
                shifts: vec![
                    shift(1, "2026-11-03 22:00", "2026-11-04 06:30"),
                    shift(2, "2026-11-04 22:00", "2026-11-05 06:00"),
                ],
                starts_on: Weekday::Mon,
                month: ("16.50", "0.00"),
                weeks: vec![("2026-11-02", "16.50", "0.00")],
            },
            Case {
                what: "a Sunday night into Monday splits across weeks starting Monday",
                shifts: [
                    weekdays(2, 1, "16:00"),
                    vec![shift(9, "2026-11-08 20:00", "2026-11-09 04:00")],
                ]
                .concat(),
                starts_on: Weekday::Mon,
                // Sunday 20:00–24:00 is the 41st to 44th hour of the first week; Monday's 4 h
                // open the next week.
                month: ("48.00", "4.00"),
                weeks: vec![
                    ("2026-11-02", "44.00", "4.00"),
                    ("2026-11-09", "4.00", "0.00"),
                ],
            },
            Case {
                what: "the same with weeks starting Sunday: the night opens a new week",
                shifts: [
                    weekdays(2, 1, "16:00"),
                    vec![shift(9, "2026-11-08 20:00", "2026-11-09 04:00")],
                ]
                .concat(),
                starts_on: Weekday::Sun,
                month: ("48.00", "0.00"),
                weeks: vec![
                    ("2026-11-01", "40.00", "0.00"),
                    ("2026-11-08", "8.00", "0.00"),
                ],
            },
            Case {
                what: "a shift over the month's end: December's 6 hours are not November's",
                shifts: vec![shift(1, "2026-11-30 22:00", "2026-12-01 06:00")],
                starts_on: Weekday::Mon,
                month: ("2.00", "0.00"),
                weeks: vec![("2026-11-30", "2.00", "0.00")],
            },
            Case {
                what: "a week across months: overtime hours are paid in the month they were worked",
                shifts: vec![
                    shift(1, "2026-10-26 08:00", "2026-10-26 20:00"),
                    shift(2, "2026-10-27 08:00", "2026-10-27 20:00"),
                    shift(3, "2026-10-28 08:00", "2026-10-28 20:00"),
                    // 36 h in October; Saturday 31 Oct 4 h (to 40), Sunday 1 Nov 5 h all overtime.
                    shift(4, "2026-10-31 08:00", "2026-10-31 12:00"),
                    shift(5, "2026-11-01 08:00", "2026-11-01 13:00"),
                ],
                starts_on: Weekday::Mon,
                month: ("5.00", "5.00"),
                weeks: vec![("2026-10-26", "5.00", "5.00")],
            },
            Case {
                what: "the night the clocks go back (1 November 2026, New York) is 9 real hours",
                shifts: vec![shift(1, "2026-10-31 22:00", "2026-11-01 06:00")],
                starts_on: Weekday::Sun,
                month: ("7.00", "0.00"),
                weeks: vec![("2026-11-01", "7.00", "0.00")],
            },
            Case {
                what: "a shift after the month counts nothing in it",
                shifts: vec![shift(1, "2026-12-01 08:00", "2026-12-01 16:00")],
                starts_on: Weekday::Mon,
                month: ("", ""),
                weeks: vec![],
            },
        ];
        for case in cases {
            let result = month_hours(&case.shifts, nov(), NY, case.starts_on);
            if case.month.0.is_empty() {
                assert!(result.is_empty(), "{}", case.what);
                continue;
            }
            assert_eq!(result.len(), 1, "{}", case.what);
            let nanny = &result[0];
            assert_eq!(
                hours(nanny.month),
                (case.month.0.to_string(), case.month.1.to_string()),
                "{}",
                case.what
            );
            let weeks: Vec<(String, String, String)> = nanny
                .weeks
                .iter()
                .map(|w| {
                    let (worked, overtime) = hours(w.in_month);
                    (w.starts_on.to_string(), worked, overtime)
                })
                .collect();
            let expected: Vec<(String, String, String)> = case
                .weeks
                .iter()
                .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
                .collect();
            assert_eq!(weeks, expected, "{}", case.what);
        }
    }

    #[test]
    fn the_whole_week_decides_overtime_and_the_shift_crossing_40_hours_is_split() {
        let result = month_hours(
            &[
                shift(1, "2026-11-02 08:00", "2026-11-03 08:00"),
                shift(2, "2026-11-04 08:00", "2026-11-05 06:00"),
            ],
            nov(),
            NY,
            Weekday::Mon,
        );
        let nanny = &result[0];
        // 24 h, then 22 h of which the last 6 are past the 40th.
        assert_eq!(
            hours(nanny.shifts[0].in_month),
            ("24.00".into(), "0.00".into())
        );
        assert_eq!(
            hours(nanny.shifts[1].in_month),
            ("22.00".into(), "6.00".into())
        );
        assert!(nanny.weeks[0].overtime());
    }

    #[test]
    fn hours_and_pay_round_once() {
        assert_eq!(decimal_hours(Duration::minutes(20)), "0.33");
        assert_eq!(decimal_hours(Duration::minutes(45)), "0.75");
        assert_eq!(decimal_hours(Duration::hours(45)), "45.00");
        let week = Totals {
            worked: Duration::hours(45),
            overtime: Duration::hours(5),
        };
        // 40 × 20.00 + 5 × 30.00
        assert_eq!(pay_cents(week, Some(2000), Some(3000)), Some(95_000));
        // Overtime worked but no overtime rate: no pay is made up.
        assert_eq!(pay_cents(week, Some(2000), None), None);
        let plain = Totals {
            worked: Duration::minutes(90),
            overtime: Duration::zero(),
        };
        assert_eq!(pay_cents(plain, Some(2250), None), Some(3375));
    }

    #[test]
    fn the_csv_has_a_row_per_shift_week_and_month() {
        let mut shifts = vec![
            shift(1, "2026-11-02 08:00", "2026-11-02 17:00"),
            shift(2, "2026-11-03 22:00", "2026-11-04 06:00"),
        ];
        shifts[1].flagged = true;
        let hours = month_hours(&shifts, nov(), NY, Weekday::Mon);
        let nannies = [PayrollNanny {
            member_id: 7,
            name: "Maya, \"M\"".into(),
            hourly_rate_cents: Some(2000),
            overtime_rate_cents: Some(3000),
        }];
        let csv = payroll_csv(&nannies, &hours, nov(), NY);
        let expected = "\
nanny,row,from,to,hours,regular_hours,overtime_hours,hourly_rate,overtime_rate,pay,note
\"Maya, \"\"M\"\"\",shift,2026-11-02 08:00,2026-11-02 17:00,9.00,9.00,0.00,20.00,30.00,180.00,
\"Maya, \"\"M\"\"\",shift,2026-11-03 22:00,2026-11-04 06:00,8.00,8.00,0.00,20.00,30.00,160.00,clock-out forgotten
\"Maya, \"\"M\"\"\",week,2026-11-02,2026-11-08,17.00,17.00,0.00,20.00,30.00,340.00,
\"Maya, \"\"M\"\"\",month,2026-11-01,2026-11-30,17.00,17.00,0.00,20.00,30.00,340.00,
";
        assert_eq!(csv, expected);
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
    }
}
