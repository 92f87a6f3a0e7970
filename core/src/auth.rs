//! Who may do what: one authorization policy, a pure function, used by every service call.
//!
//! - guardian: everything in their family, including logging a dose the dose-safety check cannot
//!   check (an explicit override: the dose is flagged and the other guardians are told);
//! - caregiver (nanny): the children assigned to them — read medications, allergies and non-private
//!   conditions, log doses, measurements and notes, clock in/out, add a medication (which waits for
//!   a guardian's approval); never approve one, manage members, export or erase;
//! - viewer: read-only summaries (children, medications, allergies, doses, measurements);
//! - revoked members, invited-but-not-joined members and other families' members: nothing.
//!
//! A person may belong to several families; each call acts in exactly one family, the one that owns
//! the data it touches.

use serde::{Deserialize, Serialize};

use crate::domain::{Channel, MemberStatus, Role};

/// Who is asking, and through which channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub kind: ActorKind,
    pub channel: Channel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActorKind {
    /// A person, authorized through their membership of the family the call touches.
    Person(i64),
    /// Whoever runs the `mednanny` admin commands on the server: trusted, still audited.
    Operator,
}

impl Actor {
    pub fn person(person_id: i64, channel: Channel) -> Self {
        Self {
            kind: ActorKind::Person(person_id),
            channel,
        }
    }
    pub fn operator() -> Self {
        Self {
            kind: ActorKind::Operator,
            channel: Channel::Cli,
        }
    }
}

/// Everything a call can ask to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    ViewChildren,
    ViewMedications,
    ViewAllergies,
    ViewConditions,
    ViewPrivateConditions,
    ViewDoses,
    LogDose,
    /// Log a dose although the dose-safety check cannot be done (guardians only).
    OverrideDoseCheck,
    VoidDose,
    ViewMeasurements,
    LogMeasurement,
    ViewNotes,
    WriteNote,
    ClockInOut,
    ManageChildren,
    ManageMembers,
    Export,
    Erase,
    /// Report an emergency (the red-flag screen fired): the guardians are alerted. Every member.
    RaiseEmergency,
    /// Void a dose someone else gave (a caregiver corrects only their own).
    VoidOthersDose,
    /// Add a person to a family without their invite and consent: nobody but the operator.
    AddMemberDirectly,
    /// Add a medication to a child's record. A guardian's is approved at once; a caregiver's (on a
    /// child assigned to them) waits for a guardian's approval before any dose.
    AddMedication,
    /// Approve or deny a medication a caregiver added (guardians).
    ApproveMedication,
    ViewVaccinations,
    ViewAppointments,
    /// The family's doctors and their phones (a nanny needs the paediatrician's number).
    ViewProviders,
    /// Nannies' profiles, schedules and hours, and the payroll week (guardians; a nanny reads
    /// their own profile and hours under `ClockInOut`).
    ManageNannies,
}

impl Permission {
    pub const ALL: [Permission; 27] = [
        Permission::ViewChildren,
        Permission::ViewMedications,
        Permission::ViewAllergies,
        Permission::ViewConditions,
        Permission::ViewPrivateConditions,
        Permission::ViewDoses,
        Permission::LogDose,
        Permission::OverrideDoseCheck,
        Permission::VoidDose,
        Permission::ViewMeasurements,
        Permission::LogMeasurement,
        Permission::ViewNotes,
        Permission::WriteNote,
        Permission::ClockInOut,
        Permission::ManageChildren,
        Permission::ManageMembers,
        Permission::Export,
        Permission::Erase,
        Permission::RaiseEmergency,
        Permission::VoidOthersDose,
        Permission::AddMemberDirectly,
        Permission::AddMedication,
        Permission::ApproveMedication,
        Permission::ViewVaccinations,
        Permission::ViewAppointments,
        Permission::ViewProviders,
        Permission::ManageNannies,
    ];

