//! Values crossing between sea-orm and SQLite: bound as sqlx-sqlite binds them, read back typed by
//! the entity column they come from.

use super::*;

// ---------------------------------------------------------------------------------------------
// Values in: sea-query values bound as sqlx-sqlite binds them.

/// A sea-query value as a rusqlite parameter.
pub(super) struct Bind<'a>(pub(super) &'a Value);

impl ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        fn int<T: Into<i64> + Copy>(v: &Option<T>) -> ToSqlOutput<'static> {
            match v {
                Some(v) => ToSqlOutput::Owned(SqlValue::Integer((*v).into())),
                None => ToSqlOutput::Owned(SqlValue::Null),
            }
        }
        fn text(v: Option<String>) -> ToSqlOutput<'static> {
            ToSqlOutput::Owned(v.map_or(SqlValue::Null, SqlValue::Text))
        }
        Ok(match self.0 {
            Value::Bool(v) => int(&v.map(i64::from)),
            Value::TinyInt(v) => int(v),
            Value::SmallInt(v) => int(v),
            Value::Int(v) => int(v),
            Value::BigInt(v) => int(v),
            Value::TinyUnsigned(v) => int(v),
            Value::SmallUnsigned(v) => int(v),
            Value::Unsigned(v) => int(v),
            Value::BigUnsigned(v) => match v.map(i64::try_from).transpose() {
                Ok(v) => int(&v),
                Err(error) => return Err(rusqlite::Error::ToSqlConversionFailure(Box::new(error))),
            },
            Value::Float(v) => {
                ToSqlOutput::Owned(v.map_or(SqlValue::Null, |f| SqlValue::Real(f64::from(f))))
            }
            Value::Double(v) => ToSqlOutput::Owned(v.map_or(SqlValue::Null, SqlValue::Real)),
            Value::String(Some(s)) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::String(None) => ToSqlOutput::Owned(SqlValue::Null),
            Value::Char(v) => text(v.map(|c| c.to_string())),
            Value::Bytes(Some(b)) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            Value::Bytes(None) => ToSqlOutput::Owned(SqlValue::Null),
            Value::Json(v) => text(v.as_ref().map(|j| j.to_string())),
            Value::ChronoDate(v) => text(v.map(|d| d.format("%F").to_string())),
            Value::ChronoTime(v) => text(v.map(|t| t.format("%T%.f").to_string())),
            Value::ChronoDateTime(v) => text(v.map(|t| t.format("%F %T%.f").to_string())),
            Value::ChronoDateTimeUtc(v) => text(v.map(|t| rfc3339(&t))),
            Value::ChronoDateTimeLocal(v) => text(v.map(|t| rfc3339(&t))),
            Value::ChronoDateTimeWithTimeZone(v) => text(v.map(|t| rfc3339(&t))),
            other => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    format!("values of type {} are not supported", value_kind(other)).into(),
                ))
            }
        })
    }
}

