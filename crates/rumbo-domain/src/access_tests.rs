//! The access policy, row by row: what each role may and may not do.

use super::*;

const OWN_ORG: i64 = 1;
const OTHER_ORG: i64 = 2;
/// Registration desks: A and B are the own organisation's (the subject is assigned to A), C
/// another organisation's.
const DESK_A: i64 = 101;
const DESK_B: i64 = 102;
const DESK_C: i64 = 103;

fn iso(code: &str) -> Iso3 {
    Iso3::parse(code).expect("valid iso3")
}

fn subject(role: Role, scope: Scope) -> Subject {
    Subject {
        user_id: 10,
        organisation_id: OWN_ORG,
        grants: vec![Grant { role, scope }],
        desks: vec![DESK_A],
    }
}

/// The whole policy, one row per (role, action, target): what each role can and cannot do.
#[test]
fn policy_table() {
    use Action::*;
    use Role::*;
    let col = Scope::Country(iso("COL"));
    let in_col = Target::country(iso("COL"));
    let in_per = Target::country(iso("PER"));
    let regional = Target::anywhere();
    let own_org = Target::organisation(OWN_ORG, Some(iso("COL")));
    let other_org_col = Target::organisation(OTHER_ORG, Some(iso("COL")));
    let other_org_per = Target::organisation(OTHER_ORG, Some(iso("PER")));
    let own_org_per = Target::organisation(OWN_ORG, Some(iso("PER")));

    #[rustfmt::skip]
    let mut table: Vec<(Role, Scope, Action, &Target, bool)> = vec![
        (PlatformAdmin, Scope::Region, ViewAudit, &regional, true),
        (PlatformAdmin, Scope::Region, ManageUsers, &other_org_per, true),
        (PlatformAdmin, Scope::Region, ManageGeography, &in_per, true),

        (ImOfficer, col, ViewReferenceData, &regional, true),
        (ImOfficer, col, ManageGeography, &in_col, true),
        (ImOfficer, col, ManageGeography, &in_per, false),
        (ImOfficer, col, ManageGeography, &regional, false),
        (ImOfficer, col, ManageLocations, &in_col, true),
        (ImOfficer, col, ManageLocations, &in_per, false),
        (ImOfficer, col, ManageOrganisation, &other_org_col, true),
        (ImOfficer, col, ManageOrganisation, &other_org_per, false),
        (ImOfficer, col, ViewUsers, &other_org_col, true),
        (ImOfficer, col, ViewUsers, &other_org_per, false),
        (ImOfficer, col, ManageUsers, &other_org_col, false),
        (ImOfficer, col, ViewAudit, &regional, false),
        (ImOfficer, Scope::Region, ManageGeography, &in_per, true),

        (OrganisationManager, col, ViewReferenceData, &regional, true),
        (OrganisationManager, col, ManageOrganisation, &own_org, true),
        (OrganisationManager, col, ManageOrganisation, &other_org_col, false),
        (OrganisationManager, col, ViewUsers, &own_org, true),
        (OrganisationManager, col, ViewUsers, &other_org_col, false),
        (OrganisationManager, col, ManageUsers, &own_org, true),
        (OrganisationManager, col, ManageUsers, &other_org_col, false),
        (OrganisationManager, col, ManageLocations, &in_col, false),
        (OrganisationManager, col, ViewAudit, &regional, false),

        (Enumerator, col, ViewReferenceData, &regional, true),
        (Enumerator, col, ManageLocations, &in_col, false),
        (Enumerator, col, ManageGeography, &in_col, false),
        (Enumerator, col, ViewUsers, &own_org, false),
        (Enumerator, col, ManageOrganisation, &own_org, false),
        (Enumerator, col, ViewAudit, &regional, false),

        (ProtectionOfficer, col, ViewReferenceData, &regional, true),
        (ProtectionOfficer, col, ManageLocations, &in_col, false),
        (ProtectionOfficer, col, ViewUsers, &own_org, false),
        (ProtectionOfficer, col, ViewAudit, &regional, false),

        (Viewer, col, ViewReferenceData, &regional, true),
        (Viewer, col, ManageGeography, &in_col, false),
        (Viewer, col, ManageLocations, &in_col, false),
        (Viewer, col, ManageOrganisation, &own_org, false),
        (Viewer, col, ViewUsers, &own_org, false),
        (Viewer, col, ManageUsers, &own_org, false),
        (Viewer, col, ViewAudit, &regional, false),

        (PlatformAdmin, Scope::Region, ManageOwnAccount, &regional, true),
        (ImOfficer, col, ManageOwnAccount, &regional, true),
        (OrganisationManager, col, ManageOwnAccount, &regional, true),
        (Enumerator, col, ManageOwnAccount, &regional, true),
        (ProtectionOfficer, col, ManageOwnAccount, &regional, true),
        (Viewer, col, ManageOwnAccount, &regional, true),

        // Flow monitoring.
        (PlatformAdmin, Scope::Region, ViewProtectionCases, &in_per, true),
        (PlatformAdmin, Scope::Region, ManageRiskRules, &regional, true),
        (ImOfficer, col, ViewFlowData, &in_col, true),
        (ImOfficer, col, ViewFlowData, &in_per, false),
        (ImOfficer, col, RecordFlowData { assigned: false }, &in_col, true),
        (ImOfficer, col, RecordFlowData { assigned: false }, &in_per, false),
        (ImOfficer, col, ManageFlowPoints, &in_col, true),
        (ImOfficer, col, ManageFlowPoints, &in_per, false),
        (ImOfficer, col, ViewFmsInterviews, &in_col, true),
        (ImOfficer, col, ViewFmsInterviews, &in_per, false),
        (ImOfficer, col, ViewProtectionCases, &in_col, false),
        (ImOfficer, col, ManageRiskRules, &regional, false),
        (ImOfficer, Scope::Region, ManageRiskRules, &regional, true),
        (ImOfficer, Scope::Region, ViewFlowData, &in_per, true),
        (Enumerator, col, RecordFlowData { assigned: true }, &in_col, true),
        (Enumerator, col, RecordFlowData { assigned: false }, &in_col, false),
        (Enumerator, col, RecordFlowData { assigned: true }, &in_per, false),
        (Enumerator, col, ViewFlowData, &in_col, true),
        (Enumerator, col, ManageFlowPoints, &in_col, false),
        (Enumerator, col, ViewFmsInterviews, &in_col, false),
        (Enumerator, col, ViewProtectionCases, &in_col, false),
        (ProtectionOfficer, col, ViewProtectionCases, &in_col, true),
        (ProtectionOfficer, col, ViewProtectionCases, &in_per, false),
        (ProtectionOfficer, col, ViewFmsInterviews, &in_col, true),
        (ProtectionOfficer, col, RecordFlowData { assigned: true }, &in_col, false),
        (ProtectionOfficer, col, ManageFlowPoints, &in_col, false),
        (Viewer, col, ViewFlowData, &in_col, true),
        (Viewer, col, ViewFlowData, &in_per, false),
        (Viewer, col, ViewFlowData, &regional, false),
        (Viewer, col, RecordFlowData { assigned: true }, &in_col, false),
        (Viewer, col, ViewFmsInterviews, &in_col, false),
        (Viewer, col, ViewProtectionCases, &in_col, false),
        (OrganisationManager, col, ViewProtectionCases, &in_col, false),
        (OrganisationManager, col, ManageFlowPoints, &in_col, false),
        // 5W: partners report and see their own; IM officers see, correct and validate
        // their country's; coordination views and R4V reference data are IM officers'.
        (PlatformAdmin, Scope::Region, Validate5w, &in_per, true),
        (ImOfficer, col, View5w, &other_org_col, true),
        (ImOfficer, col, View5w, &other_org_per, false),
        (ImOfficer, col, Report5w, &other_org_col, true),
        (ImOfficer, col, Report5w, &other_org_per, false),
        (ImOfficer, col, Validate5w, &in_col, true),
        (ImOfficer, col, Validate5w, &in_per, false),
        (ImOfficer, col, ManageR4v, &in_col, true),
        (ImOfficer, col, ManageR4v, &in_per, false),
        (ImOfficer, col, ManageR4v, &regional, false),
        (ImOfficer, Scope::Region, ManageR4v, &regional, true),
        (ImOfficer, col, ViewCoordination, &in_col, true),
        (ImOfficer, col, ViewCoordination, &in_per, false),
        (OrganisationManager, col, View5w, &own_org, true),
        (OrganisationManager, col, View5w, &other_org_col, false),
        (OrganisationManager, col, Report5w, &own_org, true),
        (OrganisationManager, col, Report5w, &other_org_col, false),
        (OrganisationManager, col, Report5w, &own_org_per, false),
        (OrganisationManager, col, Validate5w, &in_col, false),
        (OrganisationManager, col, ManageR4v, &in_col, false),
        (OrganisationManager, col, ViewCoordination, &in_col, false),
        (Enumerator, col, View5w, &own_org, true),
        (Enumerator, col, Report5w, &own_org, true),
        (Enumerator, col, Report5w, &other_org_col, false),
        (Enumerator, col, Validate5w, &in_col, false),
        (ProtectionOfficer, col, View5w, &own_org, true),
        (ProtectionOfficer, col, Report5w, &own_org, false),
        (Viewer, col, View5w, &own_org, true),
        (Viewer, col, View5w, &other_org_col, false),
        (Viewer, col, View5w, &own_org_per, false),
        (Viewer, col, Report5w, &own_org, false),
        (Viewer, col, ManageR4v, &in_col, false),
        (Viewer, col, ViewCoordination, &in_col, false),
    ];
    table.extend(registration_rows(&col));
    for (role, scope, action, target, expected) in table {
        assert_eq!(
            subject(role, scope).may(action, target),
            expected,
            "{role:?} in {scope:?} doing {action:?} on {target:?}"
        );
    }
}