    /// The audit action name.
    pub fn action(self) -> &'static str {
        match self {
            Permission::ViewChildren => "children.view",
            Permission::ViewMedications => "medications.view",
            Permission::ViewAllergies => "allergies.view",
            Permission::ViewConditions => "conditions.view",
            Permission::ViewPrivateConditions => "conditions.view_private",
            Permission::ViewDoses => "doses.view",
            Permission::LogDose => "dose.log",
            Permission::OverrideDoseCheck => "dose.override_check",
            Permission::VoidDose => "dose.void",
            Permission::ViewMeasurements => "measurements.view",
            Permission::LogMeasurement => "measurement.log",
            Permission::ViewNotes => "notes.view",
            Permission::WriteNote => "note.write",
            Permission::ClockInOut => "shift.clock",
            Permission::ManageChildren => "children.manage",
            Permission::ManageMembers => "members.manage",
            Permission::Export => "family.export",
            Permission::Erase => "erase",
            Permission::RaiseEmergency => "emergency.raise",
            Permission::VoidOthersDose => "dose.void_others",
            Permission::AddMemberDirectly => "member.add",
            Permission::AddMedication => "medication.add",
            Permission::ApproveMedication => "medication.approve",
            Permission::ViewVaccinations => "vaccinations.view",
            Permission::ViewAppointments => "appointments.view",
            Permission::ViewProviders => "providers.view",
            Permission::ManageNannies => "nannies.manage",
        }
    }
}

/// The caller's standing in the family that owns the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Not a member of this family at all.
    Outsider,
    Member {
        role: Role,
        status: MemberStatus,
    },
}

/// Whether the call is about one child, and if so whether a caregiver is assigned to that child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Family,
    Child { assigned: bool },
}

