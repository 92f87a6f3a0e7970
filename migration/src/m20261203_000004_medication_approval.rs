//! A medication a caregiver adds waits for a guardian's approval (as a childcare centre needs a
//! parent's signed authorization before staff give a medicine): its approval state, who proposed
//! it, and who decided and when. Rows already there were added by guardians or the operator, so
//! they are approved.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000004_medication_approval"
    }
}

const TABLE: &str = "medications";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        let columns = [
            text("approval").default("approved").to_owned(),
            big_integer_null("proposed_by_member_id"),
            big_integer_null("decided_by_member_id"),
            timestamp_with_time_zone_null("decided_at"),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(TABLE)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            "decided_at",
            "decided_by_member_id",
            "proposed_by_member_id",
            "approval",
        ] {
            manager
                .alter_table(Table::alter().table(TABLE).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