/// Registration: who registers, browses, reads names, edits and erases which households,
/// and who sets up models, programmes and sharing agreements.
fn registration_rows(col: &Scope) -> Vec<(Role, Scope, Action, &'static Target, bool)> {
    use Action::*;
    use Role::*;
    let col = *col;
    let targets = registration_targets();
    let [own, other, shared, shared_per, own_per, country, own_desk_b] = targets;
    #[rustfmt::skip]
    let rows = vec![
        (PlatformAdmin, Scope::Region, ViewPersonalData, other, true),
        (PlatformAdmin, Scope::Region, EraseRegistrations, other, true),

        // Enumerators register, browse and correct at their own desks only.
        (Enumerator, col, RegisterHouseholds, own, true),
        (Enumerator, col, RegisterHouseholds, own_desk_b, false),
        (Enumerator, col, ViewRegistrations, own_desk_b, false),
        (Enumerator, col, ViewPersonalData, own_desk_b, false),
        (Enumerator, col, EditRegistrations, own_desk_b, false),
        (Enumerator, col, RegisterHouseholds, other, false),
        (Enumerator, col, RegisterHouseholds, own_per, false),
        (Enumerator, col, ViewRegistrations, own, true),
        (Enumerator, col, ViewPersonalData, own, true),
        (Enumerator, col, ViewRegistrations, other, false),
        (Enumerator, col, ViewRegistrations, shared, false),
        (Enumerator, col, ViewPersonalData, shared, false),
        (Enumerator, col, EditRegistrations, own, true),
        (Enumerator, col, EditRegistrations, other, false),
        (Enumerator, col, EraseRegistrations, own, false),
        (Enumerator, col, ViewRegistrationStatistics, country, true),
        (Enumerator, col, ManageProgrammes, own, false),
        (Enumerator, col, RecordAssistance, own, true),

        // Caseworkers see names in their country: their own and what is shared with them.
        (ProtectionOfficer, col, ViewPersonalData, own, true),
        (ProtectionOfficer, col, ViewPersonalData, own_desk_b, true),
        (ProtectionOfficer, col, EditRegistrations, own_desk_b, true),
        (ProtectionOfficer, col, ViewPersonalData, shared, true),
        (ProtectionOfficer, col, ViewPersonalData, other, false),
        (ProtectionOfficer, col, ViewPersonalData, shared_per, false),
        (ProtectionOfficer, col, ViewPersonalData, own_per, false),
        (ProtectionOfficer, col, EditRegistrations, own, true),
        (ProtectionOfficer, col, EditRegistrations, shared, false),
        (ProtectionOfficer, col, EraseRegistrations, own, true),
        (ProtectionOfficer, col, EraseRegistrations, shared, false),
        (ProtectionOfficer, col, RegisterHouseholds, own, true),

        // Viewers: figures and pseudonymous records, never names.
        (Viewer, col, ViewRegistrationStatistics, country, true),
        (Viewer, col, ViewRegistrations, own, true),
        (Viewer, col, ViewRegistrations, own_desk_b, true),
        (Viewer, col, ViewRegistrations, shared, true),
        (Viewer, col, ViewRegistrations, other, false),
        (Viewer, col, ViewPersonalData, own, false),
        (Viewer, col, ViewPersonalData, shared, false),
        (Viewer, col, RegisterHouseholds, own, false),
        (Viewer, col, EditRegistrations, own, false),
        (Viewer, col, RecordAssistance, own, false),

        // IM officers: models, programmes, agreements; records under pseudonyms only.
        (ImOfficer, col, ManageVulnerabilityModels, country, true),
        (ImOfficer, col, ManageSharingAgreements, country, true),
        (ImOfficer, col, ManageProgrammes, other, true),
        (ImOfficer, col, ManageProgrammes, own_per, false),
        (ImOfficer, col, ViewRegistrations, own, true),
        (ImOfficer, col, ViewRegistrations, other, false),
        (ImOfficer, col, ViewPersonalData, own, false),
        (ImOfficer, col, EditRegistrations, own, false),
        (ImOfficer, col, RegisterHouseholds, own, true),
        (ImOfficer, col, RecordAssistance, other, false),

        // Organisation managers run their organisation's programmes.
        (OrganisationManager, col, ManageDeskAssignments, own, true),
        (OrganisationManager, col, ManageDeskAssignments, other, false),
        (OrganisationManager, col, ManageDeskAssignments, own_per, false),
        (ImOfficer, col, ManageDeskAssignments, other, true),
        (ImOfficer, col, ManageDeskAssignments, own_per, false),
        (Enumerator, col, ManageDeskAssignments, own, false),
        (ProtectionOfficer, col, ManageDeskAssignments, own, false),
        (Viewer, col, ManageDeskAssignments, own, false),
        (OrganisationManager, col, ManageProgrammes, own, true),
        (OrganisationManager, col, ManageProgrammes, other, false),
        (OrganisationManager, col, RecordAssistance, own, true),
        (OrganisationManager, col, ViewPersonalData, own, false),
        (OrganisationManager, col, ManageVulnerabilityModels, country, false),
        (OrganisationManager, col, ManageSharingAgreements, country, false),

        // De-duplication: IM officers of the country run it and review the queue; names of a
        // pair's side only for their own organisation's records or what is shared with it.
        (PlatformAdmin, Scope::Region, ReviewDuplicates, country, true),
        (PlatformAdmin, Scope::Region, CompareDuplicates, other, true),
        (ImOfficer, col, ReviewDuplicates, country, true),
        (ImOfficer, col, ReviewDuplicates, own_per, false),
        (ImOfficer, Scope::Region, ReviewDuplicates, own_per, true),
        (ImOfficer, col, CompareDuplicates, own, true),
        (ImOfficer, col, CompareDuplicates, shared, true),
        (ImOfficer, col, CompareDuplicates, other, false),
        (ImOfficer, col, CompareDuplicates, shared_per, false),
        (ProtectionOfficer, col, CompareDuplicates, own, true),
        (ProtectionOfficer, col, ReviewDuplicates, country, false),
        (OrganisationManager, col, ReviewDuplicates, country, false),
        (OrganisationManager, col, CompareDuplicates, own, false),
        (Enumerator, col, ReviewDuplicates, country, false),
        (Enumerator, col, CompareDuplicates, own, false),
        (Viewer, col, ReviewDuplicates, country, false),
        (Viewer, col, CompareDuplicates, shared, false),
        // Runs of the engine (asked for, listed, followed) concern a country as a whole and
        // take the same action: an IM officer of another country neither asks nor sees them.
        (ImOfficer, Scope::Country(iso("PER")), ReviewDuplicates, country, false),
        (ImOfficer, Scope::Country(iso("COL")), ReviewDuplicates, country, true),
    ];
    rows
}

