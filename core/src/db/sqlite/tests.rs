use super::*;

#[test]
fn urls_are_read_as_sqlx_reads_them() {
    let file = SqliteFile::from_url("sqlite://data/x.db?mode=rwc", Duration::ZERO, 512).unwrap();
    assert_eq!(file.path, PathBuf::from("data/x.db"));
    assert!(file.create);
    let file = SqliteFile::from_url("sqlite:///var/lib/m.db", Duration::ZERO, 512).unwrap();
    assert_eq!(file.path, PathBuf::from("/var/lib/m.db"));
    assert!(!file.create);
    assert!(SqliteFile::from_url("sqlite::memory:", Duration::ZERO, 512).is_err());
    assert!(SqliteFile::from_url("sqlite://x.db?mode=ro", Duration::ZERO, 512).is_err());
}

#[test]
fn every_entity_column_has_a_known_kind() {
    for (table, columns) in ENTITY_COLUMNS.iter() {
        for (column, kind) in columns {
            assert!(
                kind.is_some(),
                "{table}.{column} has a type this driver cannot read"
            );
        }
    }
    assert_eq!(
        ENTITY_COLUMNS["medications"]["min_interval_minutes"],
        Some(Kind::Int)
    );
    assert_eq!(ENTITY_COLUMNS["dose_logs"]["id"], Some(Kind::BigInt));
    assert_eq!(
        ENTITY_COLUMNS["dose_logs"]["given_at"],
        Some(Kind::TimestampUtc)
    );
}

#[test]
fn times_are_written_as_sqlx_writes_them_and_read_back() {
    let at = Utc.with_ymd_and_hms(2026, 11, 30, 2, 4, 19).unwrap();
    assert_eq!(rfc3339(&at), "2026-11-30T02:04:19+00:00");
    let later = at + chrono::Duration::microseconds(123_456);
    assert_eq!(rfc3339(&later), "2026-11-30T02:04:19.123456+00:00");
    for text in [
        "2026-11-30T02:04:19.123456+00:00",
        "2026-11-30 02:04:19.123456",
        "2026-11-30T03:04:19.123456+01:00",
    ] {
        assert_eq!(parse_time(text), Ok(later), "{text}");
    }
    assert!(parse_time("yesterday").is_err());
}

#[test]
fn cells_become_the_values_their_columns_want() {
    assert_eq!(
        decode(ValueRef::Integer(7), Some(Kind::Int)),
        Ok(Value::Int(Some(7)))
    );
    assert!(decode(ValueRef::Integer(1 << 40), Some(Kind::Int)).is_err());
    assert_eq!(
        decode(ValueRef::Integer(1), Some(Kind::Bool)),
        Ok(Value::Bool(Some(true)))
    );
    assert_eq!(
        decode(ValueRef::Null, Some(Kind::TimestampUtc)),
        Ok(Value::ChronoDateTimeUtc(None))
    );
    assert_eq!(
        decode(ValueRef::Text(b"2026-05-01"), Some(Kind::Date)),
        Ok(Value::ChronoDate(NaiveDate::from_ymd_opt(2026, 5, 1)))
    );
    assert_eq!(
        decode(ValueRef::Integer(3), None),
        Ok(Value::BigInt(Some(3)))
    );
    assert!(decode(ValueRef::Text(b"x"), Some(Kind::BigInt)).is_err());
}
