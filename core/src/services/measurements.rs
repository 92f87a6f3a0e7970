//! Temperatures (with the fever guidance that goes with them), weights and heights.

use chrono::{DateTime, Utc};
use entity::measurement;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use super::{Authorized, Problem, ServiceResult, Services, Target};
use crate::auth::{Actor, Permission};
use crate::db::WriteTxn;
use crate::domain::Temperature;

/// Temperature guidance. Never a diagnosis: when to call someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeverAdvice {
    None,
    /// 38.0 °C or more.
    Fever,
    /// 38.0 °C or more under 3 months old: call the doctor now.
    InfantUrgent,
    /// 40.0 °C or more: call the doctor now.
    VeryHigh,
}

pub fn fever_advice(temperature: Temperature, age_days: i64) -> FeverAdvice {
    if temperature.celsius >= 38.0 && age_days < 90 {
        FeverAdvice::InfantUrgent
    } else if temperature.celsius >= 40.0 {
        FeverAdvice::VeryHigh
    } else if temperature.celsius >= 38.0 {
        FeverAdvice::Fever
    } else {
        FeverAdvice::None
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasurementView {
    pub id: i64,
    pub child_id: i64,
    pub kind: String,
    pub value: f64,
    pub unit: String,
    pub measured_at: DateTime<Utc>,
    pub recorded_by: Option<String>,
}

impl Services {
    /// Records a temperature and returns the guidance that goes with it.
    pub async fn log_temperature(
        &self,
        actor: &Actor,
        child_id: i64,
        temperature: Temperature,
        at: Option<DateTime<Utc>>,
        source_key: Option<&str>,
    ) -> ServiceResult<(MeasurementView, FeverAdvice)> {
        let measured_at = self.check_time(at)?;
        let (txn, auth) = self
            .begin(actor, Permission::LogMeasurement, Target::Child(child_id))
            .await?;
        let child = self.child_row(&*txn, child_id).await?;
        let written = match source_key {
            Some(key) => {
                measurement::Entity::find()
                    .filter(measurement::Column::SourceKey.eq(key))
                    .one(&*txn)
                    .await?
            }
            None => None,
        };
        let (row, action) = match written {
            Some(row) => (row, "measurement.log.repeated"),
            None => (
                self.insert_temperature(
                    &txn,
                    &auth,
                    actor,
                    child_id,
                    temperature,
                    measured_at,
                    source_key,
                )
                .await?,
                "measurement.log",
            ),
        };
        self.commit_audited(txn, &auth, actor, action, format!("measurement:{}", row.id))
            .await?;
        let measured_at = row.measured_at;
        let info = self.family_info(auth.family_id).await?;
        let today = measured_at.with_timezone(&info.timezone).date_naive();
        let advice = fever_advice(
            Temperature { celsius: row.value },
            (today - child.birth_date).num_days(),
        );
        Ok((
            MeasurementView {
                id: row.id,
                child_id,
                kind: row.kind,
                value: row.value,
                unit: row.unit,
                measured_at,
                recorded_by: None,
            },
            advice,
        ))
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_temperature(
        &self,
        txn: &WriteTxn,
        auth: &Authorized,
        actor: &Actor,
        child_id: i64,
        temperature: Temperature,
        measured_at: DateTime<Utc>,
        source_key: Option<&str>,
    ) -> ServiceResult<measurement::Model> {
        Ok(measurement::ActiveModel {
            family_id: Set(auth.family_id),
            child_id: Set(child_id),
            kind: Set("temperature".into()),
            value: Set(temperature.celsius),
            unit: Set("C".into()),
            measured_at: Set(measured_at),
            recorded_by_member_id: Set(auth.member_id),
            channel: Set(actor.channel.as_str().to_string()),
            created_at: Set(self.now()),
            source_key: Set(source_key.map(str::to_string)),
            ..Default::default()
        }
        .insert(&**txn)
        .await?)
    }

    /// Records a weight (kg) or height (cm). `source_key` is the channel delivery's: the same
    /// delivery processed again finds its measurement instead of writing a second one.
    pub async fn log_growth(
        &self,
        actor: &Actor,
        child_id: i64,
        kind: &str,
        value: f64,
        source_key: Option<&str>,
    ) -> ServiceResult<i64> {
        let (unit, range) = match kind {
            "weight" => ("kg", 0.5..=150.0),
            "height" => ("cm", 30.0..=220.0),
            _ => return Err(Problem::UnknownMeasurement(kind.to_string()).into()),
        };
        if !range.contains(&value) {
            let kind = if kind == "weight" { "weight" } else { "height" };
            return Err(Problem::ImplausibleMeasurement { kind, value, unit }.into());
        }
        self.authorized(
            actor,
            Permission::LogMeasurement,
            Target::Child(child_id),
            |id| format!("measurement:{id}"),
            async |txn, auth| {
                if let Some(key) = source_key {
                    let written = measurement::Entity::find()
                        .filter(measurement::Column::SourceKey.eq(key))
                        .one(&**txn)
                        .await?;
                    if let Some(row) = written {
                        return Ok(row.id);
                    }
                }
                let row = measurement::ActiveModel {
                    family_id: Set(auth.family_id),
                    child_id: Set(child_id),
                    kind: Set(kind.to_string()),
                    value: Set(value),
                    unit: Set(unit.to_string()),
                    measured_at: Set(self.now()),
                    recorded_by_member_id: Set(auth.member_id),
                    channel: Set(actor.channel.as_str().to_string()),
                    created_at: Set(self.now()),
                    source_key: Set(source_key.map(str::to_string)),
                    ..Default::default()
                }
                .insert(&**txn)
                .await?;
                Ok(row.id)
            },
        )
        .await
    }

    /// A child's recent measurements, most recent first.
    pub async fn measurements(
        &self,
        actor: &Actor,
        child_id: i64,
        limit: u64,
    ) -> ServiceResult<Vec<MeasurementView>> {
        let (rows, names) = self
            .authorized(
                actor,
                Permission::ViewMeasurements,
                Target::Child(child_id),
                |_| format!("child:{child_id}"),
                async |txn, auth| {
                    let rows = measurement::Entity::find()
                        .filter(measurement::Column::ChildId.eq(child_id))
                        .order_by_desc(measurement::Column::MeasuredAt)
                        .limit(limit)
                        .all(&**txn)
                        .await?;
                    let names = self
                        .member_names(
                            &**txn,
                            auth.family_id,
                            rows.iter().filter_map(|m| m.recorded_by_member_id),
                        )
                        .await?;
                    Ok((rows, names))
                },
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| MeasurementView {
                id: m.id,
                child_id: m.child_id,
                kind: m.kind,
                value: m.value,
                unit: m.unit,
                measured_at: m.measured_at,
                recorded_by: m
                    .recorded_by_member_id
                    .and_then(|id| names.get(&id).cloned()),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fever_guidance_by_age_and_value() {
        let t = |c: f64| Temperature { celsius: c };
        assert_eq!(fever_advice(t(37.2), 400), FeverAdvice::None);
        assert_eq!(fever_advice(t(38.4), 400), FeverAdvice::Fever);
        assert_eq!(fever_advice(t(38.0), 60), FeverAdvice::InfantUrgent);
        assert_eq!(fever_advice(t(40.1), 1500), FeverAdvice::VeryHigh);
    }
}