/// Registrations the table above is about: own organisation's in Colombia at desk A, another's
/// not shared, another's shared with the own organisation (in Colombia and in Peru), own in
/// Peru, Colombia as a whole, and own in Colombia at desk B.
fn registration_targets() -> [&'static Target; 7] {
    use std::sync::OnceLock;
    static TARGETS: OnceLock<[Target; 7]> = OnceLock::new();
    let t = TARGETS.get_or_init(|| {
        let col = Iso3::parse("COL").expect("iso3");
        let per = Iso3::parse("PER").expect("iso3");
        [
            Target::registration(OWN_ORG, col, vec![]).at_desk(DESK_A),
            Target::registration(OTHER_ORG, col, vec![]).at_desk(DESK_C),
            Target::registration(OTHER_ORG, col, vec![OWN_ORG]).at_desk(DESK_C),
            Target::registration(OTHER_ORG, per, vec![OWN_ORG]).at_desk(DESK_C),
            Target::registration(OWN_ORG, per, vec![]).at_desk(DESK_A),
            Target::country(col),
            Target::registration(OWN_ORG, col, vec![]).at_desk(DESK_B),
        ]
    });
    [&t[0], &t[1], &t[2], &t[3], &t[4], &t[5], &t[6]]
}

/// An enumerator assigned to no desk registers, sees and corrects nothing, even in their own
/// organisation and country.
#[test]
fn an_enumerator_without_a_desk_reaches_no_household() {
    let mut s = subject(Role::Enumerator, Scope::Country(iso("COL")));
    s.desks.clear();
    for target in registration_targets() {
        for action in [
            Action::RegisterHouseholds,
            Action::ViewRegistrations,
            Action::ViewPersonalData,
            Action::EditRegistrations,
        ] {
            assert!(!s.may(action, target), "{action:?} {target:?}");
        }
    }
    assert!(s.registration_reach(Action::ViewRegistrations).is_empty());
    assert!(s.may(Action::ViewRegistrationStatistics, &Target::country(iso("COL"))));
}

