//! Privacy-preserving linkage on SQLite and PostgreSQL: uploads replace an organisation's set,
//! a run links every set of the country, pairs are released only while both organisations
//! consent, and every step is audited without a pseudonym or a name in the log.

use rumbo_domain::audit::Actor;
use rumbo_domain::clk::{Clk, Encoder, Identity};
use rumbo_domain::country::Iso3;
use rumbo_store::Store;
use rumbo_store::organisations::OrganisationInput;
use rumbo_store::testing::TestDatabase;
use sqlx::Row;

fn cli() -> Actor {
    Actor::system("cli")
}

fn col() -> Iso3 {
    Iso3::parse("COL").expect("iso3")
}

async fn org(store: &Store, acronym: &str) -> i64 {
    let input = OrganisationInput {
        name: format!("{acronym} organisation"),
        acronym: acronym.into(),
        kind: "national_ngo".into(),
        country: Some("COL".into()),
        is_active: true,
        ..Default::default()
    };
    store
        .create_organisation(&cli(), &input)
        .await
        .expect("organisation")
        .id
}

/// Person `n`'s encoding as organisation `prefix` would upload it.
fn encodings(prefix: &str, people: std::ops::Range<usize>) -> Vec<(String, Clk)> {
    let encoder = Encoder::new(b"the organisations' shared secret").expect("secret");
    people
        .map(|n| {
            let person = Identity {
                given_names: ["Ana", "Luis", "Carmen", "José"][n % 4].into(),
                first_surname: ["Rojas", "Pérez", "Silva", "Mendoza", "Torres"][n / 4 % 5].into(),
                second_surname: Some(["Rivas", "Parra", "Mora"][n % 3].into()),
                birth_date: time::Date::from_ordinal_date(1950 + n as i32, 1 + n as u16 * 3).ok(),
                sex: None,
                document: Some(format!("V-{}", 9_000_000 + n * 7_919)),
            };
            (encoder.pseudonym(&format!("{prefix}-{n}")), encoder.encode(&person))
        })
        .collect()
}

#[tokio::test]
async fn linkage_keys_runs_and_consented_release() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    let (a, b, c) = (
        org(&store, "NGO-A").await,
        org(&store, "NGO-B").await,
        org(&store, "NGO-C").await,
    );

    store
        .upload_linkage_keys(&cli(), col(), a, &encodings("A", 0..10))
        .await
        .expect("upload");
    assert!(
        store.run_linkage(&cli(), col(), 0.8).await.is_err(),
        "one set cannot be linked"
    );
    // A second upload replaces the first.
    store
        .upload_linkage_keys(&cli(), col(), a, &encodings("A", 0..20))
        .await
        .expect("replace");
    store
        .upload_linkage_keys(&cli(), col(), b, &encodings("B", 15..40))
        .await
        .expect("upload");
    store
        .upload_linkage_keys(&cli(), col(), c, &encodings("C", 38..45))
        .await
        .expect("upload");
    assert!(store.upload_linkage_keys(&cli(), col(), c, &[]).await.is_err());
    let sets = store.linkage_key_sets(col()).await.expect("sets");
    let records: Vec<(&str, i64)> = sets.iter().map(|s| (s.organisation.as_str(), s.records)).collect();
    assert_eq!(records, [("NGO-A", 20), ("NGO-B", 25), ("NGO-C", 7)]);

    let run = store.run_linkage(&cli(), col(), 0.8).await.expect("run");
    let overlaps: Vec<(&str, &str, i64)> = run
        .overlaps
        .iter()
        .map(|o| (o.left.as_str(), o.right.as_str(), o.matched))
        .collect();
    assert_eq!(
        overlaps,
        [("NGO-A", "NGO-B", 5), ("NGO-A", "NGO-C", 0), ("NGO-B", "NGO-C", 2)]
    );
    assert_eq!(run.comparisons, 20 * 25 + 20 * 7 + 25 * 7);
    assert!(
        store.run_linkage(&cli(), col(), 0.2).await.is_err(),
        "a threshold below 0.5 links strangers"
    );

    // One consent is not enough; both are; a revoked one is not.
    assert!(!store.linkage_pairs_released(col(), a, b).await.expect("released"));
    store.consent_to_linkage(&cli(), col(), a, b).await.expect("consent");
    store
        .consent_to_linkage(&cli(), col(), a, b)
        .await
        .expect("twice is once");
    assert!(!store.linkage_pairs_released(col(), a, b).await.expect("released"));
    let theirs = store.consent_to_linkage(&cli(), col(), b, a).await.expect("consent");
    assert!(store.linkage_pairs_released(col(), a, b).await.expect("released"));
    assert!(store.linkage_pairs_released(col(), b, a).await.expect("released"));
    assert!(!store.linkage_pairs_released(col(), a, c).await.expect("released"));
    assert_eq!(store.linkage_consents(col()).await.expect("consents").len(), 2);

    let pairs = store.release_linkage_pairs(&cli(), col(), b, a).await.expect("pairs");
    let expected: Vec<(String, String)> = encodings("B", 15..20)
        .into_iter()
        .map(|e| e.0)
        .zip(encodings("A", 15..20).into_iter().map(|e| e.0))
        .collect();
    let mut got: Vec<(String, String)> = pairs
        .iter()
        .map(|p| (p.own_pseudonym.clone(), p.partner_pseudonym.clone()))
        .collect();
    got.sort();
    let mut expected = expected;
    expected.sort();
    assert_eq!(got, expected);

    store.revoke_linkage_consent(&cli(), theirs.id).await.expect("revoke");
    assert!(!store.linkage_pairs_released(col(), a, b).await.expect("released"));
    assert!(
        store.linkage_consent(theirs.id).await.is_err(),
        "revoked consents are not in force"
    );

    // Audited: 4 uploads, 1 run, 2 consents, 1 revocation, 1 release — and no pseudonym in the log.
    let entries = sqlx::query("SELECT entity, summary FROM audit_log WHERE entity LIKE 'linkage%' ORDER BY id")
        .fetch_all(store.pool())
        .await
        .expect("audit");
    let entities: Vec<String> = entries.iter().map(|r| r.try_get("entity").expect("entity")).collect();
    assert_eq!(entities.iter().filter(|e| *e == "linkage_keys").count(), 4);
    assert_eq!(entities.iter().filter(|e| *e == "linkage_run").count(), 2);
    assert_eq!(entities.iter().filter(|e| *e == "linkage_consent").count(), 3);
    let pseudonym = &encodings("A", 0..1)[0].0;
    for row in &entries {
        let summary: String = row.try_get("summary").expect("summary");
        assert!(!summary.contains(pseudonym.as_str()), "{summary}");
    }
}