/// The policy. Pure: the matrix is table-tested in `tests/authorization.rs` through the services.
pub fn allows(standing: Standing, permission: Permission, scope: Scope) -> bool {
    use Permission::*;
    let Standing::Member {
        role,
        status: MemberStatus::Active,
    } = standing
    else {
        return false;
    };
    match role {
        // A guardian may do everything in their family but add someone without an invite.
        Role::Guardian => !matches!(permission, AddMemberDirectly),
        Role::Caregiver => {
            let allowed = matches!(
                permission,
                ViewChildren
                    | ViewMedications
                    | ViewAllergies
                    | ViewConditions
                    | ViewDoses
                    | LogDose
                    | VoidDose
                    | ViewMeasurements
                    | LogMeasurement
                    | ViewNotes
                    | WriteNote
                    | ClockInOut
                    | RaiseEmergency
                    | AddMedication
                    | ViewVaccinations
                    | ViewAppointments
                    | ViewProviders
            );
            let in_scope = match scope {
                Scope::Family => true,
                Scope::Child { assigned } => assigned,
            };
            allowed && in_scope
        }
        Role::Viewer => matches!(
            permission,
            ViewChildren
                | ViewMedications
                | ViewAllergies
                | ViewDoses
                | ViewMeasurements
                | RaiseEmergency
                | ViewVaccinations
                | ViewAppointments
                | ViewProviders
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inactive_members_and_outsiders_get_nothing() {
        for permission in Permission::ALL {
            for scope in [Scope::Family, Scope::Child { assigned: true }] {
                assert!(!allows(Standing::Outsider, permission, scope));
                for role in [Role::Guardian, Role::Caregiver, Role::Viewer] {
                    for status in [MemberStatus::Revoked, MemberStatus::Invited] {
                        assert!(
                            !allows(Standing::Member { role, status }, permission, scope),
                            "{role:?} {status:?} {permission:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_rules_that_used_to_live_in_the_services() {
        let member = |role| Standing::Member {
            role,
            status: MemberStatus::Active,
        };
        let assigned = Scope::Child { assigned: true };
        let unassigned = Scope::Child { assigned: false };
        // Guardian-only conditions.
        assert!(allows(
            member(Role::Guardian),
            Permission::ViewPrivateConditions,
            assigned
        ));
        assert!(!allows(
            member(Role::Caregiver),
            Permission::ViewPrivateConditions,
            assigned
        ));
        assert!(!allows(
            member(Role::Viewer),
            Permission::ViewPrivateConditions,
            assigned
        ));
        // Voiding someone else's dose.
        assert!(allows(
            member(Role::Guardian),
            Permission::VoidOthersDose,
            assigned
        ));
        assert!(!allows(
            member(Role::Caregiver),
            Permission::VoidOthersDose,
            assigned
        ));
        assert!(allows(
            member(Role::Caregiver),
            Permission::VoidDose,
            assigned
        ));
        // The caregiver's child filter: lists show only what `ViewChildren` reaches.
        assert!(allows(
            member(Role::Guardian),
            Permission::ViewChildren,
            unassigned
        ));
        assert!(allows(
            member(Role::Viewer),
            Permission::ViewChildren,
            unassigned
        ));
        assert!(!allows(
            member(Role::Caregiver),
            Permission::ViewChildren,
            unassigned
        ));
        // Adding a member without an invite: not even a guardian (the operator bypasses the policy).
        for role in [Role::Guardian, Role::Caregiver, Role::Viewer] {
            assert!(!allows(
                member(role),
                Permission::AddMemberDirectly,
                Scope::Family
            ));
        }
        assert!(allows(
            member(Role::Guardian),
            Permission::ManageMembers,
            Scope::Family
        ));
    }

    #[test]
    fn every_active_member_may_raise_an_emergency() {
        for role in [Role::Guardian, Role::Caregiver, Role::Viewer] {
            let member = Standing::Member {
                role,
                status: MemberStatus::Active,
            };
            assert!(
                allows(member, Permission::RaiseEmergency, Scope::Family),
                "{role:?}"
            );
        }
    }

    #[test]
    fn a_caregiver_may_add_a_medication_for_an_assigned_child_but_only_a_guardian_approves_it() {
        let member = |role| Standing::Member {
            role,
            status: MemberStatus::Active,
        };
        let assigned = Scope::Child { assigned: true };
        let unassigned = Scope::Child { assigned: false };
        assert!(allows(
            member(Role::Guardian),
            Permission::AddMedication,
            unassigned
        ));
        assert!(allows(
            member(Role::Caregiver),
            Permission::AddMedication,
            assigned
        ));
        assert!(!allows(
            member(Role::Caregiver),
            Permission::AddMedication,
            unassigned
        ));
        assert!(!allows(
            member(Role::Viewer),
            Permission::AddMedication,
            assigned
        ));
        assert!(allows(
            member(Role::Guardian),
            Permission::ApproveMedication,
            assigned
        ));
        for role in [Role::Caregiver, Role::Viewer] {
            assert!(
                !allows(member(role), Permission::ApproveMedication, assigned),
                "{role:?}"
            );
        }
    }

    #[test]
    fn only_guardians_may_override_the_dose_check_and_whoever_may_also_logs() {
        for role in [Role::Guardian, Role::Caregiver, Role::Viewer] {
            for status in [
                MemberStatus::Active,
                MemberStatus::Revoked,
                MemberStatus::Invited,
            ] {
                for scope in [
                    Scope::Family,
                    Scope::Child { assigned: true },
                    Scope::Child { assigned: false },
                ] {
                    let standing = Standing::Member { role, status };
                    let may = allows(standing, Permission::OverrideDoseCheck, scope);
                    assert_eq!(
                        may,
                        role == Role::Guardian && status == MemberStatus::Active,
                        "{role:?} {status:?} {scope:?}"
                    );
                    // The service asks for the override instead of `LogDose`: it must imply it.
                    assert!(!may || allows(standing, Permission::LogDose, scope));
                }
            }
        }
    }

    #[test]
    fn caregivers_only_reach_assigned_children() {
        let nanny = Standing::Member {
            role: Role::Caregiver,
            status: MemberStatus::Active,
        };
        assert!(allows(
            nanny,
            Permission::LogDose,
            Scope::Child { assigned: true }
        ));
        assert!(!allows(
            nanny,
            Permission::LogDose,
            Scope::Child { assigned: false }
        ));
        assert!(!allows(
            nanny,
            Permission::ViewPrivateConditions,
            Scope::Child { assigned: true }
        ));
        assert!(!allows(nanny, Permission::Export, Scope::Family));
    }
}