/// A registration list shows exactly the records whose pages the policy would open.
#[test]
fn registration_lists_reach_what_views_allow() {
    let (col, per) = (iso("COL"), iso("PER"));
    let mut subjects: Vec<Subject> = Role::ALL
        .iter()
        .flat_map(|role| [subject(*role, Scope::Country(col)), subject(*role, Scope::Region)])
        .collect();
    let mut deskless = subject(Role::Enumerator, Scope::Country(col));
    deskless.desks.clear();
    subjects.push(deskless);
    subjects.push(Subject {
        user_id: 10,
        organisation_id: OWN_ORG,
        desks: vec![DESK_B],
        grants: vec![
            Grant {
                role: Role::Enumerator,
                scope: Scope::Country(per),
            },
            Grant {
                role: Role::ProtectionOfficer,
                scope: Scope::Country(col),
            },
        ],
    });
    for s in &subjects {
        for action in [Action::ViewRegistrations, Action::ViewPersonalData] {
            let reach = s.registration_reach(action);
            let targets = registration_targets();
            for target in targets.into_iter().filter(|t| t.organisation.is_some()) {
                assert_eq!(
                    reach.covers(target),
                    s.may(action, target),
                    "{s:?} {action:?} {target:?}"
                );
            }
        }
    }
}