/// As sqlx-sqlite writes times: RFC 3339, as many fraction digits as needed, `+00:00`.
pub(super) fn rfc3339<Tz: TimeZone>(at: &DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// The name of a value's variant (never its content), for errors.
pub(super) fn value_kind(value: &Value) -> String {
    let debug = format!("{value:?}");
    debug
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("value")
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// Values out: typed by the entity column they come from.

/// The Rust type a column's values are read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Int,
    BigInt,
    Bool,
    Float,
    Double,
    Text,
    Date,
    DateTime,
    TimestampUtc,
    Bytes,
}

impl Kind {
    /// The kind for an entity column's type, `None` for types MedNanny's entities do not use.
    pub(crate) fn of(column_type: &ColumnType) -> Option<Kind> {
        Some(match column_type {
            ColumnType::TinyInteger | ColumnType::SmallInteger | ColumnType::Integer => Kind::Int,
            ColumnType::BigInteger => Kind::BigInt,
            ColumnType::Boolean => Kind::Bool,
            ColumnType::Float => Kind::Float,
            ColumnType::Double => Kind::Double,
            ColumnType::Char(_) | ColumnType::String(_) | ColumnType::Text => Kind::Text,
            ColumnType::Date => Kind::Date,
            ColumnType::DateTime | ColumnType::Timestamp => Kind::DateTime,
            ColumnType::TimestampWithTimeZone => Kind::TimestampUtc,
            ColumnType::Binary(_) | ColumnType::VarBinary(_) | ColumnType::Blob => Kind::Bytes,
            _ => return None,
        })
    }

    pub(super) fn null(self) -> Value {
        match self {
            Kind::Int => Value::Int(None),
            Kind::BigInt => Value::BigInt(None),
            Kind::Bool => Value::Bool(None),
            Kind::Float => Value::Float(None),
            Kind::Double => Value::Double(None),
            Kind::Text => Value::String(None),
            Kind::Date => Value::ChronoDate(None),
            Kind::DateTime => Value::ChronoDateTime(None),
            Kind::TimestampUtc => Value::ChronoDateTimeUtc(None),
            Kind::Bytes => Value::Bytes(None),
        }
    }
}

/// Every entity column's kind, by table and column name.
pub(super) static ENTITY_COLUMNS: LazyLock<HashMap<String, HashMap<String, Option<Kind>>>> =
    LazyLock::new(|| {
        let mut tables = HashMap::new();
        fn add<E: EntityTrait>(tables: &mut HashMap<String, HashMap<String, Option<Kind>>>) {
            let columns = E::Column::iter()
                .map(|c| (c.as_str().to_string(), Kind::of(c.def().get_column_type())))
                .collect();
            tables.insert(E::default().table_name().to_string(), columns);
        }
        use entity::*;
        add::<allergy::Entity>(&mut tables);
        add::<appointment::Entity>(&mut tables);
        add::<assistant_usage::Entity>(&mut tables);
        add::<audit_event::Entity>(&mut tables);
        add::<care_note::Entity>(&mut tables);
        add::<caregiver_assignment::Entity>(&mut tables);
        add::<child::Entity>(&mut tables);
        add::<condition::Entity>(&mut tables);
        add::<consent::Entity>(&mut tables);
        add::<conversation_state::Entity>(&mut tables);
        add::<data_key::Entity>(&mut tables);
        add::<dose_log::Entity>(&mut tables);
        add::<family::Entity>(&mut tables);
        add::<family_payroll::Entity>(&mut tables);
        add::<identity::Entity>(&mut tables);
        add::<inbox::Entity>(&mut tables);
        add::<invite::Entity>(&mut tables);
        add::<join_failure::Entity>(&mut tables);
        add::<measurement::Entity>(&mut tables);
        add::<medication::Entity>(&mut tables);
        add::<medication_version::Entity>(&mut tables);
        add::<member::Entity>(&mut tables);
        add::<nanny_certification::Entity>(&mut tables);
        add::<nanny_profile::Entity>(&mut tables);
        add::<notification::Entity>(&mut tables);
        add::<outbox::Entity>(&mut tables);
        add::<outbox_early_status::Entity>(&mut tables);
        add::<person::Entity>(&mut tables);
        add::<phone_link::Entity>(&mut tables);
        add::<provider::Entity>(&mut tables);
        add::<quiet_hours::Entity>(&mut tables);
        add::<reminder::Entity>(&mut tables);
        add::<reminder_pause::Entity>(&mut tables);
        add::<reminder_setting::Entity>(&mut tables);
        add::<shift::Entity>(&mut tables);
        add::<shift_schedule::Entity>(&mut tables);
        add::<vaccination::Entity>(&mut tables);
        tables
    });

/// The columns this driver knows for a table (from the entity crate), or `None` for a table it does
/// not know. A table or column missing here is read by SQLite's storage class, not by its kind:
/// `core/tests/sqlite_driver.rs` checks that every table the migrations create is known.
pub fn known_columns(table: &str) -> Option<Vec<String>> {
    ENTITY_COLUMNS
        .get(table)
        .map(|columns| columns.keys().cloned().collect())
}

/// The kinds of a prepared statement's result columns, from the tables they come from.
pub(super) fn plan_columns(statement: &rusqlite::Statement<'_>) -> Arc<[ColumnPlan]> {
    statement
        .columns_with_metadata()
        .iter()
        .map(|column| ColumnPlan {
            name: column.name().to_string(),
            kind: match (column.table_name(), column.origin_name()) {
                (Some(table), Some(origin)) => ENTITY_COLUMNS
                    .get(table)
                    .and_then(|columns| columns.get(origin))
                    .copied()
                    .flatten(),
                _ => None,
            },
        })
        .collect()
}

/// One cell as a sea-orm value: as its column's kind when known, else by SQLite's storage class.
pub(super) fn decode(cell: ValueRef<'_>, kind: Option<Kind>) -> Result<Value, &'static str> {
    let Some(kind) = kind else {
        return Ok(match cell {
            ValueRef::Null => Value::String(None),
            ValueRef::Integer(i) => Value::BigInt(Some(i)),
            ValueRef::Real(f) => Value::Double(Some(f)),
            ValueRef::Text(t) => Value::String(Some(utf8(t)?.to_string())),
            ValueRef::Blob(b) => Value::Bytes(Some(b.to_vec())),
        });
    };
    Ok(match (kind, cell) {
        (kind, ValueRef::Null) => kind.null(),
        (Kind::Int, ValueRef::Integer(i)) => {
            Value::Int(Some(i32::try_from(i).map_err(|_| "out of range for i32")?))
        }
        (Kind::BigInt, ValueRef::Integer(i)) => Value::BigInt(Some(i)),
        (Kind::Bool, ValueRef::Integer(i)) => Value::Bool(Some(i != 0)),
        #[allow(clippy::cast_possible_truncation)]
        (Kind::Float, ValueRef::Real(f)) => Value::Float(Some(f as f32)),
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        (Kind::Float, ValueRef::Integer(i)) => Value::Float(Some(i as f32)),
        (Kind::Double, ValueRef::Real(f)) => Value::Double(Some(f)),
        #[allow(clippy::cast_precision_loss)]
        (Kind::Double, ValueRef::Integer(i)) => Value::Double(Some(i as f64)),
        (Kind::Text, ValueRef::Text(t)) => Value::String(Some(utf8(t)?.to_string())),
        (Kind::Text, ValueRef::Integer(i)) => Value::String(Some(i.to_string())),
        (Kind::Text, ValueRef::Real(f)) => Value::String(Some(f.to_string())),
        (Kind::Date, ValueRef::Text(t)) => Value::ChronoDate(Some(
            NaiveDate::parse_from_str(utf8(t)?, "%F").map_err(|_| "not a date")?,
        )),
        (Kind::DateTime, ValueRef::Text(t)) => {
            Value::ChronoDateTime(Some(parse_time(utf8(t)?)?.naive_utc()))
        }
        (Kind::TimestampUtc, ValueRef::Text(t)) => {
            Value::ChronoDateTimeUtc(Some(parse_time(utf8(t)?)?))
        }
        (Kind::TimestampUtc, ValueRef::Integer(seconds)) => Value::ChronoDateTimeUtc(Some(
            Utc.timestamp_opt(seconds, 0).single().ok_or("not a time")?,
        )),
        (Kind::Bytes, ValueRef::Blob(b)) => Value::Bytes(Some(b.to_vec())),
        (Kind::Bytes, ValueRef::Text(t)) => Value::Bytes(Some(t.to_vec())),
        _ => return Err("holds a value of another type than its column"),
    })
}

pub(super) fn utf8(bytes: &[u8]) -> Result<&str, &'static str> {
    std::str::from_utf8(bytes).map_err(|_| "is not UTF-8 text")
}

/// A time as sqlx-sqlite reads one: RFC 3339, else SQLite's own formats (taken as UTC).
pub(super) fn parse_time(text: &str) -> Result<DateTime<Utc>, &'static str> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    const FORMATS: [&str; 12] = [
        "%F %T%.f",
        "%F %R",
        "%F %RZ",
        "%F %R%:z",
        "%F %T%.fZ",
        "%F %T%.f%:z",
        "%FT%R",
        "%FT%RZ",
        "%FT%R%:z",
        "%FT%T%.f",
        "%FT%T%.fZ",
        "%FT%T%.f%:z",
    ];
    for format in FORMATS {
        if let Ok(at) = DateTime::parse_from_str(text, format) {
            return Ok(at.with_timezone(&Utc));
        }
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(Utc.from_utc_datetime(&at));
        }
    }
    Err("not a time")
}