#[test]
fn a_user_without_roles_may_do_nothing() {
    let nobody = Subject {
        user_id: 1,
        organisation_id: OWN_ORG,
        grants: vec![],
        desks: vec![],
    };
    assert!(!nobody.may(Action::ViewReferenceData, &Target::anywhere()));
    assert!(!nobody.may(Action::ManageUsers, &Target::organisation(OWN_ORG, None)));
    assert!(
        nobody.may(Action::ManageOwnAccount, &Target::anywhere()),
        "an account without roles may still change its password"
    );
    assert!(nobody.user_reach().is_empty());
}

#[test]
fn organisation_managers_grant_only_field_roles_in_their_countries() {
    let manager = subject(Role::OrganisationManager, Scope::Country(iso("COL")));
    let grant = |role, country: &str| Grant {
        role,
        scope: Scope::Country(iso(country)),
    };
    assert!(manager.may_grant(grant(Role::Enumerator, "COL"), OWN_ORG));
    assert!(manager.may_grant(grant(Role::Viewer, "COL"), OWN_ORG));
    assert!(!manager.may_grant(grant(Role::Enumerator, "PER"), OWN_ORG));
    assert!(!manager.may_grant(grant(Role::Enumerator, "COL"), OTHER_ORG));
    assert!(!manager.may_grant(grant(Role::ProtectionOfficer, "COL"), OWN_ORG));
    assert!(!manager.may_grant(grant(Role::PlatformAdmin, "COL"), OWN_ORG));
    assert!(!manager.may_grant(
        Grant {
            role: Role::Viewer,
            scope: Scope::Region
        },
        OWN_ORG
    ));
    let admin = subject(Role::PlatformAdmin, Scope::Region);
    assert!(admin.may_grant(grant(Role::ProtectionOfficer, "PER"), OTHER_ORG));
}

#[test]
fn nobody_changes_their_own_roles() {
    let admin = subject(Role::PlatformAdmin, Scope::Region);
    let viewer = Grant {
        role: Role::Viewer,
        scope: Scope::Country(iso("COL")),
    };
    assert!(admin.may_grant_to(viewer, 11, OWN_ORG));
    assert!(!admin.may_grant_to(viewer, admin.user_id, OWN_ORG));
    let manager = subject(Role::OrganisationManager, Scope::Country(iso("COL")));
    assert!(manager.may_grant_to(viewer, 11, OWN_ORG));
    assert!(!manager.may_grant_to(viewer, manager.user_id, OWN_ORG));
}

/// An organisation manager may look after the field staff of their organisation, but not
/// a colleague who holds a role they could not have granted (an IM officer, an admin).
#[test]
fn managers_manage_only_accounts_they_could_have_staffed() {
    let manager = subject(Role::OrganisationManager, Scope::Country(iso("COL")));
    let in_col = |role| Grant {
        role,
        scope: Scope::Country(iso("COL")),
    };
    assert!(manager.may_manage_user(11, OWN_ORG, &[in_col(Role::Enumerator)]));
    assert!(manager.may_manage_user(11, OWN_ORG, &[]));
    assert!(!manager.may_manage_user(11, OTHER_ORG, &[in_col(Role::Enumerator)]));
    assert!(!manager.may_manage_user(11, OWN_ORG, &[in_col(Role::ImOfficer)]));
    assert!(!manager.may_manage_user(
        11,
        OWN_ORG,
        &[Grant {
            role: Role::PlatformAdmin,
            scope: Scope::Region
        }]
    ));
    assert!(!manager.may_manage_user(manager.user_id, OWN_ORG, &[]));
    let im = subject(Role::ImOfficer, Scope::Country(iso("COL")));
    assert!(!im.may_manage_user(11, OTHER_ORG, &[in_col(Role::Viewer)]));
    let admin = subject(Role::PlatformAdmin, Scope::Region);
    assert!(admin.may_manage_user(11, OTHER_ORG, &[in_col(Role::ImOfficer)]));
    assert!(!admin.may_manage_user(admin.user_id, OWN_ORG, &[]));
}

/// A list shows exactly the accounts whose pages the policy would open.
#[test]
fn user_lists_reach_what_views_allow() {
    let (col, per) = (iso("COL"), iso("PER"));
    let subjects = [
        subject(Role::PlatformAdmin, Scope::Region),
        subject(Role::ImOfficer, Scope::Country(col)),
        subject(Role::ImOfficer, Scope::Region),
        subject(Role::OrganisationManager, Scope::Country(col)),
        subject(Role::Enumerator, Scope::Country(col)),
        subject(Role::Viewer, Scope::Country(per)),
        Subject {
            user_id: 10,
            organisation_id: OWN_ORG,
            desks: vec![],
            grants: vec![
                Grant {
                    role: Role::ImOfficer,
                    scope: Scope::Country(per),
                },
                Grant {
                    role: Role::OrganisationManager,
                    scope: Scope::Country(col),
                },
            ],
        },
    ];
    let accounts: [(i64, Vec<Iso3>); 6] = [
        (OWN_ORG, vec![col]),
        (OWN_ORG, vec![]),
        (OTHER_ORG, vec![col]),
        (OTHER_ORG, vec![per]),
        (OTHER_ORG, vec![col, per]),
        (OTHER_ORG, vec![]),
    ];
    for s in &subjects {
        let reach = s.user_reach();
        for (org, countries) in &accounts {
            let target = Target {
                countries: countries.clone(),
                organisation: Some(*org),
                ..Target::default()
            };
            assert_eq!(
                reach.covers(*org, countries),
                s.may(Action::ViewUsers, &target),
                "{s:?} and an account of {org} in {countries:?}"
            );
        }
    }
}

#[test]
fn grants_parse_from_role_and_optional_country() {
    assert_eq!(
        Grant::parse("im_officer:col"),
        Ok(Grant {
            role: Role::ImOfficer,
            scope: Scope::Country(iso("COL"))
        })
    );
    assert_eq!(Grant::parse("platform_admin").map(|g| g.scope), Ok(Scope::Region));
    assert_eq!(Grant::parse("viewer:PER").map(|g| g.code()), Ok("viewer:PER".into()));
    let err = Grant::parse("boss:COL").expect_err("unknown role").to_string();
    assert!(err.contains("enumerator"), "lists the valid roles: {err}");
    assert!(Grant::parse("viewer:Colombia").is_err());
}

/// Privacy-preserving linkage: who uploads keys, who links, who receives the matched pairs.
#[test]
fn linkage_policy_table() {
    use Action::*;
    use Role::*;
    let col = Scope::Country(iso("COL"));
    let in_col = Target::country(iso("COL"));
    let in_per = Target::country(iso("PER"));
    let own_org = Target::organisation(OWN_ORG, Some(iso("COL")));
    let other_org = Target::organisation(OTHER_ORG, Some(iso("COL")));
    let pairs = |organisation, partner: Option<i64>| Target {
        countries: vec![iso("COL")],
        organisation: Some(organisation),
        shared_with: partner.into_iter().collect(),
        desk: None,
    };
    // Both consented: the pairs between the own organisation and the other, seen from either.
    let released = pairs(OWN_ORG, Some(OTHER_ORG));
    let released_to_partner = pairs(OTHER_ORG, Some(OWN_ORG));
    // Only one side consented (or none): nobody but a platform admin receives them.
    let not_released = pairs(OWN_ORG, None);
    let between_others = pairs(OTHER_ORG, Some(3));
    #[rustfmt::skip]
    let table: Vec<(Role, Scope, Action, &Target, bool)> = vec![
        (PlatformAdmin, Scope::Region, RunLinkage, &in_per, true),
        (PlatformAdmin, Scope::Region, ViewLinkagePairs, &not_released, true),
        (OrganisationManager, col, ManageLinkageKeys, &own_org, true),
        (OrganisationManager, col, ManageLinkageKeys, &other_org, false),
        (OrganisationManager, Scope::Country(iso("PER")), ManageLinkageKeys, &own_org, false),
        (OrganisationManager, col, RunLinkage, &in_col, false),
        (OrganisationManager, col, ViewLinkagePairs, &released, true),
        (OrganisationManager, col, ViewLinkagePairs, &released_to_partner, true),
        (OrganisationManager, col, ViewLinkagePairs, &not_released, false),
        (OrganisationManager, col, ViewLinkagePairs, &between_others, false),
        (ImOfficer, col, ManageLinkageKeys, &own_org, true),
        (ImOfficer, col, ManageLinkageKeys, &other_org, false),
        (ImOfficer, col, RunLinkage, &in_col, true),
        (ImOfficer, col, RunLinkage, &in_per, false),
        (ImOfficer, col, ViewLinkagePairs, &released, true),
        (ImOfficer, col, ViewLinkagePairs, &not_released, false),
        (ImOfficer, col, ViewLinkagePairs, &between_others, false),
        (Enumerator, col, ManageLinkageKeys, &own_org, false),
        (Enumerator, col, ViewLinkagePairs, &released, false),
        (ProtectionOfficer, col, ViewLinkagePairs, &released, false),
        (Viewer, col, RunLinkage, &in_col, false),
        (Viewer, col, ViewLinkagePairs, &released, false),
    ];
    for (role, scope, action, target, expected) in table {
        assert_eq!(
            subject(role, scope).may(action, target),
            expected,
            "{role:?} in {scope:?} doing {action:?} on {target:?}"
        );
    }
}
